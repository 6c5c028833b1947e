package tokens_test

import (
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Session lifetimes with the injected clock (docs/design.md §3): the absolute
// expiry, the sliding idle window, and access tokens that never outlive
// their session. The rotation endpoint (Refresh) is here too.

func TestRefreshExpiry(t *testing.T) {
	spec := tokens.ClientSpec{RefreshAbsoluteTTL: 10 * time.Hour, RefreshIdleTTL: 2 * time.Hour}
	for _, tc := range []struct {
		name  string
		steps []time.Duration // a refresh after each wait
		last  time.Duration   // the wait before the checked refresh
		ok    bool
	}{
		{"within idle", nil, 2*time.Hour - time.Second, true},
		{"idle elapsed", nil, 2 * time.Hour, false},
		{"idle slides with each use", []time.Duration{90 * time.Minute, 90 * time.Minute, 90 * time.Minute}, 90 * time.Minute, true},
		{"a second before the absolute expiry", []time.Duration{110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute}, 50*time.Minute - time.Second, true},
		{"absolute is never extended", []time.Duration{110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute}, 50 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.user(testUser)
			c := r.firstParty(spec)
			token := r.login(c, "read offline_access").RefreshToken
			for _, wait := range tc.steps {
				r.clock.Advance(wait)
				token = r.mustRefresh(c, token).RefreshToken
			}
			r.clock.Advance(tc.last)
			r.store.ResetOps()
			_, err := r.refresh(c, token, "")
			if tc.ok {
				if err != nil {
					t.Fatalf("refresh = %v; want success", err)
				}
				return
			}
			wantCode(t, err, oauth.CodeInvalidGrant)
			if w := r.writes(); len(w) != 0 {
				t.Errorf("refresh of an expired session writes %v; want nothing", w)
			}
		})
	}
}

// The idle expiry never passes the absolute one, and an access token's exp
// never passes the session's absolute expiry.
func TestAccessTokenNeverOutlivesTheSession(t *testing.T) {
	for _, format := range []string{tokens.FormatJWT, tokens.FormatReference} {
		t.Run(format, func(t *testing.T) {
			r := newRig(t)
			r.user(testUser)
			c := r.firstParty(tokens.ClientSpec{
				RefreshAbsoluteTTL: time.Hour, RefreshIdleTTL: 2 * time.Hour, AccessTokenTTL: 15 * time.Minute, AccessTokenFormat: format,
			})
			rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
			token := r.login(c, "read offline_access").RefreshToken
			s := r.session(token)
			if abs := start.Add(time.Hour); !s.AbsoluteExpiresAt.Equal(abs) || !s.IdleExpiresAt.Equal(abs) {
				t.Errorf("expiries = absolute %v idle %v; want both %v", s.AbsoluteExpiresAt, s.IdleExpiresAt, abs)
			}
			r.clock.Advance(50 * time.Minute)
			resp := r.mustRefresh(c, token)
			if resp.ExpiresIn != 600 || resp.RefreshTokenExpiresIn != 600 {
				t.Errorf("expires_in %d, refresh_token_expires_in %d ten minutes before the absolute expiry; want 600 and 600",
					resp.ExpiresIn, resp.RefreshTokenExpiresIn)
			}
			if in := r.introspect(rs, resp.AccessToken); in.Exp != s.AbsoluteExpiresAt.Unix() {
				t.Errorf("access token exp = %d; want the absolute expiry %d", in.Exp, s.AbsoluteExpiresAt.Unix())
			}
			r.clock.Advance(10 * time.Minute)
			if r.active(rs, resp.AccessToken) {
				t.Error("the access token is active at the session's absolute expiry")
			}
			_, err := r.refresh(c, resp.RefreshToken, "")
			wantCode(t, err, oauth.CodeInvalidGrant)
		})
	}
}

// Invariant 6: a session whose absolute expiry has passed is absent on
// every read, though nothing deleted it.
func TestExpiredSessionIsAbsent(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshAbsoluteTTL: time.Hour})
	token := r.login(c, "read offline_access").RefreshToken
	r.clock.Advance(time.Hour)
	if _, err := r.store.GetSession(r.ctx, sessionID(token)); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("GetSession at the absolute expiry = %v; want ErrNotFound", err)
	}
	_, err := r.refresh(c, token, "")
	wantCode(t, err, oauth.CodeInvalidGrant)
}

// The rotation endpoint: a public client sends the token alone; a
// confidential one authenticates as at the token endpoint; a disabled
// client gets nothing more (RFC 6819 §5.2.3.6).
func TestRefreshEndpoint(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	conf := r.firstParty(tokens.ClientSpec{})
	pub := r.client(tokens.ClientSpec{Public: true, Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	noRefresh := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	for _, tc := range []struct {
		name    string
		owner   client
		auth    func(c client) tokens.ClientAuth
		disable bool
		code    string
	}{
		{"public, token alone", pub, func(client) tokens.ClientAuth { return tokens.ClientAuth{} }, false, ""},
		{"public, client_id", pub, client.auth, false, ""},
		{"confidential, authenticated", conf, client.auth, false, ""},
		{"confidential, token alone", conf, func(client) tokens.ClientAuth { return tokens.ClientAuth{} }, false, oauth.CodeInvalidClient},
		{"confidential, wrong secret", conf, func(c client) tokens.ClientAuth { return tokens.ClientAuth{ID: c.ID, Secret: "x"} }, false, oauth.CodeInvalidClient},
		{"without the refresh_token grant", noRefresh, client.auth, false, oauth.CodeUnauthorizedClient},
		{"public, disabled", pub, func(client) tokens.ClientAuth { return tokens.ClientAuth{} }, true, oauth.CodeInvalidClient},
		{"confidential, disabled", conf, client.auth, true, oauth.CodeInvalidClient},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			token := r.login(tc.owner, "read offline_access").RefreshToken
			if tc.disable {
				if err := r.svc.DisableClient(r.ctx, tc.owner.ID); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := r.svc.Refresh(r.ctx, tokens.RefreshRequest{Client: tc.auth(tc.owner), RefreshToken: token})
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if s := r.session(token); s.Generation != 1 || s.Status != tokens.SessionActive {
					t.Errorf("session = generation %d %s; want untouched", s.Generation, s.Status)
				}
				return
			}
			if err != nil || resp.RefreshToken == "" || resp.RefreshToken == token {
				t.Fatalf("Refresh = %+v, %v; want a new refresh token", resp, err)
			}
		})
	}
	_, err := r.svc.Refresh(r.ctx, tokens.RefreshRequest{})
	wantCode(t, err, oauth.CodeInvalidRequest)
}
