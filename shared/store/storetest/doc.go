// Package storetest is the conformance suite of the core's storage ports,
// in the manner of dex's storage/conformance: one set of tests that every
// implementation of tokens.Store and tokens.KeyStore runs, so that the
// in-memory store (package memstore) behaves as the DynamoDB store does
// and tests of the core may use either.
//
// Run takes a constructor of empty stores with an injected clock and runs
// named subtests for every port method: round trips, the sentinels
// (tokens.ErrNotFound, tokens.ErrConflict, tokens.ErrAlreadyExists),
// conditional writes that win and lose, expiry at the clock on every read
// path (docs/design.md §7.6), the subject index's order and pages, eviction,
// copies instead of shared slices and maps, and races of 32 goroutines on
// one conditional write, of which exactly one may win (docs/design.md §7.1).
//
// What the suite pins is what the DynamoDB store does on DynamoDB Local
// (package dynamo runs it there); request budgets, faults and the table's
// encoding stay in that package's own tests.
//
// It is test support: it calls t.Fatal and is imported only by tests.
package storetest
