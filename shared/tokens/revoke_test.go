package tokens_test

import (
	"maps"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Revocation (RFC 7009) and the administrative revocations
// (RevokeSession, RevokeSubject).

// A refresh token ends its session: the refresh token and every access
// token of the session turn inactive, for one read and one write.
func TestRevokeRefreshTokenEndsTheSession(t *testing.T) {
	for _, format := range []string{tokens.FormatJWT, tokens.FormatReference} {
		t.Run(format, func(t *testing.T) {
			r := newRig(t)
			r.user(testUser)
			c := r.firstParty(tokens.ClientSpec{AccessTokenFormat: format})
			login := r.login(c, "read offline_access")
			r.store.ResetOps()
			if err := r.svc.Revoke(r.ctx, c.Client, login.RefreshToken); err != nil {
				t.Fatal(err)
			}
			if got, want := r.coreOps(), map[string]int{"GetSession": 1, "RevokeSession": 1}; !maps.Equal(got, want) {
				t.Errorf("store calls = %v; want %v", got, want)
			}
			if s := r.session(login.RefreshToken); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonRevoked || !s.RevokedAt.Equal(start) {
				t.Errorf("session = %s/%s at %v; want revoked/%s at %v", s.Status, s.RevokedReason, s.RevokedAt, tokens.ReasonRevoked, start)
			}
			for name, tok := range map[string]string{"access": login.AccessToken, "refresh": login.RefreshToken} {
				if r.active(c, tok) {
					t.Errorf("the %s token is active after its session was revoked", name)
				}
			}
			_, err := r.refresh(c, login.RefreshToken, "")
			wantCode(t, err, oauth.CodeInvalidGrant)
		})
	}
}

// An access token is revoked alone: its session and refresh token live on.
// A JWT's jti is denied (one write); a reference token is marked (one write).
func TestRevokeAccessTokenKeepsTheSession(t *testing.T) {
	for _, tc := range []struct {
		format string
		ops    map[string]int
	}{
		{tokens.FormatJWT, map[string]int{"RevokeJTI": 1}},
		{tokens.FormatReference, map[string]int{"RevokeReferenceToken": 1}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r := newRig(t)
			r.user(testUser)
			c := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tc.format})
			login := r.login(c, "read offline_access")
			cc, err := r.clientCredentials(c, "")
			if err != nil {
				t.Fatal(err)
			}
			r.store.ResetOps()
			if err := r.svc.Revoke(r.ctx, c.Client, login.AccessToken); err != nil {
				t.Fatal(err)
			}
			if got := r.coreOps(); !maps.Equal(got, tc.ops) {
				t.Errorf("store calls = %v; want %v", got, tc.ops)
			}
			if r.active(c, login.AccessToken) {
				t.Error("the revoked access token is active")
			}
			if !r.active(c, login.RefreshToken) || !r.active(c, cc.AccessToken) {
				t.Error("the session's refresh token or another access token is inactive; want both active")
			}
			next := r.mustRefresh(c, login.RefreshToken)
			if !r.active(c, next.AccessToken) {
				t.Error("the access token of the next refresh is inactive")
			}
			if err := r.svc.Revoke(r.ctx, c.Client, cc.AccessToken); err != nil || r.active(c, cc.AccessToken) {
				t.Errorf("revoking a client_credentials token = %v, active %v; want success and inactive", err, r.active(c, cc.AccessToken))
			}
		})
	}
}

// RFC 7009 §2.2: the answer is success whether or not anything was
// revoked, and one client cannot revoke another's tokens.
func TestRevokeAnswersSuccessForTokensItCannotRevoke(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	own := r.firstParty(tokens.ClientSpec{})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	other := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}})
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	cc, _ := r.clientCredentials(own, "")
	minted := r.mint(tokens.Principal{Subject: "usr_x", Scopes: []string{tokens.ScopeAdmin}}, "usr_x", "read").Token
	for _, tc := range []struct {
		name, token string
		staysLive   bool
	}{
		{"another client's JWT", r.login(own, "read offline_access").AccessToken, true},
		{"another client's reference token", r.login(ref, "read offline_access").AccessToken, true},
		{"another client's refresh token", r.login(own, "read offline_access").RefreshToken, true},
		{"another client's client_credentials JWT", cc.AccessToken, true},
		{"a long-lived token (DELETE /tokens/{id} revokes it)", minted, true},
		{"empty", "", false},
		{"garbage", "garbage", false},
		{"garbage JWT", "a.b.c", false},
		{"unknown refresh token", tokens.RefreshTokenPrefix + "nosuchsession.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
		{"unknown reference token", tokens.ReferenceTokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			if err := r.svc.Revoke(r.ctx, other.Client, tc.token); err != nil {
				t.Fatalf("Revoke = %v; want success (RFC 7009 §2.2)", err)
			}
			if tc.staysLive && !r.active(rs, tc.token) {
				t.Error("the token is inactive after another client revoked it")
			}
		})
	}
}

// Revoked and expired tokens are answered with success too.
func TestRevokeRevokedAndExpiredTokens(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshIdleTTL: time.Hour})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference, RefreshIdleTTL: time.Hour})
	jwt, refLogin := r.login(c, "read offline_access"), r.login(ref, "read offline_access")
	for _, tk := range []struct {
		owner client
		token string
	}{{c, jwt.AccessToken}, {ref, refLogin.AccessToken}, {c, jwt.RefreshToken}} {
		for i := range 2 {
			if err := r.svc.Revoke(r.ctx, tk.owner.Client, tk.token); err != nil {
				t.Errorf("Revoke #%d = %v; want success", i+1, err)
			}
		}
	}
	fresh, freshRef := r.login(c, "read offline_access"), r.login(ref, "read offline_access")
	r.clock.Advance(time.Hour + time.Second) // past the access tokens and the idle window
	for _, tk := range []struct {
		owner client
		token string
	}{{c, fresh.AccessToken}, {ref, freshRef.AccessToken}, {c, fresh.RefreshToken}} {
		if err := r.svc.Revoke(r.ctx, tk.owner.Client, tk.token); err != nil {
			t.Errorf("Revoke of an expired token = %v; want success", err)
		}
	}
}

// A client revoking on sign-out may hold the token a rotation just
// replaced: it still ends the session. An older generation is unknown to
// revocation and changes nothing.
func TestRevokePreviousGeneration(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	gen1 := r.login(c, "read offline_access").RefreshToken
	gen2 := r.mustRefresh(c, gen1).RefreshToken
	gen3 := r.mustRefresh(c, gen2).RefreshToken
	r.store.ResetOps()
	if err := r.svc.Revoke(r.ctx, c.Client, gen1); err != nil {
		t.Fatal(err)
	}
	if w := r.writes(); len(w) != 0 {
		t.Errorf("revoking generation 1 of 3 writes %v; want nothing", w)
	}
	if s := r.session(gen3); s.Status != tokens.SessionActive {
		t.Fatalf("session after revoking generation 1 of 3 = %s; want active", s.Status)
	}
	if err := r.svc.Revoke(r.ctx, c.Client, gen2); err != nil {
		t.Fatal(err)
	}
	if s := r.session(gen3); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonRevoked {
		t.Errorf("session after revoking the previous generation = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonRevoked)
	}
}

// RevokeSession: an administrator (sessions:revoke) any session, a user
// only their own; what the caller may not see is not_found.
func TestRevokeSession(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{})
	principal := func(token string) tokens.Principal {
		p, err := r.svc.Authenticate(r.ctx, token)
		if err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		who  func(alice oauth.TokenResponse) tokens.Principal
		code string
	}{
		{"latchkey:admin", func(oauth.TokenResponse) tokens.Principal { return principal(first(r.bearer(tokens.ScopeAdmin))) }, ""},
		{"sessions:revoke", func(oauth.TokenResponse) tokens.Principal {
			return principal(first(r.bearer(tokens.ScopeSessionsRevoke)))
		}, ""},
		{"the user's own token", func(a oauth.TokenResponse) tokens.Principal { return principal(a.AccessToken) }, ""},
		{"the user's token of another session", func(oauth.TokenResponse) tokens.Principal {
			return principal(r.login(c, "read offline_access").AccessToken)
		}, ""},
		{"another user", func(oauth.TokenResponse) tokens.Principal {
			return principal(r.loginAs(c, otherUser, "read offline_access").AccessToken)
		}, oauth.CodeNotFound},
		{"a client without an admin scope", func(oauth.TokenResponse) tokens.Principal { return principal(first(r.bearer("read"))) }, oauth.CodeNotFound},
		{"sessions:read is not sessions:revoke", func(oauth.TokenResponse) tokens.Principal {
			return principal(first(r.bearer(tokens.ScopeSessionsRead)))
		}, oauth.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			alice := r.login(c, "read offline_access")
			p := tc.who(alice)
			r.store.ResetOps()
			n, err := r.svc.RevokeSession(r.ctx, p, sessionID(alice.RefreshToken))
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if w := r.writes(); len(w) != 0 || n != 0 {
					t.Errorf("revoked %d, writes %v; want 0 and none", n, w)
				}
				if !r.active(c, alice.RefreshToken) {
					t.Error("the session's refresh token is inactive; want it untouched")
				}
				return
			}
			if err != nil || n != 1 {
				t.Fatalf("RevokeSession = %d, %v; want 1", n, err)
			}
			if r.active(c, alice.AccessToken) || r.active(c, alice.RefreshToken) {
				t.Error("a token of the revoked session is active")
			}
			if n, err := r.svc.RevokeSession(r.ctx, p, sessionID(alice.RefreshToken)); err != nil || n != 0 {
				t.Errorf("RevokeSession again = %d, %v; want 0 (already revoked)", n, err)
			}
		})
	}
	admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
	for _, id := range []string{"nosuchsession", "", "a b"} {
		_, err := r.svc.RevokeSession(r.ctx, admin, id)
		wantCode(t, err, oauth.CodeNotFound)
	}
}

// RevokeSubject signs a subject out everywhere, paging through every
// session, and counts what it revoked.
func TestRevokeSubject(t *testing.T) {
	r := newRig(t)
	alice, bob := r.user(testUser), r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 1000})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	var logins []oauth.TokenResponse
	for i := range 130 { // more than one page of 100
		owner := c
		if i%10 == 0 {
			owner = ref
		}
		logins = append(logins, r.login(owner, "read offline_access"))
	}
	bobs := r.loginAs(c, otherUser, "read offline_access")
	if _, err := r.svc.RevokeSession(r.ctx, tokens.Principal{Subject: alice.Subject}, sessionID(logins[5].RefreshToken)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		p       tokens.Principal
		subject string
		code    string
	}{
		{"no subject", tokens.Principal{Scopes: []string{tokens.ScopeAdmin}}, "", oauth.CodeInvalidRequest},
		{"implausible subject", tokens.Principal{Scopes: []string{tokens.ScopeAdmin}}, "a\x00b", oauth.CodeInvalidRequest},
		{"another user", tokens.Principal{Subject: bob.Subject}, alice.Subject, oauth.CodeInsufficientScope},
		{"sessions:read", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRead}}, alice.Subject, oauth.CodeInsufficientScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			n, err := r.svc.RevokeSubject(r.ctx, tc.p, tc.subject)
			wantCode(t, err, tc.code)
			if w := r.writes(); n != 0 || len(w) != 0 {
				t.Errorf("revoked %d, writes %v; want 0 and none", n, w)
			}
		})
	}
	n, err := r.svc.RevokeSubject(r.ctx, tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRevoke}}, alice.Subject)
	if err != nil || n != 129 {
		t.Fatalf("RevokeSubject = %d, %v; want 129 (130 sessions, one revoked before)", n, err)
	}
	for i, l := range logins {
		owner := map[bool]client{true: ref, false: c}[i%10 == 0]
		if r.active(owner, l.AccessToken) || r.active(owner, l.RefreshToken) {
			t.Fatalf("session %d has an active token after RevokeSubject", i)
		}
	}
	if !r.active(c, bobs.RefreshToken) {
		t.Error("bob's session was revoked with alice's")
	}
	if n, err := r.svc.RevokeSubject(r.ctx, tokens.Principal{Subject: alice.Subject}, alice.Subject); err != nil || n != 0 {
		t.Errorf("RevokeSubject by the user, again = %d, %v; want 0", n, err)
	}
}

// first returns the first of two values.
func first[A, B any](a A, _ B) A { return a }
