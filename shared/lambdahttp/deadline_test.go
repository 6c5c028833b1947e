package lambdahttp

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Issue 11 §13: the invocation's deadline reaches the request's context,
// where httpapi takes its margin off it (ProxyWithContext, not Proxy).
func TestInvocationDeadlineReachesTheRequest(t *testing.T) {
	deadline := time.Now().Add(7 * time.Second)
	var got time.Time
	var ok bool
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = r.Context().Deadline()
		w.WriteHeader(http.StatusNoContent)
	}))
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	ev := events.APIGatewayV2HTTPRequest{RawPath: "/oauth2/token", RequestContext: events.APIGatewayV2HTTPRequestContext{
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: "/oauth2/token", SourceIP: "192.0.2.1"},
	}}
	res, err := h(ctx, ev)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("Handler = %d, %v", res.StatusCode, err)
	}
	if !ok || !got.Equal(deadline) {
		t.Errorf("the request's deadline = %v, %v; want the invocation's %v", got, ok, deadline)
	}
}
