package password

import (
	"math"
	"runtime/debug"
)

// DefaultMemoryBudget is the memory that concurrent hashes may take in a
// process without a memory limit (GOMEMLIMIT): 256 MiB, what a 256 MB
// Lambda could give them, room for 13 hashes at OWASP's cost.
const DefaultMemoryBudget = 256 << 20

// Concurrency returns how many hashes with a's cost fit in the memory
// budget (issue 11 §11): half of the process's memory limit when
// GOMEMLIMIT sets one, else DefaultMemoryBudget; at least one.
func (a Argon2id) Concurrency() int {
	return a.ConcurrencyWithin(memoryBudget())
}

// ConcurrencyWithin returns how many hashes with a's cost fit in budget
// bytes, at least one.
func (a Argon2id) ConcurrencyWithin(budget int64) int {
	per := int64(a.MemoryKiB) << 10
	if per <= 0 {
		return 1
	}
	return max(1, int(min(budget/per, math.MaxInt32)))
}

// memoryBudget is half of the process's memory limit, or
// DefaultMemoryBudget when there is none.
func memoryBudget() int64 {
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		return limit / 2
	}
	return DefaultMemoryBudget
}
