package httpapi

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// Every request gets a deadline (issue 11 §13): a stalled, not dead,
// DynamoDB made requests hang until it resumed. The store calls, and the
// wait for a password hashing slot, end with the request's context, and
// the core answers their failure 503 temporarily_unavailable.
//
// On Lambda the invocation's deadline is on the context (lambdahttp uses
// ProxyWithContext): a request gets that deadline less deadlineMargin, so
// the 503 is written before Lambda kills the invocation. Elsewhere (latchkey
// serve) it gets DefaultRequestTimeout, or what SetRequestTimeout says.
const (
	DefaultRequestTimeout = 5 * time.Second
	deadlineMargin        = 500 * time.Millisecond
)

// SetRequestTimeout sets how long a request may take when its host gives
// it no deadline; zero restores DefaultRequestTimeout.
func (a *API) SetRequestTimeout(d time.Duration) { a.timeout.Store(int64(d)) }

// requestTimeout is the timeout of a request without a deadline.
func (a *API) requestTimeout() time.Duration {
	if d := time.Duration(a.timeout.Load()); d > 0 {
		return d
	}
	return DefaultRequestTimeout
}

// withDeadline runs next with the request's deadline on its context.
func (a *API) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := requestContext(r.Context(), a.requestTimeout())
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requestContext returns ctx with the request's deadline: the host's less
// the margin, or timeout from now when the host sets none.
func requestContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, d.Add(-deadlineMargin))
	}
	return context.WithTimeout(ctx, timeout)
}

// timeoutNanos is SetRequestTimeout's value, read by concurrent requests.
type timeoutNanos = atomic.Int64
