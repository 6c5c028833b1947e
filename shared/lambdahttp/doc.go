// Package lambdahttp runs an http.Handler as an AWS Lambda function behind
// an API Gateway HTTP API (payload format 2.0). It is the only package
// that imports aws-lambda-go and the API proxy, so the handlers stay
// plain net/http.
package lambdahttp
