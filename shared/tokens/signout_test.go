package tokens_test

import (
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// principal authenticates a bearer token, or fails the test.
func (r *rig) principal(token string) tokens.Principal {
	r.t.Helper()
	p, err := r.svc.Authenticate(r.ctx, token)
	if err != nil {
		r.t.Fatalf("Authenticate: %v", err)
	}
	return p
}

// wantActive fails the test unless introspection as c says active.
func (r *rig) wantActive(c client, what, token string, want bool) {
	r.t.Helper()
	if got := r.active(c, token); got != want {
		r.t.Errorf("%s: active = %v; want %v", what, got, want)
	}
}

// Issue 11 §4: a user's 15-minute access token from a client that allows
// self-minting minted a one-year token that survived "sign out
// everywhere", an administrator's subject revoke and `client disable`.
// The model: sign out everywhere revokes the subject's long-lived tokens
// too, unless the caller opts out; a token a principal mints for itself
// belongs to the client it came through and dies with it.
func TestLongLivedTokensDoNotSurviveSignOut(t *testing.T) {
	r := newRig(t)
	u := r.user(testUser)
	app := r.firstParty(tokens.ClientSpec{AllowSelfMint: true})
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	_, admin := r.bearer(tokens.ScopeAdmin)
	selfMint := func(c client) (tokens.Principal, string) {
		p := r.principal(r.login(c, "read offline_access").AccessToken)
		return p, r.mint(p, "", "read").Token
	}

	t.Run("sign out everywhere", func(t *testing.T) {
		p, own := selfMint(app)
		byAdmin := r.mint(admin, u.Subject, "read").Token
		n, err := r.svc.RevokeSubject(r.ctx, p, u.Subject)
		if err != nil || n < 3 {
			t.Fatalf("RevokeSubject = %d, %v; want the session and both long-lived tokens revoked", n, err)
		}
		r.wantActive(rs, "self-minted token", own, false)
		r.wantActive(rs, "token an administrator minted for the user", byAdmin, false)
		if _, err := r.svc.Authenticate(r.ctx, own); err == nil {
			t.Error("the self-minted token still authenticates")
		}
	})
	t.Run("opting out keeps long-lived tokens", func(t *testing.T) {
		p, own := selfMint(app)
		session := r.login(app, "read offline_access")
		if _, err := r.svc.RevokeSubjectSessions(r.ctx, p, u.Subject); err != nil {
			t.Fatal(err)
		}
		r.wantActive(rs, "self-minted token after an opted-out sign-out", own, true)
		r.wantActive(rs, "session's access token", session.AccessToken, false)
	})
	t.Run("an administrator's subject revoke", func(t *testing.T) {
		_, own := selfMint(app)
		if _, err := r.svc.RevokeSubject(r.ctx, admin, u.Subject); err != nil {
			t.Fatal(err)
		}
		r.wantActive(rs, "self-minted token after the administrator's revoke", own, false)
	})
	t.Run("client disable", func(t *testing.T) {
		other := r.firstParty(tokens.ClientSpec{AllowSelfMint: true})
		_, own := selfMint(other)
		byAdmin := r.mint(admin, u.Subject, "read").Token
		machine := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}, AllowSelfMint: true})
		cc, err := r.clientCredentials(machine, "")
		if err != nil {
			t.Fatal(err)
		}
		machineOwn := r.mint(r.principal(cc.AccessToken), "", "read").Token
		r.wantActive(rs, "self-minted token", own, true)
		for _, c := range []client{other, machine} {
			if err := r.svc.DisableClient(r.ctx, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		r.wantActive(rs, "token self-minted through a disabled client", own, false)
		r.wantActive(rs, "token a disabled client minted for itself", machineOwn, false)
		r.wantActive(rs, "token an administrator minted", byAdmin, true)
	})
}

// Issue 11 §5: there was no way to disable a user, and a user set to
// disabled kept refreshing with active access tokens. DisableUser revokes
// every session and long-lived token of the user at once; the right
// password of a disabled user is refused but counts no failure.
func TestDisabledUserStopsAtOnce(t *testing.T) {
	r, h, c, u := signInRig(t)
	self := r.firstParty(tokens.ClientSpec{AllowSelfMint: true})
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	_, admin := r.bearer(tokens.ScopeAdmin)
	first, second := r.login(c, "read offline_access"), r.login(self, "read offline_access")
	own := r.mint(r.principal(second.AccessToken), "", "read").Token
	byAdmin := r.mint(admin, u.Subject, "read").Token

	n, err := r.svc.DisableUser(r.ctx, testUser)
	if err != nil || n != 4 {
		t.Fatalf("DisableUser = %d, %v; want 2 sessions and 2 long-lived tokens revoked", n, err)
	}
	if !r.logged("user_disabled") {
		t.Error("no user_disabled audit event")
	}
	for what, tok := range map[string]string{
		"access token": first.AccessToken, "refresh token": first.RefreshToken,
		"other client's access token": second.AccessToken, "self-minted token": own, "administrator's token": byAdmin,
	} {
		r.wantActive(rs, what, tok, false)
	}
	_, err = r.refresh(c, first.RefreshToken, "")
	wantCode(t, err, oauth.CodeInvalidGrant)

	const ip = "192.0.2.50"
	for range 12 { // more than the limit: none of them counts
		r.store.ResetOps()
		h.reset()
		_, err := r.signInFrom(c, testUser, testPassword, ip)
		wantCode(t, err, oauth.CodeInvalidGrant)
	}
	if _, total := h.counts(""); total != 1 {
		t.Errorf("a disabled user's sign-in hashed %d times; want 1", total)
	}
	if _, err := r.svc.DisableUser(r.ctx, "nobody"); oauth.As(err) == nil || oauth.As(err).Code != oauth.CodeNotFound {
		t.Errorf("DisableUser(unknown) = %v; want not_found", err)
	}
	if err := r.svc.EnableUser(r.ctx, testUser); err != nil {
		t.Fatal(err)
	}
	if _, err := r.signInFrom(c, testUser, testPassword, ip); err != nil {
		t.Errorf("sign-in after EnableUser from the source that tried 12 times while disabled = %v; want success", err)
	}
	r.wantActive(rs, "access token revoked by the disable, after enable", first.AccessToken, false)
}
