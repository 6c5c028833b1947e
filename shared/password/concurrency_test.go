package password

import (
	"runtime/debug"
	"testing"
)

// Issue 11 §11: the number of concurrent hashes is sized to memory.
func TestConcurrencyIsSizedToMemory(t *testing.T) {
	for _, tc := range []struct {
		a      Argon2id
		budget int64
		want   int
	}{
		{OWASP, 256 << 20, 13},
		{OWASP, 19 << 20, 1},
		{OWASP, 1 << 20, 1},
		{Argon2id{MemoryKiB: 64 << 10, Time: 3, Threads: 4}, 1 << 30, 16},
		{Argon2id{}, 1 << 30, 1},
	} {
		if got := tc.a.ConcurrencyWithin(tc.budget); got != tc.want {
			t.Errorf("%+v.ConcurrencyWithin(%d MiB) = %d; want %d", tc.a, tc.budget>>20, got, tc.want)
		}
	}
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	debug.SetMemoryLimit(190 << 20)
	if got := OWASP.Concurrency(); got != 5 {
		t.Errorf("OWASP.Concurrency() under GOMEMLIMIT=190MiB = %d; want 5 (half the limit / 19 MiB)", got)
	}
}
