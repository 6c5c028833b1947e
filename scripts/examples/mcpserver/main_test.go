package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/clientmetadata"
	cmt "github.com/latchkey/latchkey/shared/clientmetadata/clientmetadatatest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/resourceserver"
	"github.com/latchkey/latchkey/shared/tokens"
)

const (
	testUser     = "ada"
	testPassword = "correct horse battery staple"
	redirectURI  = "http://127.0.0.1:33418/callback"
)

// stack is a Latchkey serving HTTPS (its issuer is its own address, as
// when ISSUER is unset) and this example MCP server in front of it.
type stack struct {
	*apptest.Harness
	browser  *apptest.Browser
	issuer   string
	subject  string
	mcpURL   string
	signIns  atomic.Int64
	consents atomic.Int64
}

// newStack starts Latchkey and the MCP server. Self-registration, when
// register is set, is on with notes:read and the MCP server as the
// resource registered clients may ask for.
func newStack(t *testing.T, register func(*config.Registration)) *stack {
	t.Helper()
	return newStackWith(t, register, nil)
}

// newStackWith is newStack with a fetcher of Client ID Metadata Documents.
func newStackWith(t *testing.T, register func(*config.Registration), documents tokens.ClientMetadataFetcher) *stack {
	t.Helper()
	ln := listen(t)
	resource := "http://" + ln.Addr().String() + "/mcp"
	h := apptest.NewWith(t, apptest.Setup{ClientMetadata: documents, Config: []func(*config.Config){func(c *config.Config) {
		c.Issuer = ""
		if register != nil {
			c.Registration = config.Registration{Scopes: []string{"notes:read"}, Resources: []string{resource}}
			register(&c.Registration)
		}
	}}})
	s := &stack{Harness: h, browser: h.Browser(), subject: h.User(testUser, testPassword)}
	s.issuer = s.browser.Server.URL
	s.mcpURL = s.startMCPServer(t, ln)
	return s
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// startMCPServer runs the example on ln; its resource is its own URL.
func (s *stack) startMCPServer(t *testing.T, ln net.Listener) string {
	t.Helper()
	resource := "http://" + ln.Addr().String() + "/mcp"
	srv, err := New(resourceserver.Config{
		Resource: resource, Issuer: s.issuer, ScopesSupported: []string{"notes:read"},
		HTTPClient: s.browser.Server.Client(), Now: s.Clock.Now,
		Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, "notes:read")
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv}}
	hs.Start()
	t.Cleanup(hs.Close)
	return resource
}

// testLog shows the guard's reasons in the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// preregister puts a public MCP client allowed this server's resource in
// the store (ClientSpec has no resources).
func (s *stack) preregister(t *testing.T) string {
	t.Helper()
	c := tokens.Client{
		ID: tokens.NewID(), Name: "Example MCP client", AuthMethod: oauth.AuthNone,
		Grants: []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}, Scopes: []string{"notes:read"},
		AllowOfflineAccess: true, AccessTokenFormat: tokens.FormatJWT, AccessTokenTTL: 15 * time.Minute,
		RefreshAbsoluteTTL: 720 * time.Hour, RefreshIdleTTL: 168 * time.Hour, RefreshRotation: tokens.RotationRotate,
		RefreshReuseGrace: 30 * time.Second, MaxSessionsPerSubject: tokens.DefaultMaxSessions,
		Resources: []string{s.mcpURL}, RedirectURIs: []string{redirectURI}, CreatedAt: apptest.Start,
	}
	if err := s.Mem.CreateClient(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// signIn is the user at the browser: it follows the authorization URL the
// SDK built, signs in on the hosted login page, allows the consent page
// when one is shown, and hands the SDK what reached the redirect URI.
func (s *stack) signIn(_ context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
	s.signIns.Add(1)
	b := s.browser
	start := b.Get(args.URL)
	if start.Status != http.StatusFound {
		return nil, fmt.Errorf("authorize = %d %s", start.Status, start.Body)
	}
	page := start
	if strings.HasPrefix(page.Location(), "/oauth2/login?") {
		page = b.LogIn(b.Get(page.Location()), testUser, testPassword)
	}
	if strings.HasPrefix(page.Location(), "/oauth2/consent?") {
		s.consents.Add(1)
		page = b.Decide(b.Get(page.Location()), "allow")
	}
	q := page.LocationQuery()
	if !strings.HasPrefix(page.Location(), redirectURI) || q.Get("code") == "" {
		return nil, fmt.Errorf("sign-in ended at %d %q: %s", page.Status, page.Location(), page.Body)
	}
	return &auth.AuthorizationResult{Code: q.Get("code"), State: q.Get("state"), Iss: q.Get("iss")}, nil
}

// expiringTokens records the SDK's token so the test can expire it on
// the client's side and watch the SDK refresh.
type expiringTokens struct{ last atomic.Pointer[oauth2.Token] }

func (e *expiringTokens) newTokenSource(ctx context.Context, cfg *oauth2.Config, tok *oauth2.Token) (oauth2.TokenSource, error) {
	e.last.Store(tok)
	return cfg.TokenSource(ctx, tok), nil
}

// connect signs in through the Go SDK's client with handler and returns
// the MCP session.
func (s *stack) connect(t *testing.T, cfg *auth.AuthorizationCodeHandlerConfig) *mcp.ClientSession {
	t.Helper()
	cfg.RedirectURL, cfg.AuthorizationCodeFetcher, cfg.Client = redirectURI, s.signIn, s.browser.Server.Client()
	handler, err := auth.NewAuthorizationCodeHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	client := mcp.NewClient(&mcp.Implementation{Name: "latchkey-test-client", Version: "v1"}, nil)
	transport := &mcp.StreamableClientTransport{Endpoint: s.mcpURL, OAuthHandler: handler}
	session, err := client.Connect(context.Background(), transport, nil)
	if err != nil {
		t.Fatalf("Connect: %v\nLatchkey's log:\n%s", err, s.Logs.String())
	}
	t.Cleanup(func() { _ = session.Close() })
	return session
}

// whoamiOf calls the tool and returns its structured answer.
func whoamiOf(t *testing.T, session *mcp.ClientSession) WhoAmI {
	t.Helper()
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami"})
	if err != nil || res.IsError {
		t.Fatalf("CallTool(whoami) = %+v, %v; want an answer", res, err)
	}
	var got WhoAmI
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestGoSDKClientSignsIn: the official Go MCP SDK's client, given only
// the server's URL and a pre-registered client id, gets a 401, discovers
// Latchkey through the protected resource metadata, signs the user in
// with PKCE and the resource parameter, calls the tool with a token bound
// to this server, and refreshes when the token expires.
func TestGoSDKClientSignsIn(t *testing.T) {
	s := newStack(t, nil)
	clientID := s.preregister(t)
	tokensSeen := &expiringTokens{}
	session := s.connect(t, &auth.AuthorizationCodeHandlerConfig{
		PreregisteredClient: &oauthex.ClientCredentials{ClientID: clientID, Issuer: s.issuer},
		RequestRefreshToken: true, NewTokenSource: tokensSeen.newTokenSource,
	})
	got := whoamiOf(t, session)
	if got.Subject != s.subject || got.ClientID != clientID || !sameScopes(got.Scopes, "notes:read", "offline_access") {
		t.Fatalf("whoami = %+v; want %s through %s with notes:read offline_access", got, s.subject, clientID)
	}
	if n := s.signIns.Load(); n != 1 {
		t.Fatalf("sign-ins = %d; want 1", n)
	}
	first := tokensSeen.last.Load()
	if first == nil || first.RefreshToken == "" {
		t.Fatalf("the SDK's token = %+v; want a refresh token (offline_access)", first)
	}
	// The access token expires, on the server's clock and the client's.
	s.Clock.Advance(16 * time.Minute)
	first.Expiry = time.Now().Add(-time.Minute)
	if again := whoamiOf(t, session); again.Subject != s.subject {
		t.Fatalf("whoami after expiry = %+v; want %s", again, s.subject)
	}
	if n := s.signIns.Load(); n != 1 {
		t.Errorf("sign-ins after expiry = %d; want 1 (a refresh, not a new sign-in)", n)
	}
	if n := strings.Count(s.Logs.String(), `"event":"token_refreshed"`); n != 1 {
		t.Errorf("refreshes in Latchkey's log = %d; want 1", n)
	}
}

// TestResourceBinding: the token the SDK got names this MCP server, so
// another server of the same Latchkey refuses it.
func TestResourceBinding(t *testing.T) {
	s := newStack(t, nil)
	other := s.startMCPServer(t, listen(t))
	clientID := s.preregister(t)
	tokensSeen := &expiringTokens{}
	whoamiOf(t, s.connect(t, &auth.AuthorizationCodeHandlerConfig{
		PreregisteredClient: &oauthex.ClientCredentials{ClientID: clientID}, NewTokenSource: tokensSeen.newTokenSource,
	}))
	req, _ := http.NewRequest(http.MethodPost, other, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Authorization", "Bearer "+tokensSeen.last.Load().AccessToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("the token at another server = %d %q; want 401 invalid_token", res.StatusCode, res.Header.Get("WWW-Authenticate"))
	}
}

// TestGoSDKClientRegistersDynamically: with DYNAMIC_REGISTRATION on, the
// Go SDK's client needs no client id at all: it finds registration_endpoint
// in Latchkey's metadata, registers itself (RFC 7591), and signs in; the
// user is asked to consent every time.
func TestGoSDKClientRegistersDynamically(t *testing.T) {
	s := newStack(t, func(r *config.Registration) { r.Dynamic = true })
	session := s.connect(t, &auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
			ClientName: "Go SDK test client", RedirectURIs: []string{redirectURI},
			GrantTypes: []string{"authorization_code", "refresh_token"}, TokenEndpointAuthMethod: "none",
		}},
		RequestRefreshToken: true,
	})
	got := whoamiOf(t, session)
	if got.Subject != s.subject || !strings.HasPrefix(got.ClientID, "dcr_") {
		t.Fatalf("whoami = %+v; want %s through a dynamically registered client", got, s.subject)
	}
	if n := s.consents.Load(); n != 1 {
		t.Errorf("consent pages = %d; want 1 (a self-registered client is always asked about)", n)
	}
}

// TestGoSDKClientWithMetadataDocument: the Go SDK's client names itself
// with an https client_id (a Client ID Metadata Document, the registration
// the 2025-11-25 revision prefers), served over local TLS by a throw-away
// CA; Latchkey fetches it, shows its host on the consent page, and the
// client calls the tool.
func TestGoSDKClientWithMetadataDocument(t *testing.T) {
	var docURL string
	docs := cmt.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"client_id":%q,"client_name":"Go SDK test client","redirect_uris":[%q],`+
			`"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`, docURL, redirectURI)
	}))
	docURL = docs.URL("client.test", "/oauth/client.json")
	resolver := cmt.NewResolver()
	resolver.Answer("client.test", cmt.Addrs("127.0.0.1"))
	fetcher := clientmetadata.New(clientmetadata.Options{Resolver: resolver, RootCAs: docs.CA.Pool, AllowLoopback: true})
	s := newStackWith(t, func(r *config.Registration) { r.MetadataDocuments = true }, fetcher)
	session := s.connect(t, &auth.AuthorizationCodeHandlerConfig{
		ClientIDMetadataDocumentConfig: &auth.ClientIDMetadataDocumentConfig{URL: docURL}, RequestRefreshToken: true,
	})
	if got := whoamiOf(t, session); got.Subject != s.subject || got.ClientID != docURL {
		t.Fatalf("whoami = %+v; want %s through %s", got, s.subject, docURL)
	}
	if s.consents.Load() != 1 || docs.Requests() != 1 {
		t.Errorf("consent pages %d, document fetches %d; want 1 and 1 (cached after)", s.consents.Load(), docs.Requests())
	}
}

// sameScopes reports whether got holds exactly want, in any order.
func sameScopes(got []string, want ...string) bool {
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	return slices.Equal(got, want)
}
