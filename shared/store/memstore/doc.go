// Package memstore is an in-memory implementation of every storage port
// of the core (tokens.Store and tokens.KeyStore), for tests that exercise
// the core and the handlers without DynamoDB Local.
//
// It behaves as the DynamoDB store (package dynamo) does, and the shared
// conformance suite (package storetest) holds both to the same contract:
//
//   - An item whose expiry is not after the injected clock is absent on
//     every read and every conditional write (docs/design.md §7.6); like
//     DynamoDB, which deletes expired items lazily, it keeps them, so an
//     expired id is still taken for a create.
//   - Every conditional write wins or loses exactly as the DynamoDB
//     store's condition expression does, with the same sentinels
//     (tokens.ErrNotFound, tokens.ErrConflict, tokens.ErrAlreadyExists),
//     and a create repeated with exactly the same item succeeds, as the
//     DynamoDB store's retry after a lost answer does.
//   - Values are stored and returned as the DynamoDB encoding leaves them:
//     times in UTC without a monotonic reading, client durations in whole
//     milliseconds, empty hashes and salts as nil. Nothing is shared
//     between the caller and the store: slices and maps are copied both
//     ways.
//   - It is safe for concurrent use: one mutex serialises every call, so
//     each call is atomic, as a single DynamoDB request (or transaction)
//     is.
//
// It counts calls per port method (Ops), so tests can hold the core to
// its request budgets without DynamoDB. It does not model what only
// DynamoDB limits: item and key sizes, the 1 MB page of a Query without a
// limit, or an index that lags behind the table.
package memstore
