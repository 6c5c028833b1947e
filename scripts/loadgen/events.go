package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// invocationFor returns the events that drive function fn: each one a
// request that must succeed, with fresh tokens from the running server.
func invocationFor(e *env, fn string) (invocation, error) {
	basic := func(c cred) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.id)+":"+url.QueryEscape(c.secret)))
	}
	form := "application/x-www-form-urlencoded"
	switch fn {
	case "token":
		return func(context.Context) (events.APIGatewayV2HTTPRequest, error) {
			return apiEvent(http.MethodPost, "/oauth2/token", "", basic(e.cc), form, "grant_type=client_credentials"), nil
		}, nil
	case "refresh":
		return func(ctx context.Context) (events.APIGatewayV2HTTPRequest, error) {
			rt, err := e.login(ctx)
			return apiEvent(http.MethodPost, "/oauth2/refresh", "", basic(e.web), "application/json", `{"refresh_token":"`+rt+`"}`), err
		}, nil
	case "revoke", "introspect":
		return func(ctx context.Context) (events.APIGatewayV2HTTPRequest, error) {
			t, err := e.token(ctx, e.cc)
			return apiEvent(http.MethodPost, "/oauth2/"+fn, "", basic(e.cc), form, "token="+url.QueryEscape(t)), err
		}, nil
	case "mint":
		return func(ctx context.Context) (events.APIGatewayV2HTTPRequest, error) {
			t, err := e.token(ctx, e.admin)
			body := `{"name":"startup","subject":"` + e.minted + `","scopes":["read"],"expires_in":3600}`
			return apiEvent(http.MethodPost, "/tokens", "", "Bearer "+t, "application/json", body), err
		}, nil
	case "sessions-list":
		return func(ctx context.Context) (events.APIGatewayV2HTTPRequest, error) {
			t, err := e.token(ctx, e.admin)
			q := "limit=20&subject=" + url.QueryEscape(e.sub)
			return apiEvent(http.MethodGet, "/sessions", q, "Bearer "+t, "", ""), err
		}, nil
	}
	return nil, fmt.Errorf("no start-up event for function %q", fn)
}

// apiEvent is an API Gateway HTTP API (payload 2.0) event, as events/ has them.
func apiEvent(method, path, query, authorization, contentType, body string) events.APIGatewayV2HTTPRequest {
	host := "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
	headers := map[string]string{"authorization": authorization, "host": host, "user-agent": "loadgen"}
	if contentType != "" {
		headers["content-type"] = contentType
	}
	route := method + " " + path
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: path, RawQueryString: query, Headers: headers,
		QueryStringParameters: queryMap(query),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey: route, Stage: "$default", DomainName: host, APIID: "a1b2c3d4e5", RequestID: "bench",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.10", UserAgent: "loadgen",
			},
		},
		Body: body,
	}
}

func queryMap(q string) map[string]string {
	if q == "" {
		return nil
	}
	m := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		m[k], _ = url.QueryUnescape(v)
	}
	return m
}
