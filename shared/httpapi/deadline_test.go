package httpapi

import (
	"context"
	"testing"
	"time"
)

// Issue 11 §13, on Lambda: a request keeps the invocation's deadline less
// a margin, so its 503 is written before the invocation is killed; with
// no deadline from the host it gets the request timeout.
func TestRequestContextDeadline(t *testing.T) {
	lambda := time.Now().Add(3 * time.Second)
	parent, cancel := context.WithDeadline(context.Background(), lambda)
	defer cancel()
	ctx, done := requestContext(parent, time.Hour)
	defer done()
	if d, ok := ctx.Deadline(); !ok || !d.Equal(lambda.Add(-deadlineMargin)) {
		t.Errorf("deadline under an invocation deadline = %v, %v; want %v", d, ok, lambda.Add(-deadlineMargin))
	}
	before := time.Now()
	ctx, done = requestContext(context.Background(), 5*time.Second)
	defer done()
	if d, ok := ctx.Deadline(); !ok || d.Before(before.Add(5*time.Second)) || d.After(time.Now().Add(5*time.Second)) {
		t.Errorf("deadline without a host deadline = %v, %v; want 5s from now", d, ok)
	}
	a := &API{}
	if got := a.requestTimeout(); got != DefaultRequestTimeout {
		t.Errorf("requestTimeout() = %v; want the default %v", got, DefaultRequestTimeout)
	}
	a.SetRequestTimeout(time.Second)
	if got := a.requestTimeout(); got != time.Second {
		t.Errorf("requestTimeout() after SetRequestTimeout(1s) = %v", got)
	}
}
