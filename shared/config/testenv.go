package config

import "os"

// TestDynamoDBEnv names the DynamoDB Local that storage tests use; make
// test sets it.
const TestDynamoDBEnv = "LATCHKEY_TEST_DYNAMODB"

// TestDynamoDB returns the test DynamoDB Local endpoint ("" when unset)
// and whether the tests run in CI, where a missing endpoint must fail
// rather than skip. Only test support calls it.
func TestDynamoDB() (endpoint string, inCI bool) {
	return os.Getenv(TestDynamoDBEnv), os.Getenv("CI") == "true"
}
