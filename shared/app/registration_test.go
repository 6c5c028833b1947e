package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Dynamic Client Registration (RFC 7591, RFC 7592; issue 13 §1).

const (
	mcpResource = "https://mcp.example.test/mcp"
	mcpCallback = "http://127.0.0.1:33418/callback"
)

// withRegistration turns dynamic registration on with the deployment's
// scopes and resources, and a limit of 3 registrations an hour.
func withRegistration(c *config.Config) {
	c.Registration = config.Registration{
		Dynamic: true, Scopes: []string{"notes:read", "notes:write"}, Resources: []string{mcpResource},
		UnusedTTL: 30 * 24 * time.Hour, Limit: 3,
	}
}

func register(h *apptest.Harness, body string) apptest.Response {
	h.T.Helper()
	return h.Do(http.MethodPost, "/oauth2/register", "application/json", body, nil)
}

// mcpClientBody is what an MCP client on this computer registers.
const mcpClientBody = `{"client_name":"Notes MCP client","redirect_uris":["` + mcpCallback + `"],` +
	`"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none","scope":"notes:read"}`

func mustRegister(h *apptest.Harness, body string) apptest.Response {
	h.T.Helper()
	r := register(h, body)
	if r.Status != http.StatusCreated {
		h.T.Fatalf("register = %d %s; want 201", r.Status, r.Body)
	}
	return r
}

func clientCount(h *apptest.Harness) int {
	h.T.Helper()
	clients, err := h.App.Store.ListClients(context.Background())
	if err != nil {
		h.T.Fatal(err)
	}
	return len(clients)
}

// TestRegistrationIsOffByDefault: without DYNAMIC_REGISTRATION the
// endpoint is 404, discovery names no registration endpoint, nothing is
// stored.
func TestRegistrationIsOffByDefault(t *testing.T) {
	h := apptest.New(t)
	if r := register(h, mcpClientBody); r.Status != http.StatusNotFound || r.Str("error") != oauth.CodeNotFound {
		t.Errorf("register = %d %s; want 404 not_found", r.Status, r.Body)
	}
	md := h.Do(http.MethodGet, "/.well-known/oauth-authorization-server", "", "", nil)
	if _, ok := md.JSON["registration_endpoint"]; ok || md.JSON["client_id_metadata_document_supported"] != false {
		t.Errorf("metadata = %s; want no registration_endpoint and client_id_metadata_document_supported false", md.Body)
	}
	if n := clientCount(h); n != 0 {
		t.Errorf("clients after the refused registration = %d; want 0", n)
	}
}

// TestRegisterReadDelete runs RFC 7591 §3 and RFC 7592 §2.1 and §2.3.
func TestRegisterReadDelete(t *testing.T) {
	h := apptest.New(t, withRegistration)
	md := h.Do(http.MethodGet, "/.well-known/openid-configuration", "", "", nil)
	if md.Str("registration_endpoint") != "https://auth.test/oauth2/register" || !slices.Contains(strings.Fields(strings.Join(anyStrings(md.JSON["scopes_supported"]), " ")), "notes:read") {
		t.Errorf("metadata = %s; want the registration endpoint and the deployment's scopes", md.Body)
	}
	r := mustRegister(h, mcpClientBody)
	id, token := r.Str("client_id"), r.Str("registration_access_token")
	want := map[string]any{
		"client_id": id, "client_id_issued_at": float64(apptest.Start.Unix()), "registration_access_token": token,
		"registration_client_uri": "https://auth.test/oauth2/register/" + id, "redirect_uris": []any{mcpCallback},
		"token_endpoint_auth_method": "none", "grant_types": []any{"authorization_code", "refresh_token"},
		"response_types": []any{"code"}, "client_name": "Notes MCP client", "scope": "notes:read", "application_type": "native",
	}
	if !strings.HasPrefix(id, "dcr_") || !strings.HasPrefix(token, "lk_rat_") || !jsonEqual(r.JSON, want) {
		t.Fatalf("registration = %s; want %v", r.Body, want)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", r.Header.Get("Cache-Control"))
	}
	stored, err := h.App.Store.GetClient(context.Background(), id)
	if err != nil || !slices.Equal(stored.Registration.TokenHash, tokens.HashToken(token)) || stored.FirstParty || !stored.Public() ||
		!slices.Equal(stored.Resources, []string{mcpResource}) {
		t.Errorf("stored client = %+v, %v; want public, third-party, the deployment's resources and only the token's hash", stored, err)
	}
	read := func(id, token string) apptest.Response {
		return h.Do(http.MethodGet, "/oauth2/register/"+id, "", "", http.Header{"Authorization": {"Bearer " + token}})
	}
	delete(want, "registration_access_token")
	if got := read(id, token); got.Status != http.StatusOK || !jsonEqual(got.JSON, want) {
		t.Errorf("read = %d %s; want 200 %v", got.Status, got.Body, want)
	}
	for name, got := range map[string]apptest.Response{
		"wrong token":                   read(id, token+"x"),
		"another client's id":           read("dcr_"+tokens.NewID(), token),
		"an operator's client":          read("demo", token),
		"no token at all, delete":       h.Do(http.MethodDelete, "/oauth2/register/"+id, "", "", nil),
		"wrong token, delete":           h.Do(http.MethodDelete, "/oauth2/register/"+id, "", "", http.Header{"Authorization": {"Bearer lk_rat_x"}}),
		"registration token as bearer ": h.Do(http.MethodGet, "/sessions", "", "", http.Header{"Authorization": {"Bearer " + token}}),
	} {
		if got.Status != http.StatusUnauthorized || got.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s = %d %s; want 401 with a challenge", name, got.Status, got.Body)
		}
	}
	del := h.Do(http.MethodDelete, "/oauth2/register/"+id, "", "", http.Header{"Authorization": {"Bearer " + token}})
	if del.Status != http.StatusNoContent {
		t.Fatalf("delete = %d %s; want 204", del.Status, del.Body)
	}
	if got := read(id, token); got.Status != http.StatusUnauthorized {
		t.Errorf("read after delete = %d; want 401", got.Status)
	}
	if n := clientCount(h); n != 0 {
		t.Errorf("clients after delete = %d; want 0", n)
	}
}

// TestRegistrationRefusals: each request that may not register gets its
// RFC 7591 §3.2.2 error and writes nothing, not even a count toward the
// source's limit.
func TestRegistrationRefusals(t *testing.T) {
	h := apptest.New(t, withRegistration)
	tests := []struct{ name, body, code string }{
		{"http redirect off loopback", `{"redirect_uris":["http://app.example/cb"]}`, oauth.CodeInvalidRedirectURI},
		{"private-use scheme", `{"redirect_uris":["com.example.app:/cb"]}`, oauth.CodeInvalidRedirectURI},
		{"web client with a loopback redirect", `{"redirect_uris":["` + mcpCallback + `"],"application_type":"web"}`, oauth.CodeInvalidRedirectURI},
		{"no redirect URI", `{"client_name":"x"}`, oauth.CodeInvalidRedirectURI},
		{"eleven redirect URIs", `{"redirect_uris":[` + strings.Repeat(`"https://app.example/cb",`, 10) + `"https://app.example/cb"]}`, oauth.CodeInvalidRedirectURI},
		{"a fragment", `{"redirect_uris":["https://app.example/cb#x"]}`, oauth.CodeInvalidRedirectURI},
		{"client_credentials", `{"redirect_uris":["https://app.example/cb"],"grant_types":["client_credentials"]}`, oauth.CodeInvalidClientMetadata},
		{"refresh_token alone", `{"redirect_uris":["https://app.example/cb"],"grant_types":["refresh_token"]}`, oauth.CodeInvalidClientMetadata},
		{"implicit", `{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}`, oauth.CodeInvalidClientMetadata},
		{"unknown application type", `{"redirect_uris":["https://app.example/cb"],"application_type":"desktop"}`, oauth.CodeInvalidClientMetadata},
		{"a name too long", `{"redirect_uris":["https://app.example/cb"],"client_name":"` + strings.Repeat("n", 101) + `"}`, oauth.CodeInvalidClientMetadata},
		{"a name with a control character", `{"redirect_uris":["https://app.example/cb"],"client_name":"a\u0007b"}`, oauth.CodeInvalidClientMetadata},
		{"redirect_uris of the wrong type", `{"redirect_uris":"https://app.example/cb"}`, oauth.CodeInvalidClientMetadata},
		{"not JSON", `redirect_uris=x`, oauth.CodeInvalidRequest},
		{"a JSON array", `[]`, oauth.CodeInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := register(h, tc.body); r.Status != http.StatusBadRequest || r.Str("error") != tc.code {
				t.Errorf("register = %d %s; want 400 %s", r.Status, r.Body, tc.code)
			}
		})
	}
	if r := h.Do(http.MethodPost, "/oauth2/register", "application/x-www-form-urlencoded", "redirect_uris=x", nil); r.Status != http.StatusBadRequest {
		t.Errorf("a form = %d; want 400", r.Status)
	}
	if n := clientCount(h); n != 0 {
		t.Errorf("clients after %d refusals = %d; want 0", len(tests), n)
	}
	for i := range 3 { // the limit is intact: refusals counted nothing
		mustRegister(h, `{"redirect_uris":["https://app.example/cb`+strconv.Itoa(i)+`"]}`)
	}
}

// TestRegistrationReplacesWhatItDoesNotOffer (RFC 7591 §2): a secret-based
// method becomes none, scopes shrink to the deployment's list, and the
// application type follows the redirect URIs when none is named.
func TestRegistrationReplacesWhatItDoesNotOffer(t *testing.T) {
	h := apptest.New(t, func(c *config.Config) { withRegistration(c); c.Registration.Limit = 10 })
	tests := []struct {
		name, body     string
		scope, appType string
	}{
		{"client_secret_basic asked", `{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"client_secret_basic"}`, "openid notes:read notes:write", "web"},
		{"scopes beyond the list", `{"redirect_uris":["https://app.example/cb"],"scope":"notes:read latchkey:admin tokens:mint openid"}`, "notes:read openid", "web"},
		{"loopback redirect", `{"redirect_uris":["http://localhost:8080/cb"]}`, "openid notes:read notes:write", "native"},
		{"native with https", `{"redirect_uris":["https://app.example/cb"],"application_type":"native"}`, "openid notes:read notes:write", "native"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRegister(h, tc.body)
			if r.Str("token_endpoint_auth_method") != "none" || r.Str("scope") != tc.scope || r.Str("application_type") != tc.appType {
				t.Errorf("registration = %s; want none, scope %q, %s", r.Body, tc.scope, tc.appType)
			}
			if _, ok := r.JSON["client_secret"]; ok {
				t.Errorf("registration = %s; want no client_secret", r.Body)
			}
		})
	}
}

// TestRegistrationLimit: a source may register Limit clients an hour; the
// next is 503 with Retry-After until the window ends.
func TestRegistrationLimit(t *testing.T) {
	h := apptest.New(t, withRegistration)
	for range 3 {
		mustRegister(h, mcpClientBody)
	}
	r := register(h, mcpClientBody)
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") != "3600" {
		t.Fatalf("fourth registration = %d Retry-After %q %s; want 503 with Retry-After 3600", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if n := clientCount(h); n != 3 {
		t.Errorf("clients = %d; want 3", n)
	}
	h.Clock.Advance(time.Hour)
	mustRegister(h, mcpClientBody)
}

// anyStrings converts a decoded JSON array of strings.
func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// jsonEqual compares a decoded JSON object with want.
func jsonEqual(got map[string]any, want map[string]any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}
