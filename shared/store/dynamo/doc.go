// Package dynamo is Latchkey's DynamoDB adapter: it implements the core's
// tokens.Store (every storage role of the core) and tokens.KeyStore on one
// single table (docs/design.md §6).
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
//     condition becomes tokens.ErrConflict or tokens.ErrAlreadyExists.
//     Transactions are kept for writes that must land together: a session
//     and the evictions of the cap (docs/design.md §2), a finished
//     authorization request and what it led to, a user's claims and its
//     subject item.
//   - Any other SDK failure is returned wrapped, so the core answers
//     temporarily_unavailable.
//
// Each of those things is done one way, in one place, and every item kind
// uses it (TestOneWayToDoEachThing checks): time attributes are timestamp
// or epochSeconds (timeattr.go, pinned by TestWireFormat); attribute names
// are the constants of attrs.go; reads go through decodeLive or getLive
// (decode.go); a lost condition is recognised by lostCondition, and shared
// conditions such as keyFree, existsNow and liveNow are built once
// (conditions.go).
//
// It also builds the SDK client (NewClient) and creates the table from the
// SAM template (CreateTable), so that local and deployed tables never drift.
// The subpackage dynamotest gives other packages' tests a fresh table on
// DynamoDB Local and a request counter.
package dynamo
