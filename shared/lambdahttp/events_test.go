package lambdahttp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/lambdahttp"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The demo client and user that the sample events in events/ use.
const (
	demoClientID     = "demo-client"
	demoClientSecret = "lk_cs_demo-secret-for-sample-events-only"
	demoUser         = "demo"
	demoPassword     = "demo-password"
)

// eventCase is what one file in events/ must get from its function.
type eventCase struct {
	status int
	// field must be present and non-empty in the JSON answer.
	field string
	// code is the expected error code of an error answer.
	code string
	// clearsCookie: the answer must clear the refresh cookie.
	clearsCookie bool
	// inactive: the answer must be exactly {"active":false} (RFC 7662 §2.2).
	inactive bool
	// page: the answer is a page of the browser sign-in (text/html or
	// its stylesheet), not JSON; location, when set, prefixes its
	// redirect target.
	page     string
	location string
}

// wantEvents has one entry per file in events/: a new file without an
// entry fails the test, so every sample stays exercised.
var wantEvents = map[string]eventCase{
	"jwks.json":                     {status: 200, field: "keys"},
	"metadata.json":                 {status: 200, field: "issuer"},
	"openid-configuration.json":     {status: 200, field: "issuer"},
	"token-client-credentials.json": {status: 200, field: "access_token"},
	"token-password.json":           {status: 200, field: "access_token"},
	"token-refresh.json":            {status: 400, code: oauth.CodeInvalidGrant},
	"refresh-json.json":             {status: 400, code: oauth.CodeInvalidGrant},
	"refresh-cookie.json":           {status: 400, code: oauth.CodeInvalidGrant, clearsCookie: true},
	// The sample tokens are not genuine: introspection says inactive,
	// revocation succeeds (RFC 7009 §2.2), bearer endpoints refuse them.
	"introspect.json":              {status: 200, inactive: true},
	"userinfo.json":                {status: 401, code: oauth.CodeInvalidToken},
	"userinfo-post.json":           {status: 401, code: oauth.CodeInvalidToken},
	"revoke.json":                  {status: 200},
	"mint.json":                    {status: 401, code: oauth.CodeInvalidToken},
	"sessions-list.json":           {status: 401, code: oauth.CodeInvalidToken},
	"sessions-revoke-one.json":     {status: 401, code: oauth.CodeInvalidToken},
	"sessions-revoke-subject.json": {status: 401, code: oauth.CodeInvalidToken},
	"tokens-revoke.json":           {status: 401, code: oauth.CodeInvalidToken},
	// The browser sign-in: a valid request goes to the login page; the
	// sample request id has expired, so its pages say so.
	"authorize.json":      {status: 302, page: "text/html", location: "/oauth2/login?request="},
	"authorize-post.json": {status: 302, page: "text/html", location: "/oauth2/login?request="},
	"login-page.json":     {status: 400, page: "text/html"},
	"login.json":          {status: 400, page: "text/html"},
	"consent-page.json":   {status: 400, page: "text/html"},
	"consent.json":        {status: 400, page: "text/html"},
	// The device flow (RFC 8628): the public demo client gets codes; the
	// verification page shows its form, and the sample user code is no
	// code Latchkey issued.
	"device-authorization.json": {status: 200, field: "device_code"},
	"device-page.json":          {status: 200, page: "text/html"},
	"device.json":               {status: 400, page: "text/html"},
	"logout-page.json":          {status: 302, page: "text/html", location: demoSPACallback + "?state=bye"},
	"logout.json":               {status: 200, page: "text/html"},
	"stylesheet.json":           {status: 200, page: "text/css"},
	// The console: its page and one of its scripts.
	"console.json":      {status: 200, page: "text/html"},
	"console-file.json": {status: 200, page: "text/javascript"},
	// Dynamic Client Registration, turned on for these events: the
	// sample registration succeeds; the sample registration token is not
	// genuine, so reading or deleting with it is refused.
	"register.json":        {status: 201, field: "registration_access_token"},
	"register-read.json":   {status: 401, code: oauth.CodeInvalidToken},
	"register-delete.json": {status: 401, code: oauth.CodeInvalidToken},
}

// demoSPACallback is the redirect URI of the public demo client that the
// sign-in events use.
const demoSPACallback = "http://127.0.0.1:8000/callback"

// routeOf returns the route of the table that serves method and path,
// matched the way ServeMux (and API Gateway) match patterns.
func routeOf(method, path string) (httpapi.Route, bool) {
	mux := http.NewServeMux()
	byPattern := map[string]httpapi.Route{}
	for _, rt := range httpapi.Routes() {
		pattern := rt.Method + " " + rt.Path
		byPattern[pattern] = rt
		mux.Handle(pattern, http.NotFoundHandler())
	}
	req := &http.Request{Method: method, URL: &url.URL{Path: path}, Host: "example.com"}
	_, pattern := mux.Handler(req)
	rt, ok := byPattern[pattern]
	return rt, ok
}

// seedDemo inserts the demo client with its fixed id and secret (the core
// generates both itself, so it goes straight to the store) and the demo user.
func seedDemo(t *testing.T, h *apptest.Harness) {
	t.Helper()
	cfg := h.App.Config
	c := tokens.Client{
		ID: demoClientID, Name: "demo", SecretHash: tokens.HashToken(demoClientSecret),
		AuthMethod: oauth.AuthClientSecretBasic,
		Grants:     []string{oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken},
		Scopes:     []string{"read", "write"}, AllowOfflineAccess: true,
		AccessTokenTTL: cfg.AccessTokenTTL, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL, RefreshIdleTTL: cfg.RefreshIdleTTL,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: cfg.RefreshReuseGrace,
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: h.Clock.Now(),
	}
	if err := h.App.Store.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("CreateClient(%s): %v", demoClientID, err)
	}
	spa := c
	spa.ID, spa.Name, spa.SecretHash, spa.AuthMethod, spa.FirstParty = "demo-spa", "Demo SPA", nil, oauth.AuthNone, true
	spa.Grants, spa.Scopes, spa.RedirectURIs = []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken, oauth.GrantDeviceCode}, []string{"openid", "read"}, []string{demoSPACallback}
	if err := h.App.Store.CreateClient(context.Background(), spa); err != nil {
		t.Fatalf("CreateClient(demo-spa): %v", err)
	}
	h.User(demoUser, demoPassword)
}

func TestEvents(t *testing.T) {
	dir := filepath.Join(dynamotest.RepoRoot(t), "events")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, ok := wantEvents[name]
			if !ok {
				t.Fatalf("events/%s has no entry in wantEvents: add what it must answer", name)
			}
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("events/%s is not an API Gateway v2 event: %v", name, err)
			}
			runEvent(t, ev, want)
		})
	}
	for name := range wantEvents {
		if !seen[name] {
			t.Errorf("wantEvents names %s, which is not in events/", name)
		}
	}
}

func runEvent(t *testing.T, ev events.APIGatewayV2HTTPRequest, want eventCase) {
	t.Helper()
	if ev.Version != "2.0" {
		t.Errorf("version = %q; want 2.0 (HTTP API payload format)", ev.Version)
	}
	method, path := ev.RequestContext.HTTP.Method, ev.RawPath
	if path != ev.RequestContext.HTTP.Path {
		t.Errorf("rawPath %q differs from requestContext.http.path %q", path, ev.RequestContext.HTTP.Path)
	}
	rt, ok := routeOf(method, path)
	if !ok {
		t.Fatalf("no function serves %s %s", method, path)
	}
	if key := rt.Method + " " + rt.Path; ev.RouteKey != key || ev.RequestContext.RouteKey != key {
		t.Errorf("routeKey = %q / %q; want %q", ev.RouteKey, ev.RequestContext.RouteKey, key)
	}
	h := apptest.New(t, func(c *config.Config) { c.Registration.Dynamic = true })
	seedDemo(t, h)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := lambdahttp.Handler(h.App.Handler(rt.Function))(ctx, ev)
	if err != nil {
		t.Fatalf("function %s: %v", rt.Function, err)
	}
	checkEventResponse(t, rt.Function, res, want)

	// No other function serves the route: 404, or 405 where it serves
	// the same path with another method.
	for _, other := range functions() {
		if other == rt.Function {
			continue
		}
		res, err := lambdahttp.Handler(h.App.Handler(other))(ctx, ev)
		if err != nil || (res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusMethodNotAllowed) {
			t.Errorf("function %s answered %s %s with %d %v; want 404 or 405", other, method, path, res.StatusCode, err)
		}
	}
}

func checkEventResponse(t *testing.T, function string, res events.APIGatewayV2HTTPResponse, want eventCase) {
	t.Helper()
	if want.page != "" {
		checkPageResponse(t, function, res, want)
		return
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(res.Body), &body); err != nil || res.IsBase64Encoded {
		t.Fatalf("function %s answered %d with a body that is not JSON: %q", function, res.StatusCode, res.Body)
	}
	if res.StatusCode != want.status {
		t.Errorf("function %s answered %d %s; want %d", function, res.StatusCode, res.Body, want.status)
	}
	if want.field != "" {
		if v, _ := json.Marshal(body[want.field]); slices.Contains([]string{"null", `""`, "[]", "{}"}, string(v)) {
			t.Errorf("answer %s has no %s", res.Body, want.field)
		}
	}
	if want.code != "" && body["error"] != want.code {
		t.Errorf("error = %v; want %s", body["error"], want.code)
	}
	if want.code == oauth.CodeInvalidToken && !strings.HasPrefix(res.Headers["Www-Authenticate"], "Bearer ") {
		t.Errorf("WWW-Authenticate = %q; want a Bearer challenge (RFC 6750 §3)", res.Headers["Www-Authenticate"])
	}
	if want.inactive && strings.TrimSpace(res.Body) != `{"active":false}` {
		t.Errorf("answer = %s; want exactly {\"active\":false}", res.Body)
	}
	if ct := res.Headers["Content-Type"]; !strings.Contains(ct, "json") {
		t.Errorf("Content-Type = %q; want JSON", ct)
	}
	cleared := slices.ContainsFunc(res.Cookies, func(c string) bool {
		return strings.HasPrefix(c, httpapi.RefreshCookie+"=;") && strings.Contains(c, "Max-Age=0")
	})
	if cleared != want.clearsCookie {
		t.Errorf("cookies = %q; want cleared %v", res.Cookies, want.clearsCookie)
	}
}

// functions returns the distinct functions of the route table.
func functions() []string {
	var out []string
	for _, rt := range httpapi.Routes() {
		if !slices.Contains(out, rt.Function) {
			out = append(out, rt.Function)
		}
	}
	return out
}

// checkPageResponse holds an answer of the browser sign-in to its status,
// content type and redirect target.
func checkPageResponse(t *testing.T, function string, res events.APIGatewayV2HTTPResponse, want eventCase) {
	t.Helper()
	if res.StatusCode != want.status {
		t.Errorf("function %s answered %d %s; want %d", function, res.StatusCode, res.Body, want.status)
	}
	if loc := res.Headers["Location"]; want.location != "" && !strings.HasPrefix(loc, want.location) {
		t.Errorf("Location = %q; want it to start with %q", loc, want.location)
	}
	if ct := res.Headers["Content-Type"]; res.StatusCode < 300 || res.StatusCode >= 400 {
		if !strings.HasPrefix(ct, want.page) {
			t.Errorf("Content-Type = %q; want %s", ct, want.page)
		}
	}
	if want.page == "text/html" && res.Headers["Cache-Control"] != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", res.Headers["Cache-Control"])
	}
}
