package configtest

import "os"

// DynamoDBEnv names the DynamoDB Local that storage tests use; make
// test sets it.
const DynamoDBEnv = "LATCHKEY_TEST_DYNAMODB"

// DynamoDB returns the test DynamoDB Local endpoint ("" when unset)
// and whether the tests run in CI, where a missing endpoint must fail
// rather than skip. Only test support calls it.
func DynamoDB() (endpoint string, inCI bool) {
	return os.Getenv(DynamoDBEnv), os.Getenv("CI") == "true"
}
