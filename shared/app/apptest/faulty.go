package apptest

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Fault is a DynamoDB failure as the SDK reports it once its own retries
// are spent.
type Fault int

// The faults a Faulty injects.
const (
	// FaultError is a generic transport failure: a reset connection.
	FaultError Fault = iota + 1
	// FaultProvisionedThroughput is *types.ProvisionedThroughputExceededException
	// after the SDK's last attempt.
	FaultProvisionedThroughput
	// FaultThrottling is the ThrottlingException API error after the
	// SDK's last attempt.
	FaultThrottling
	// FaultTimeout is the request context's deadline passing
	// (context.DeadlineExceeded inside the operation error).
	FaultTimeout
	// FaultCanceled is the request context being cancelled.
	FaultCanceled
)

// Faults lists every Fault.
var Faults = []Fault{FaultError, FaultProvisionedThroughput, FaultThrottling, FaultTimeout, FaultCanceled}

func (f Fault) String() string {
	switch f {
	case FaultError:
		return "error"
	case FaultProvisionedThroughput:
		return "ProvisionedThroughputExceeded"
	case FaultThrottling:
		return "ThrottlingException"
	case FaultTimeout:
		return "timeout"
	case FaultCanceled:
		return "canceled"
	}
	return "none"
}

// Err returns the error the SDK returns for a call of op that ends in f:
// an *smithy.OperationError around the cause, as errors.As and errors.Is
// see it in production.
func (f Fault) Err(op string) error {
	var cause error
	switch f {
	case FaultError:
		cause = &smithyhttp.RequestSendError{Err: errors.New("read tcp 127.0.0.1:50000->127.0.0.1:443: read: connection reset by peer")}
	case FaultProvisionedThroughput:
		cause = spent(&types.ProvisionedThroughputExceededException{
			Message: aws.String("The level of configured provisioned throughput for the table was exceeded."),
		})
	case FaultThrottling:
		cause = spent(&smithy.GenericAPIError{
			Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput.", Fault: smithy.FaultServer,
		})
	case FaultTimeout:
		cause = &smithy.CanceledError{Err: context.DeadlineExceeded}
	case FaultCanceled:
		cause = &smithy.CanceledError{Err: context.Canceled}
	default:
		cause = errors.New("apptest: unknown fault")
	}
	return &smithy.OperationError{ServiceID: "DynamoDB", OperationName: op, Err: cause}
}

// spent wraps an API error as the SDK does when its retries ran out.
func spent(apiErr error) error {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusBadRequest}}
	return &retry.MaxAttemptsError{Attempt: 3, Err: &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: resp, Err: apiErr}, RequestID: "FAULT",
	}}
}

// Delivery says what became of the call a Faulty fails.
type Delivery int

const (
	// Refused: the call never reached DynamoDB; the fault is returned.
	Refused Delivery = iota
	// Lost: DynamoDB applied the call but its answer was lost; the fault
	// is returned.
	Lost
	// Retried: DynamoDB applied the call, its answer was lost, and the
	// SDK sent it again (as the standard retryer does after a 500 or a
	// reset connection); the second answer is returned and the fault is
	// not. TransactWriteItems keeps one ClientRequestToken for both, as
	// the SDK does.
	Retried
)

func (d Delivery) String() string {
	return [...]string{"refused", "lost", "retried"}[d]
}

// Faulty is a dynamo.API around a real client that fails one chosen call.
// It records the operation name of every call since the last Arm or
// Disarm. It is safe for concurrent use.
type Faulty struct {
	next dynamo.API

	mu       sync.Mutex
	calls    []string
	failAt   int // 1-based index into calls; 0 means never
	fault    Fault
	delivery Delivery
	injected int
}

var _ dynamo.API = (*Faulty)(nil)

// NewFaulty returns a Faulty around next, disarmed.
func NewFaulty(next dynamo.API) *Faulty { return &Faulty{next: next} }

// Arm clears the call log and makes call n (from 1) fail with f, delivered as d.
func (f *Faulty) Arm(n int, fault Fault, d Delivery) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls, f.failAt, f.fault, f.delivery, f.injected = nil, n, fault, d, 0
}

// Disarm clears the call log and stops failing calls.
func (f *Faulty) Disarm() { f.Arm(0, 0, Refused) }

// Calls returns the operation names of the calls since Arm or Disarm.
func (f *Faulty) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Injected reports how many calls failed since Arm: 0 or 1.
func (f *Faulty) Injected() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.injected
}

// plan logs a call of op and returns the fault it gets, if any.
func (f *Faulty) plan(op string) (Fault, Delivery) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	if f.failAt == 0 || len(f.calls) != f.failAt {
		return 0, Refused
	}
	f.injected++
	return f.fault, f.delivery
}

// intercept runs one call of op through the armed fault.
func intercept[T any](f *Faulty, ctx context.Context, op string, send func(context.Context) (T, error)) (T, error) {
	fault, d := f.plan(op)
	var zero T
	switch {
	case fault == 0:
		return send(ctx)
	case d == Refused:
		return zero, fault.Err(op)
	case d == Lost:
		_, _ = send(ctx)
		return zero, fault.Err(op)
	}
	_, _ = send(ctx)
	return send(ctx)
}

// GetItem implements dynamo.API.
func (f *Faulty) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return intercept(f, ctx, "GetItem", func(ctx context.Context) (*dynamodb.GetItemOutput, error) { return f.next.GetItem(ctx, in, o...) })
}

// PutItem implements dynamo.API.
func (f *Faulty) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return intercept(f, ctx, "PutItem", func(ctx context.Context) (*dynamodb.PutItemOutput, error) { return f.next.PutItem(ctx, in, o...) })
}

// UpdateItem implements dynamo.API.
func (f *Faulty) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return intercept(f, ctx, "UpdateItem", func(ctx context.Context) (*dynamodb.UpdateItemOutput, error) { return f.next.UpdateItem(ctx, in, o...) })
}

// DeleteItem implements dynamo.API.
func (f *Faulty) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return intercept(f, ctx, "DeleteItem", func(ctx context.Context) (*dynamodb.DeleteItemOutput, error) { return f.next.DeleteItem(ctx, in, o...) })
}

// Query implements dynamo.API.
func (f *Faulty) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return intercept(f, ctx, "Query", func(ctx context.Context) (*dynamodb.QueryOutput, error) { return f.next.Query(ctx, in, o...) })
}

// BatchGetItem implements dynamo.API.
func (f *Faulty) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return intercept(f, ctx, "BatchGetItem", func(ctx context.Context) (*dynamodb.BatchGetItemOutput, error) {
		return f.next.BatchGetItem(ctx, in, o...)
	})
}

// TransactWriteItems implements dynamo.API. A Retried transaction is sent
// twice with one idempotency token, as the SDK's retries send it.
func (f *Faulty) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if in.ClientRequestToken == nil {
		c := *in
		c.ClientRequestToken = aws.String(tokens.NewID())
		in = &c
	}
	return intercept(f, ctx, "TransactWriteItems", func(ctx context.Context) (*dynamodb.TransactWriteItemsOutput, error) {
		return f.next.TransactWriteItems(ctx, in, o...)
	})
}
