package dynamotest

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// readOps and writeOps are the data-plane operations Reads and Writes add up.
var (
	readOps  = []string{"GetItem", "BatchGetItem", "Query", "Scan"}
	writeOps = []string{"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)

// Counter counts DynamoDB calls per operation. It counts each call once,
// before the SDK's retries, whether the call succeeds or not. It is safe
// for concurrent use.
type Counter struct {
	mu  sync.Mutex
	ops map[string]int
}

// NewCounter returns an empty Counter.
func NewCounter() *Counter { return &Counter{ops: map[string]int{}} }

// Option returns the client option that installs the counter; pass it to
// dynamodb.NewFromConfig or dynamo.NewClient.
func (c *Counter) Option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, c.addTo)
	}
}

// addTo adds the counting step to one operation's middleware stack.
func (c *Counter) addTo(stack *middleware.Stack) error {
	count := middleware.InitializeMiddlewareFunc("LatchkeyRequestCounter",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
			middleware.InitializeOutput, middleware.Metadata, error,
		) {
			c.add(middleware.GetOperationName(ctx))
			return next.HandleInitialize(ctx, in)
		})
	return stack.Initialize.Add(count, middleware.Before)
}

func (c *Counter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[op]++
}

// Ops returns a copy of the calls counted so far, by operation name.
func (c *Counter) Ops() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.ops)
}

// Reads returns the number of GetItem, BatchGetItem, Query and Scan calls.
func (c *Counter) Reads() int { return c.sum(readOps) }

// Writes returns the number of PutItem, UpdateItem, DeleteItem,
// BatchWriteItem and TransactWriteItems calls.
func (c *Counter) Writes() int { return c.sum(writeOps) }

func (c *Counter) sum(names []string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, name := range names {
		n += c.ops[name]
	}
	return n
}

// Reset sets every count to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.ops)
}
