package lambdahttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/latchkey/latchkey/shared/lambdahttp"
)

// TestRequestIDs: a line logged while serving an invocation names the
// Lambda request id and API Gateway's; one logged outside names neither.
func TestRequestIDs(t *testing.T) {
	var out bytes.Buffer
	log := slog.New(lambdahttp.RequestIDs(slog.NewJSONHandler(&out, nil))).With("function", "token")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.LogAttrs(r.Context(), slog.LevelInfo, "token_issued", slog.String("event", "token_issued"))
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-7"})
	ev := events.APIGatewayV2HTTPRequest{
		RawPath: "/oauth2/token", Headers: map[string]string{"host": "abc.execute-api.eu-west-1.amazonaws.com"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "api-9", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: http.MethodPost, Path: "/oauth2/token"},
		},
	}
	if _, err := lambdahttp.Handler(h)(ctx, ev); err != nil {
		t.Fatal(err)
	}
	log.Info("started")
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %q; want two lines", out.String())
	}
	for i, want := range []map[string]any{
		{"event": "token_issued", "function": "token", "aws_request_id": "lambda-7", "api_request_id": "api-9"},
		{"msg": "started", "function": "token", "aws_request_id": nil, "api_request_id": nil},
	} {
		var got map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("line %d: %s = %v; want %v (line %s)", i, k, got[k], v, lines[i])
			}
		}
	}
}
