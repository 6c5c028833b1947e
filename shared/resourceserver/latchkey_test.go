package resourceserver_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/resourceserver"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Two MCP servers on one Latchkey.
const (
	resourceA = "https://a.mcp.test/mcp"
	resourceB = "https://b.mcp.test/mcp"
)

// latchkey is a real Latchkey (apptest) with a confidential client
// allowed resources A and B, and a resource-server client that may
// introspect any token.
type latchkey struct {
	*apptest.Harness
	clientID, secret string
	rsID, rsSecret   string
	introspections   atomic.Int64
}

func newLatchkey(t *testing.T) *latchkey {
	t.Helper()
	l := &latchkey{Harness: apptest.New(t)}
	l.clientID, l.secret = l.registerWithResources(tokens.FormatJWT)
	rs, rsSecret := l.Client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	l.rsID, l.rsSecret = rs.ID, rsSecret
	return l
}

// registerWithResources puts a client allowed resources A and B in the
// store directly: ClientSpec has no resources (as an operator's tooling
// would).
func (l *latchkey) registerWithResources(format string) (string, string) {
	l.T.Helper()
	secret := "lk_cs_" + tokens.NewID()
	c := tokens.Client{
		ID: tokens.NewID(), Name: "agent", AuthMethod: oauth.AuthClientSecretBasic, SecretHash: tokens.HashToken(secret),
		Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"notes:read", "notes:write"},
		AccessTokenFormat: format, AccessTokenTTL: 15 * time.Minute, Resources: []string{resourceA, resourceB},
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: apptest.Start,
	}
	if err := l.Mem.CreateClient(context.Background(), c); err != nil {
		l.T.Fatal(err)
	}
	return c.ID, secret
}

// token asks for a client_credentials token for resources (none: the
// issuer is the audience).
func (l *latchkey) token(id, secret, scope string, resources ...string) string {
	l.T.Helper()
	r := l.Token(id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}, "resource": resources})
	if r.Status != http.StatusOK {
		l.T.Fatalf("token = %d %s; want 200", r.Status, r.Body)
	}
	return r.Str("access_token")
}

// guard returns a guard for resource trusting this Latchkey, whose
// introspection calls are counted.
func (l *latchkey) guard(resource string, in *resourceserver.Introspection) *resourceserver.Guard {
	l.T.Helper()
	client := &http.Client{Transport: countingTransport{&l.introspections}}
	if in != nil {
		in.URL, in.ClientID, in.ClientSecret = l.Server.URL+"/oauth2/introspect", l.rsID, l.rsSecret
	}
	g, err := resourceserver.New(resourceserver.Config{
		Resource: resource, Issuer: l.App.Config.Issuer, JWKSURL: l.Server.URL + "/.well-known/jwks.json",
		ScopesSupported: []string{"notes:read", "notes:write"}, Introspection: in, HTTPClient: client, Now: l.Clock.Now,
	})
	if err != nil {
		l.T.Fatal(err)
	}
	return g
}

type countingTransport struct{ introspections *atomic.Int64 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/introspect") {
		c.introspections.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// serve runs handler behind g.Require(scopes...) and returns the server.
func serve(t *testing.T, g *resourceserver.Guard, scopes ...string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	g.Mount(mux)
	mux.Handle("/mcp", g.Require(scopes...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := resourceserver.TokenFrom(r.Context())
		fmt.Fprintf(w, "hello %s via %s", tok.Subject, tok.ClientID)
	})))
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

type answer struct {
	status    int
	challenge string
	body      string
}

func call(t *testing.T, s *httptest.Server, header http.Header) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/mcp", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK && res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("refusal %d Cache-Control = %q; want no-store", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	return answer{res.StatusCode, res.Header.Get("WWW-Authenticate"), string(b)}
}

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// TestTokenForOneResourceIsRefusedByAnother is the audience binding the
// MCP authorization specification requires of servers (2025-06-18 and
// 2025-11-25, "Token Audience Binding and Validation"): Latchkey issues a
// token for resource A (RFC 8707), server A accepts it, server B refuses
// it, and a token naming no resource (aud = the issuer) is refused by both.
func TestTokenForOneResourceIsRefusedByAnother(t *testing.T) {
	l := newLatchkey(t)
	serverA := serve(t, l.guard(resourceA, nil), "notes:read")
	serverB := serve(t, l.guard(resourceB, nil), "notes:read")
	forA := l.token(l.clientID, l.secret, "notes:read", resourceA)
	forBoth := l.token(l.clientID, l.secret, "notes:read", resourceA, resourceB)
	forNone := l.token(l.clientID, l.secret, "notes:read")
	tests := []struct {
		name   string
		server *httptest.Server
		token  string
		want   int
	}{
		{"A's token at A", serverA, forA, http.StatusOK},
		{"A's token at B", serverB, forA, http.StatusUnauthorized},
		{"A and B's token at A", serverA, forBoth, http.StatusOK},
		{"A and B's token at B", serverB, forBoth, http.StatusOK},
		{"issuer-audience token at A", serverA, forNone, http.StatusUnauthorized},
		{"issuer-audience token at B", serverB, forNone, http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, tc.server, bearer(tc.token))
			if got.status != tc.want {
				t.Fatalf("status = %d (%s); want %d", got.status, got.body, tc.want)
			}
			if tc.want == http.StatusOK && got.body != "hello "+l.clientID+" via "+l.clientID {
				t.Errorf("body = %q; want the token's subject and client", got.body)
			}
			if tc.want == http.StatusUnauthorized && !strings.Contains(got.challenge, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q; want error=\"invalid_token\"", got.challenge)
			}
		})
	}
}

// TestChallenges pins every refusal's status and WWW-Authenticate header
// (RFC 6750 §3, RFC 9728 §5.1).
func TestChallenges(t *testing.T) {
	l := newLatchkey(t)
	server := serve(t, l.guard(resourceA, nil), "notes:write")
	readOnly := l.token(l.clientID, l.secret, "notes:read", resourceA)
	meta := `resource_metadata="https://a.mcp.test/.well-known/oauth-protected-resource/mcp"`
	tests := []struct {
		name   string
		header http.Header
		want   answer
	}{
		{"no token", nil, answer{401, `Bearer ` + meta + `, scope="notes:write"`, `{"error":"invalid_token","error_description":"a bearer token is required"}`}},
		{"basic credentials", http.Header{"Authorization": {"Basic YTpi"}}, answer{401, `Bearer ` + meta + `, scope="notes:write"`, ""}},
		{"bad token", bearer("a.b.c"), answer{401, `Bearer error="invalid_token", error_description="the token is invalid, expired, revoked or not for this resource", ` + meta + `, scope="notes:write"`, ""}},
		{"two tokens", http.Header{"Authorization": {"Bearer a", "Bearer b"}}, answer{400, `Bearer error="invalid_request", error_description="send one bearer token in the Authorization header", ` + meta + `, scope="notes:write"`, ""}},
		{"empty bearer", http.Header{"Authorization": {"Bearer "}}, answer{400, "", ""}},
		{"missing scope", bearer(readOnly), answer{403, `Bearer error="insufficient_scope", error_description="the token lacks a scope this request needs", ` + meta + `, scope="notes:write"`, `{"error":"insufficient_scope","error_description":"the token lacks a scope this request needs"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := call(t, server, tc.header)
			if got.status != tc.want.status {
				t.Fatalf("status = %d; want %d", got.status, tc.want.status)
			}
			if tc.want.challenge != "" && got.challenge != tc.want.challenge {
				t.Errorf("WWW-Authenticate = %s; want %s", got.challenge, tc.want.challenge)
			}
			if tc.want.body != "" && strings.TrimSpace(got.body) != tc.want.body {
				t.Errorf("body = %s; want %s", got.body, tc.want.body)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		tok := l.token(l.clientID, l.secret, "notes:write", resourceA)
		if got := call(t, server, bearer(tok)); got.status != http.StatusOK {
			t.Fatalf("fresh token: status = %d; want 200", got.status)
		}
		l.Clock.Advance(15*time.Minute + resourceserver.DefaultLeeway)
		if got := call(t, server, bearer(tok)); got.status != http.StatusUnauthorized {
			t.Fatalf("token past exp + leeway: status = %d; want 401", got.status)
		}
	})
}
