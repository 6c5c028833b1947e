package dynamo_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/store/storetest"
)

// TestConformance runs the storage conformance suite on DynamoDB Local,
// one fresh table per store the suite asks for. Without DynamoDB Local it
// skips once, not once per subtest (and fails when $CI is "true").
func TestConformance(t *testing.T) {
	dynamotest.Endpoint(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		env := dynamotest.NewTable(t)
		return dynamo.New(env.Client, env.Table, now)
	})
}
