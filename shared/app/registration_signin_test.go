package app_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// dcrFlow is a dynamically registered MCP client signing a user in.
type dcrFlow struct {
	h        *apptest.Harness
	b        *apptest.Browser
	clientID string
	verifier string
}

func newDCRFlow(h *apptest.Harness) *dcrFlow {
	h.T.Helper()
	r := mustRegister(h, mcpClientBody)
	return &dcrFlow{h: h, b: h.Browser(), clientID: r.Str("client_id"), verifier: oauth2.GenerateVerifier()}
}

// authorize starts a sign-in asking a token for the MCP server.
func (f *dcrFlow) authorize() apptest.Page {
	f.h.T.Helper()
	return f.b.Get("/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {f.clientID}, "redirect_uri": {mcpCallback}, "scope": {"notes:read offline_access"},
		"state": {"st"}, "code_challenge": {tokens.S256(f.verifier)}, "code_challenge_method": {"S256"}, "resource": {mcpResource},
	}.Encode())
}

// consentPage signs in when asked and returns the consent page.
func (f *dcrFlow) consentPage(start apptest.Page) apptest.Page {
	f.h.T.Helper()
	page := start
	if strings.HasPrefix(page.Location(), "/oauth2/login?") {
		page = f.b.LogIn(f.b.Get(page.Location()), testUser, testPassword)
	}
	if !strings.HasPrefix(page.Location(), "/oauth2/consent?") {
		f.h.T.Fatalf("sign-in went to %d %q; want the consent page", page.Status, page.Location())
	}
	return f.b.Get(page.Location())
}

// redeem allows on the consent page and redeems the code as the public client.
func (f *dcrFlow) redeem(consent apptest.Page) apptest.Response {
	f.h.T.Helper()
	done := f.b.Decide(consent, "allow")
	code := done.LocationQuery().Get("code")
	if !strings.HasPrefix(done.Location(), mcpCallback+"?") || code == "" {
		f.h.T.Fatalf("allow = %d %q; want the callback with a code", done.Status, done.Location())
	}
	return f.h.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {f.clientID},
		"code": {code}, "redirect_uri": {mcpCallback}, "code_verifier": {f.verifier}, "resource": {mcpResource}})
}

// TestDynamicClientSignsIn: a registered MCP client signs a user in with
// PKCE and the resource parameter; its token names the MCP server; the
// consent page says the client registered itself and that the browser
// returns to this computer, and is shown again on the next sign-in,
// single sign-on or not (issue 13 §5: never auto-approved).
func TestDynamicClientSignsIn(t *testing.T) {
	h := apptest.New(t, withRegistration)
	h.User(testUser, testPassword)
	f := newDCRFlow(h)
	consent := f.consentPage(f.authorize())
	for _, want := range []string{"Notes MCP client", "registered itself", "this computer", "127.0.0.1"} {
		if !strings.Contains(consent.Body, want) {
			t.Errorf("consent page lacks %q:\n%s", want, consent.Body)
		}
	}
	tok := f.redeem(consent)
	if tok.Status != http.StatusOK || tok.Str("refresh_token") == "" {
		t.Fatalf("token = %d %s; want tokens with a refresh token", tok.Status, tok.Body)
	}
	claims := jwtPayload(tok.Str("access_token"))
	if aud := claims["aud"]; aud != mcpResource && !(isArray(aud) && slices.Equal(anyStrings(aud), []string{mcpResource})) {
		t.Errorf("aud = %v; want the MCP server %s", aud, mcpResource)
	}
	again := f.authorize()
	if !strings.HasPrefix(again.Location(), "/oauth2/consent?") {
		t.Errorf("second sign-in (single sign-on, consent given) went to %q; want the consent page again", again.Location())
	}
}

// TestUnusedRegistrationsLapse: a registration nobody signs in with is
// gone after DYNAMIC_CLIENT_UNUSED_TTL; each sign-in (at most one write a
// day) moves that to a full TTL from then.
func TestUnusedRegistrationsLapse(t *testing.T) {
	h := apptest.New(t, withRegistration)
	h.User(testUser, testPassword)
	unused := newDCRFlow(h)
	used := newDCRFlow(h)
	ttl := 30 * 24 * time.Hour
	h.Clock.Advance(2 * 24 * time.Hour)
	h.Mem.ResetOps()
	if r := used.redeem(used.consentPage(used.authorize())); r.Status != http.StatusOK {
		t.Fatalf("sign-in = %d %s", r.Status, r.Body)
	}
	if n := h.Mem.Ops()["ExtendClient"]; n != 1 {
		t.Errorf("ExtendClient calls for a sign-in two days in = %d; want 1", n)
	}
	h.Mem.ResetOps()
	used.redeem(used.consentPage(used.authorize()))
	if n := h.Mem.Ops()["ExtendClient"]; n != 0 {
		t.Errorf("ExtendClient calls for a second sign-in the same day = %d; want 0", n)
	}
	h.Clock.Advance(ttl - 2*24*time.Hour) // the unused one's expiry
	if p := unused.authorize(); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "no known client") {
		t.Errorf("authorize with the unused registration = %d %q; want the error page (no known client)", p.Status, p.Location())
	}
	if p := used.authorize(); p.Status != http.StatusFound {
		t.Errorf("authorize with the used registration = %d %s; want it still registered", p.Status, p.Body)
	}
	h.Clock.Advance(2 * 24 * time.Hour)
	if p := used.authorize(); p.Status != http.StatusBadRequest {
		t.Errorf("authorize a TTL after the last sign-in = %d; want the registration gone", p.Status)
	}
}

// TestRegistrationOnDynamoDB runs registration, a read, a sign-in that
// extends the registration, and a deletion on DynamoDB Local, with the
// request budget of each step.
func TestRegistrationOnDynamoDB(t *testing.T) {
	h := apptest.NewDynamo(t, withRegistration)
	h.User(testUser, testPassword)
	if _, err := h.App.Service.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	var f *dcrFlow
	var token string
	for _, step := range []struct {
		name string
		run  func()
		ops  map[string]int
	}{
		// The source's count (one conditional write), then the client.
		{"register", func() { f = newDCRFlow(h) }, map[string]int{"UpdateItem": 1, "PutItem": 1}},
		{"read", func() {
			h.App.Service.ClientRegistration(context.Background(), f.clientID, "lk_rat_wrong") //nolint:errcheck // counted only
		}, map[string]int{"GetItem": 1}},
		{"sign-in two days later", func() {
			// Through h.Handler, so the IAM check sees which function extends the registration.
			srv := httptest.NewTLSServer(h.Handler)
			t.Cleanup(srv.Close)
			f.b = apptest.NewBrowser(t, srv)
			h.Clock.Advance(48 * time.Hour)
			token = f.redeem(f.consentPage(f.authorize())).Str("access_token")
		}, nil},
	} {
		h.DB.Counter.Reset()
		step.run()
		if got := h.DB.Counter.Ops(); step.ops != nil && !maps.Equal(got, step.ops) {
			t.Errorf("%s: requests = %v; want %v", step.name, got, step.ops)
		}
	}
	if token == "" {
		t.Fatal("no access token from the sign-in")
	}
	c, err := h.App.Store.GetClient(context.Background(), f.clientID)
	if want := h.Clock.Now().Add(30 * 24 * time.Hour); err != nil || !c.Registration.ExpiresAt.Equal(want) {
		t.Errorf("expiry after the sign-in = %v, %v; want %v", c.Registration.ExpiresAt, err, want)
	}
	reg := mustRegister(h, mcpClientBody)
	h.DB.Counter.Reset()
	del := h.Do(http.MethodDelete, "/oauth2/register/"+reg.Str("client_id"), "", "", http.Header{"Authorization": {"Bearer " + reg.Str("registration_access_token")}})
	if del.Status != http.StatusNoContent || !maps.Equal(h.DB.Counter.Ops(), map[string]int{"GetItem": 1, "DeleteItem": 1}) {
		t.Errorf("delete = %d with requests %v; want 204 with 1 GetItem and 1 DeleteItem", del.Status, h.DB.Counter.Ops())
	}
}

func isArray(v any) bool { _, ok := v.([]any); return ok }
