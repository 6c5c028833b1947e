// Package apptest wires a whole Latchkey process for tests: the in-memory
// store (or, for what is about DynamoDB, a fresh table on DynamoDB Local),
// a settable clock, cheap password hashing, captured JSON logs and an
// httptest server over every route. Tests of any package use it to drive
// the real handlers end to end.
package apptest
