package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/clientmetadata"
	cmt "github.com/latchkey/latchkey/shared/clientmetadata/clientmetadatatest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/resourceserver"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The official TypeScript MCP SDK (@modelcontextprotocol/sdk, pinned in
// scripts/mcp-ts) runs its own client OAuth flow against Latchkey and
// this example server: discovery from the server's 401, registration
// (Dynamic Client Registration, or a Client ID Metadata Document served
// over local TLS by a throw-away CA Latchkey trusts), PKCE through the
// hosted login and consent pages, the token exchange, a tool call, and a
// refresh when the access token expires.

// tsStack is Latchkey on plain http (its issuer fixed to its address, as
// make dev runs it) and the example MCP server, for a client that is
// another process.
type tsStack struct {
	h       *apptest.Harness
	issuer  string
	mcpURL  string
	control string
	subject string
}

func newTSStack(t *testing.T, register func(*config.Registration), documents tokens.ClientMetadataFetcher) *tsStack {
	t.Helper()
	lkLn, mcpLn := listen(t), listen(t)
	s := &tsStack{issuer: "http://" + lkLn.Addr().String(), mcpURL: "http://" + mcpLn.Addr().String() + "/mcp"}
	s.h = apptest.NewWith(t, apptest.Setup{ClientMetadata: documents, Config: []func(*config.Config){func(c *config.Config) {
		c.Issuer = s.issuer
		c.Registration = config.Registration{Scopes: []string{"notes:read"}, Resources: []string{s.mcpURL}}
		register(&c.Registration)
	}}})
	s.subject = s.h.User(testUser, testPassword)
	serve(t, lkLn, s.h.Handler)
	srv, err := New(resourceserver.Config{Resource: s.mcpURL, Issuer: s.issuer, ScopesSupported: []string{"notes:read"}, Now: s.h.Clock.Now}, "notes:read")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, mcpLn, srv)
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { s.h.Clock.Advance(16 * time.Minute) }))
	t.Cleanup(control.Close)
	s.control = control.URL
	return s
}

// serve runs h on ln until the test ends.
func serve(t *testing.T, ln net.Listener, h http.Handler) {
	t.Helper()
	s := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	s.Start()
	t.Cleanup(s.Close)
}

// tsStep is one line the script reports.
type tsStep struct {
	Step            string  `json:"step"`
	ClientID        string  `json:"client_id"`
	Page            string  `json:"page"`
	HasRefreshToken bool    `json:"has_refresh_token"`
	Result          *WhoAmI `json:"result"`
	NewToken        bool    `json:"new_token"`
}

// runTypeScript installs the pinned SDK (once) and runs the flow with env;
// it returns the steps by name. Without node and npm the test is skipped,
// except under CI=true, where no test may skip.
func runTypeScript(t *testing.T, env ...string) map[string]tsStep {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found; CI=true needs it", tool)
			}
			t.Skipf("%s not found", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root := dynamotest.RepoRoot(t)
	out, err := exec.CommandContext(ctx, filepath.Join(root, "scripts", "mcp-ts", "install.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/mcp-ts/install.sh: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "e2e.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node e2e.mjs: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	steps := map[string]tsStep{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var s tsStep
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("a line that is not a step: %s", sc.Text())
		}
		steps[s.Step] = s
	}
	return steps
}

// env is the script's environment for s.
func (s *tsStack) env(extra ...string) []string {
	return append([]string{
		"MCP_URL=" + s.mcpURL, "REDIRECT_URL=" + redirectURI, "LK_USER=" + testUser, "LK_PASSWORD=" + testPassword,
		"CONTROL_URL=" + s.control,
	}, extra...)
}

// check holds the steps to the whole flow: a sign-in with consent, a
// refresh token, the tool called as the user, the refresh.
func (s *tsStack) check(t *testing.T, steps map[string]tsStep, wantClient func(string) bool, consentSays string) {
	t.Helper()
	if c := steps["redirected"].ClientID; !wantClient(c) {
		t.Errorf("client_id = %q; not the one expected", c)
	}
	if page := steps["consent"].Page; !strings.Contains(page, consentSays) {
		t.Errorf("consent page lacks %q: %s", consentSays, page)
	}
	if !steps["signed_in"].HasRefreshToken {
		t.Error("no refresh token after the sign-in")
	}
	for _, step := range []string{"whoami", "refreshed"} {
		if r := steps[step].Result; r == nil || r.Subject != s.subject || r.ClientID != steps["redirected"].ClientID {
			t.Errorf("%s = %+v; want %s through the client", step, r, s.subject)
		}
	}
	if !steps["refreshed"].NewToken {
		t.Error("the call after expiry used no new access token")
	}
	if n := strings.Count(s.h.Logs.String(), `"event":"token_refreshed"`); n != 1 {
		t.Errorf("refreshes in Latchkey's log = %d; want 1", n)
	}
}

func TestTypeScriptSDKDynamicRegistration(t *testing.T) {
	s := newTSStack(t, func(r *config.Registration) { r.Dynamic = true }, nil)
	steps := runTypeScript(t, s.env()...)
	s.check(t, steps, func(id string) bool { return strings.HasPrefix(id, "dcr_") }, "registered itself")
	if n := strings.Count(s.h.Logs.String(), `"event":"client_registered"`); n != 1 {
		t.Errorf("registrations = %d; want 1", n)
	}
}

func TestTypeScriptSDKMetadataDocument(t *testing.T) {
	var docURL string
	docs := cmt.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"client_id":%q,"client_name":"TypeScript SDK test client","redirect_uris":[%q],`+
			`"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`, docURL, redirectURI)
	}))
	docURL = docs.URL("client.test", "/oauth/ts-client.json")
	resolver := cmt.NewResolver()
	resolver.Answer("client.test", cmt.Addrs("127.0.0.1"))
	fetcher := clientmetadata.New(clientmetadata.Options{Resolver: resolver, RootCAs: docs.CA.Pool, AllowLoopback: true})
	s := newTSStack(t, func(r *config.Registration) { r.MetadataDocuments = true }, fetcher)
	steps := runTypeScript(t, s.env("CLIENT_METADATA_URL="+docURL)...)
	s.check(t, steps, func(id string) bool { return id == docURL }, "client.test")
}
