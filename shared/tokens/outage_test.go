package tokens_test

import (
	"context"
	"testing"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Invariant 4 and the one error vocabulary (issue 9 §3): when the store
// cannot be reached, every public method answers with an *oauth.Error
// temporarily_unavailable, and nothing is half written. A canceled context
// fails every memory store call, as it fails every SDK request.
func TestStoreOutageIsTemporarilyUnavailable(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	ref := r.firstParty(tokens.ClientSpec{AccessTokenFormat: tokens.FormatReference})
	login, refLogin := r.login(c, "read offline_access"), r.login(ref, "read offline_access")
	admin := tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}
	minter := tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeTokensMint, "read"}}
	minted := r.mint(admin, alice.Subject, "read")
	ctx, cancel := context.WithCancel(r.ctx)
	cancel()
	token := func(req tokens.TokenRequest) error { _, err := r.svc.Token(ctx, req); return err }
	for name, call := range map[string]func() error{
		"client_credentials": func() error {
			return token(tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantClientCredentials})
		},
		"password": func() error {
			return token(tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantPassword, Username: testUser, Password: testPassword})
		},
		"refresh_token": func() error {
			return token(tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantRefreshToken, RefreshToken: login.RefreshToken})
		},
		"Refresh without client authentication": func() error {
			_, err := r.svc.Refresh(ctx, tokens.RefreshRequest{RefreshToken: login.RefreshToken})
			return err
		},
		"Revoke a refresh token":   func() error { return r.svc.Revoke(ctx, c.Client, login.RefreshToken) },
		"Revoke a JWT":             func() error { return r.svc.Revoke(ctx, c.Client, login.AccessToken) },
		"Revoke a reference token": func() error { return r.svc.Revoke(ctx, ref.Client, refLogin.AccessToken) },
		"RevokeSession": func() error {
			_, err := r.svc.RevokeSession(ctx, admin, sessionID(login.RefreshToken))
			return err
		},
		"RevokeSubject":    func() error { _, err := r.svc.RevokeSubject(ctx, admin, alice.Subject); return err },
		"RevokeLongLived":  func() error { return r.svc.RevokeLongLived(ctx, admin, minted.ID) },
		"Introspect a JWT": func() error { _, err := r.svc.Introspect(ctx, c.Client, login.AccessToken); return err },
		"Introspect a reference token": func() error {
			_, err := r.svc.Introspect(ctx, ref.Client, refLogin.AccessToken)
			return err
		},
		"Introspect a long-lived token": func() error { _, err := r.svc.Introspect(ctx, c.Client, minted.Token); return err },
		"Authenticate":                  func() error { _, err := r.svc.Authenticate(ctx, login.AccessToken); return err },
		"Mint": func() error {
			_, err := r.svc.Mint(ctx, admin, tokens.MintRequest{Name: "n", Subject: alice.Subject, Scopes: []string{"read"}})
			return err
		},
		"Mint by tokens:mint": func() error {
			_, err := r.svc.Mint(ctx, minter, tokens.MintRequest{Name: "n", Subject: alice.Subject, Scopes: []string{"read"}})
			return err
		},
		"ListSessions": func() error {
			_, err := r.svc.ListSessions(ctx, tokens.Principal{Subject: alice.Subject}, tokens.SessionsRequest{})
			return err
		},
		"CreateClient": func() error {
			_, _, err := r.svc.CreateClient(ctx, tokens.ClientSpec{Name: "x", Grants: []string{oauth.GrantClientCredentials}})
			return err
		},
		"CreateUser":    func() error { _, err := r.svc.CreateUser(ctx, "carol", testPassword); return err },
		"ListClients":   func() error { _, err := r.svc.ListClients(ctx); return err },
		"DisableClient": func() error { return r.svc.DisableClient(ctx, c.ID) },
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), oauth.CodeTemporarilyUnavailable)
			if e := oauth.As(call()); e.RetryAfter <= 0 {
				t.Errorf("Retry-After = %v; want a delay", e.RetryAfter)
			}
		})
	}
	r.store.ResetOps()
	if s := r.session(login.RefreshToken); s.Generation != 1 || s.Status != tokens.SessionActive {
		t.Errorf("session after the outage = generation %d %s; want untouched", s.Generation, s.Status)
	}
	page := r.list(admin, tokens.SessionsRequest{Subject: alice.Subject, Status: "all"})
	if len(page.Entries) != 3 {
		t.Errorf("entries after the outage = %d; want the 2 sessions and 1 token from before", len(page.Entries))
	}
	for _, tok := range []string{login.AccessToken, login.RefreshToken} {
		if !r.active(c, tok) {
			t.Error("a token is inactive after the outage")
		}
	}
	if !r.active(ref, refLogin.AccessToken) {
		t.Error("the reference token is inactive after the outage")
	}
	if _, err := r.svc.Authenticate(r.ctx, minted.Token); err != nil {
		t.Errorf("the long-lived token after the outage: %v", err)
	}
}
