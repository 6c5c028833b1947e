package lambdahttp

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// Start serves h as the Lambda function's handler; it never returns.
// ProxyWithContext (not Proxy) keeps the invocation's deadline and
// request id on the request's context.
func Start(h http.Handler) {
	lambda.Start(Handler(h))
}

// Handler returns the Lambda handler for h: an API Gateway HTTP API event
// in, its response out. Tests feed events/ files through it.
func Handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return httpadapter.NewV2(h).ProxyWithContext
}
