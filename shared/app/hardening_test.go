package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Regression tests of issue 11 ("Security hardening, round 2"), end to
// end over HTTP on DynamoDB Local: each is named after the defect it pins
// and listed in docs/security.md.

// Issue 11 §1: tokens:mint let its holder mint latchkey:admin, or any
// scope, for any subject, an admin client's id included, and the minted
// token signed out any user. A caller mints only scopes it holds; an admin
// scope only from latchkey:admin; a client's id only from latchkey:admin.
func TestMintCannotEscalateToAdmin(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	victim := f.subject()
	adminClient := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin}})
	admin := f.ccToken(adminClient)
	minterClient := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeTokensMint, "read"}})
	minter := f.ccToken(minterClient)
	for _, tc := range []struct {
		name, token, body string
		status            int
	}{
		{"tokens:mint mints latchkey:admin", minter, mintBody("x", victim, tokens.ScopeAdmin), 403},
		{"tokens:mint mints latchkey:admin for itself", minter, mintBody("x", "", tokens.ScopeAdmin), 403},
		{"tokens:mint mints latchkey:admin for the admin client", minter, mintBody("x", adminClient.id, tokens.ScopeAdmin), 403},
		{"tokens:mint mints sessions:revoke", minter, mintBody("x", victim, tokens.ScopeSessionsRevoke), 403},
		{"tokens:mint mints sessions:read", minter, mintBody("x", victim, tokens.ScopeSessionsRead), 403},
		{"tokens:mint mints a scope it lacks", minter, mintBody("x", victim, "write"), 403},
		{"tokens:mint mints its own scope for the admin client", minter, mintBody("x", adminClient.id, "read"), 403},
		{"tokens:mint mints its own scope for another client", minter, mintBody("x", f.client.ID, "read"), 403},
		{"tokens:mint mints its own scope for a user", minter, mintBody("x", victim, "read"), 201},
		{"tokens:mint mints tokens:mint, which it holds", minter, mintBody("x", victim, tokens.ScopeTokensMint), 201},
		{"tokens:mint mints for itself", minter, mintBody("x", "", "read"), 201},
		{"latchkey:admin mints latchkey:admin", admin, mintBody("x", victim, tokens.ScopeAdmin), 201},
		{"latchkey:admin mints for a client", admin, mintBody("x", minterClient.id, "read"), 201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mint(f.Harness, tc.token, tc.body)
			if tc.status == 201 {
				if r.Status != 201 || !longLivedShape.MatchString(r.Str("token")) {
					t.Fatalf("mint = %d %s; want 201 with a token", r.Status, r.Body)
				}
				return
			}
			wantBearerChallenge(t, r, tc.status, "insufficient_scope")
		})
	}

	// The attack of the report: mint an admin token, then sign a user
	// out with it. Whatever tokens:mint can mint, no token it gets signs
	// out a subject other than the token's own.
	other := f.User(otherUser, testPassword)
	session := f.passwordLogin(f.own(), otherUser)
	for _, body := range []string{mintBody("x", victim, "read"), mintBody("x", victim, tokens.ScopeTokensMint), mintBody("x", "", "read")} {
		minted := mint(f.Harness, minter, body).Str("token")
		r := f.deleteAs(minted, "/sessions?subject="+url.QueryEscape(other))
		wantBearerChallenge(t, r, http.StatusForbidden, "insufficient_scope")
	}
	wantActiveToken(t, f.introspectAs(f.own(), session.Str("access_token")), "the other user's access token")
}

// Issue 11 §17: an unknown token_type_hint got 400 unsupported_token_type;
// RFC 7009 §2.1 lets the server ignore the hint, and Latchkey does: the
// token is revoked whatever the hint says.
func TestUnknownTokenTypeHintIsIgnored(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, hint := range []string{"id_token", "urn:ietf:params:oauth:token-type:jwt", "", "refresh_token", "Access_Token"} {
		login := f.login("read offline_access")
		for _, token := range []string{login.Str("access_token"), login.Str("refresh_token")} {
			wantOKNoStore(t, f.revokeAs(f.own(), token, "token_type_hint", hint))
			wantInactiveToken(t, f.introspectAs(f.own(), token), "a token revoked with hint "+hint)
		}
	}
}

// Issue 11 §4 over HTTP: DELETE /sessions?subject=S revokes the subject's
// long-lived tokens with its sessions; keep_long_lived=true opts out.
func TestLongLivedTokensDoNotSurviveSignOutOverHTTP(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{AllowSelfMint: true})
	sub := f.subject()
	for _, tc := range []struct {
		query       string
		status      int
		revoked     float64
		tokenActive bool
	}{
		{"&keep_long_lived=true", 200, 1, true},
		{"&keep_long_lived=false", 200, 2, false},
		{"", 200, 2, false},
		{"&keep_long_lived=yes", 400, 0, true},
	} {
		user := f.login("read offline_access").Str("access_token")
		minted := mint(f.Harness, user, mintBody("ci", "", "read")).Str("token")
		r := f.deleteAs(user, "/sessions?subject="+url.QueryEscape(sub)+tc.query)
		if r.Status != tc.status || (tc.status == 200 && r.JSON["revoked"] != tc.revoked) {
			t.Errorf("DELETE /sessions?subject=me%s = %d %s; want %d revoked %v", tc.query, r.Status, r.Body, tc.status, tc.revoked)
		}
		if got := f.introspectAs(f.own(), minted).JSON["active"] == true; got != tc.tokenActive {
			t.Errorf("after DELETE /sessions?subject=me%s the self-minted token is active: %v; want %v", tc.query, got, tc.tokenActive)
		}
		f.deleteAs(minted, "/sessions?subject="+url.QueryEscape(sub)) // clean up for the next case
	}
}
