// Package dynamo is Latchkey's DynamoDB adapter: it implements the core's
// tokens.Store, tokens.KeyStore, tokens.AccessTokenStore,
// tokens.LongLivedStore and tokens.SessionIndex ports on one single table
// (docs/design.md §6).
//
// It owns the table layout (key builders, the GSI1 partitions), the private
// item structs that carry the dynamodbav tags, every condition expression,
// and the mapping of SDK errors to the core's sentinels. Domain types stay
// free of storage tags; items are converted at the edge of this package.
//
// Three rules hold on every path:
//
//   - An item whose ttl (epoch seconds) is not after the injected clock is
//     absent: reads answer tokens.ErrNotFound and writes treat it as gone,
//     because DynamoDB deletes expired items lazily, hours later
//     (docs/design.md §7.6).
//   - Every write that can race is a single conditional write, and a lost
//     condition becomes tokens.ErrConflict or tokens.ErrAlreadyExists. The
//     one transaction is CreateSessionEvicting, which must create a session
//     and revoke the oldest ones together (docs/design.md §2).
//   - Any other SDK failure is returned wrapped, so the core answers
//     temporarily_unavailable.
//
// It also builds the SDK client (NewClient) and creates the table from the
// SAM template (CreateTable), so that local and deployed tables never drift.
// The subpackage dynamotest gives other packages' tests a fresh table on
// DynamoDB Local and a request counter.
package dynamo
