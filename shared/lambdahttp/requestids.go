package lambdahttp

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// RequestIDs wraps h so that every record logged with a request's context
// names the invocation's Lambda request id (aws_request_id) and API
// Gateway's request id (api_request_id): the keys that join a function's
// log lines to each other and to the API's access log. Records logged
// outside an invocation (latchkey serve, start-up) are left as they are.
func RequestIDs(h slog.Handler) slog.Handler { return requestIDs{h} }

type requestIDs struct{ slog.Handler }

// Handle adds the ids the context carries.
func (r requestIDs) Handle(ctx context.Context, rec slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		rec.AddAttrs(slog.String("aws_request_id", lc.AwsRequestID))
	}
	if api, ok := core.GetAPIGatewayV2ContextFromContext(ctx); ok && api.RequestID != "" {
		rec.AddAttrs(slog.String("api_request_id", api.RequestID))
	}
	return r.Handler.Handle(ctx, rec)
}

// WithAttrs keeps the wrapper around the derived handler.
func (r requestIDs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDs{r.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the wrapper around the derived handler.
func (r requestIDs) WithGroup(name string) slog.Handler { return requestIDs{r.Handler.WithGroup(name)} }
