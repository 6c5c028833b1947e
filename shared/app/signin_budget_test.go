package app_test

import (
	"context"
	"maps"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The request budget of the browser sign-in (issue 10), counted at the
// SDK on DynamoDB Local with the clients and the key set warm, as in a
// warm container. Each step runs the next hop of a real flow.
func TestSignInRequestBudget(t *testing.T) {
	t.Parallel()
	h := apptest.NewDynamo(t)
	h.User(testUser, testPassword)
	code := []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}
	first, _ := h.Client(tokens.ClientSpec{Name: "First", Public: true, FirstParty: true, Grants: code,
		Scopes: []string{"openid", "read"}, AllowOfflineAccess: true, RedirectURIs: []string{callback}})
	third, _ := h.Client(tokens.ClientSpec{Name: "Third", Public: true, Grants: code,
		Scopes: []string{"openid", "read"}, RedirectURIs: []string{callback}})
	if _, err := h.App.Service.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	b := h.Browser()
	verifier := oauth2.GenerateVerifier()
	authorize := func(c tokens.Client, scope string) string {
		return "/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {callback},
			"scope": {scope}, "state": {"s"}, "code_challenge": {tokens.S256(verifier)}, "code_challenge_method": {"S256"}}.Encode()
	}
	redeem := func(c tokens.Client, p apptest.Page) apptest.Response {
		return h.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {c.ID},
			"code": {p.LocationQuery().Get("code")}, "redirect_uri": {callback}, "code_verifier": {verifier}})
	}
	b.Get(authorize(first, "openid")) // caches both clients, as a warm container has them
	b.Get(authorize(third, "openid"))
	var page, form, consent apptest.Page
	for _, step := range []struct {
		name   string
		status int
		run    func() int
		ops    map[string]int
	}{
		{"authorize without a login session: the pending request", 302, func() int {
			page = b.Get(authorize(first, "openid read offline_access"))
			return page.Status
		}, map[string]int{"PutItem": 1}},
		{"rendering the login page", 200, func() int { form = b.Get(page.Location()); return form.Status },
			map[string]int{"GetItem": 1}},
		// The pending request and the user; the sign-in throttle's
		// reservation and reset (the password grant's own two writes,
		// issue 11); the pending request ended with the code and the
		// login session in one transaction.
		{"a login (first-party: the code at once)", 303, func() int { page = b.LogIn(form, testUser, testPassword); return page.Status },
			map[string]int{"GetItem": 2, "UpdateItem": 2, "TransactWriteItems": 1}},
		// One conditional write redeems the code; the session cap's
		// query and the session's write follow (DESIGN.md §2).
		{"a code redemption with offline_access", 200, func() int { return redeem(first, page).Status },
			map[string]int{"UpdateItem": 1, "Query": 1, "PutItem": 1}},
		// Every step that uses the login session reads its user too, so a
		// disabled user's session signs nobody in (tokens/login.go).
		{"single sign-on, first-party", 302, func() int { page = b.Get(authorize(first, "openid")); return page.Status },
			map[string]int{"GetItem": 2, "PutItem": 1}},
		{"a code redemption without offline_access", 200, func() int { return redeem(first, page).Status },
			map[string]int{"UpdateItem": 1, "Query": 1, "PutItem": 1}},
		{"single sign-on, third-party without consent", 302, func() int {
			page = b.Get(authorize(third, "openid read"))
			return page.Status
		}, map[string]int{"GetItem": 3, "PutItem": 1}},
		{"rendering the consent page", 200, func() int { consent = b.Get(page.Location()); return consent.Status },
			map[string]int{"GetItem": 3}},
		{"allowing", 303, func() int { page = b.Decide(consent, "allow"); return page.Status },
			map[string]int{"GetItem": 3, "TransactWriteItems": 1}},
		{"single sign-on, third-party with remembered consent", 302, func() int {
			page = b.Get(authorize(third, "openid read"))
			return page.Status
		}, map[string]int{"GetItem": 3, "PutItem": 1}},
	} {
		h.DB.Counter.Reset()
		if got := step.run(); got != step.status {
			t.Fatalf("%s: status %d; want %d", step.name, got, step.status)
		}
		if got := h.DB.Counter.Ops(); !maps.Equal(got, step.ops) {
			t.Errorf("%s: requests = %v; want %v", step.name, got, step.ops)
		}
	}
}
