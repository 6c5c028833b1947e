// Package dynamotest gives tests a real table on DynamoDB Local and a
// count of the requests they send.
//
// NewTable connects to the endpoint in LATCHKEY_TEST_DYNAMODB (make test
// starts DynamoDB Local and sets it), creates a uniquely named table from
// the repository's template.yaml, and deletes it when the test ends, so
// storage behaviour is always tested against DynamoDB itself, never a mock.
// Counter is an SDK middleware that counts calls per operation, so tests
// can hold every operation to its request budget (docs/design.md §6).
//
// It is test support: it reads the environment and calls t.Fatal, which
// production code never does.
package dynamotest
