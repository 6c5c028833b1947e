package tokens_test

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The token endpoint (RFC 6749 §3.2): grant dispatch, client
// authentication, client_credentials (§4.4) and password (§4.3).

func TestTokenRequestErrors(t *testing.T) {
	r := newRig(t)
	c := r.firstParty(tokens.ClientSpec{})
	ccOnly := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}})
	for _, tc := range []struct {
		name string
		req  tokens.TokenRequest
		code string
	}{
		{"no grant_type", tokens.TokenRequest{Client: c.auth()}, oauth.CodeInvalidRequest},
		{"unknown grant_type", tokens.TokenRequest{Client: c.auth(), GrantType: "implicit"}, oauth.CodeUnsupportedGrantType},
		{"grant the client lacks", tokens.TokenRequest{Client: ccOnly.auth(), GrantType: oauth.GrantPassword, Username: testUser, Password: testPassword}, oauth.CodeUnauthorizedClient},
		{"password without username", tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantPassword, Password: testPassword}, oauth.CodeInvalidRequest},
		{"password without password", tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantPassword, Username: testUser}, oauth.CodeInvalidRequest},
		{"refresh without refresh_token", tokens.TokenRequest{Client: c.auth(), GrantType: oauth.GrantRefreshToken}, oauth.CodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			_, err := r.svc.Token(r.ctx, tc.req)
			wantCode(t, err, tc.code)
		})
	}
}

// Unknown client, wrong secret, missing secret and a disabled client get
// the same invalid_client (docs/design.md §7.7).
func TestClientAuthentication(t *testing.T) {
	r := newRig(t)
	c := r.firstParty(tokens.ClientSpec{})
	disabled := r.firstParty(tokens.ClientSpec{})
	if err := r.svc.DisableClient(r.ctx, disabled.ID); err != nil {
		t.Fatal(err)
	}
	pub := r.client(tokens.ClientSpec{Public: true, Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}})
	var want *oauth.Error
	for _, tc := range []struct {
		name string
		auth tokens.ClientAuth
	}{
		{"wrong secret", tokens.ClientAuth{ID: c.ID, Secret: c.secret + "x"}},
		{"unknown client", tokens.ClientAuth{ID: "nosuchclient", Secret: c.secret}},
		{"implausible client id", tokens.ClientAuth{ID: strings.Repeat("x", 300), Secret: c.secret}},
		{"no secret", tokens.ClientAuth{ID: c.ID}},
		{"another client's secret", tokens.ClientAuth{ID: c.ID, Secret: disabled.secret}},
		{"disabled client", disabled.auth()},
		{"public client sending a secret", tokens.ClientAuth{ID: pub.ID, Secret: c.secret}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			_, err := r.svc.Token(r.ctx, tokens.TokenRequest{Client: tc.auth, GrantType: oauth.GrantClientCredentials})
			wantCode(t, err, oauth.CodeInvalidClient)
			if want == nil {
				want = oauth.As(err)
			} else if got := oauth.As(err); got.Description != want.Description {
				t.Errorf("description = %q; want the same for every cause, %q", got.Description, want.Description)
			}
			if w := r.writes(); len(w) != 0 {
				t.Errorf("writes = %v; want none", w)
			}
		})
	}
}

func TestClientCredentialsScopes(t *testing.T) {
	r := newRig(t)
	c := r.firstParty(tokens.ClientSpec{})
	for _, tc := range []struct {
		name, scope, want, code string
	}{
		{"default is every allowed scope", "", "read write", ""},
		{"narrows", "write", "write", ""},
		{"beyond the client", "read admin", "", oauth.CodeInvalidScope},
		{"never offline_access", "offline_access", "", oauth.CodeInvalidScope},
		{"non-breaking space is no separator", "read\u00a0write", "", oauth.CodeInvalidScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			resp, err := r.clientCredentials(c, tc.scope)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil {
				t.Fatalf("client_credentials(%q) = %v; want scope %q", tc.scope, err, tc.want)
			}
			if resp.Scope != tc.want || resp.RefreshToken != "" {
				t.Errorf("client_credentials(%q) = scope %q, refresh token %q; want scope %q and no refresh token (§4.4.3)",
					tc.scope, resp.Scope, resp.RefreshToken, tc.want)
			}
		})
	}
}

// A public client cannot use client_credentials: it cannot be registered
// for it, and a request for it is refused before anything is issued.
func TestClientCredentialsRefusesPublicClients(t *testing.T) {
	r := newRig(t)
	_, _, err := r.svc.CreateClient(r.ctx, tokens.ClientSpec{Name: "spa", Public: true, Grants: []string{oauth.GrantClientCredentials}})
	wantCode(t, err, oauth.CodeInvalidRequest)
	pub := r.client(tokens.ClientSpec{Public: true, Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}})
	r.store.ResetOps()
	_, err = r.clientCredentials(pub, "")
	wantCode(t, err, oauth.CodeUnauthorizedClient)
	if w := r.writes(); len(w) != 0 {
		t.Errorf("writes = %v; want none", w)
	}
}

// Both formats carry the same claims; a JWT costs the client read alone
// and no write, a reference token one write (docs/design.md §6).
func TestClientCredentialsFormats(t *testing.T) {
	r := newRig(t)
	rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
	for _, tc := range []struct {
		format string
		ops    map[string]int
	}{
		{tokens.FormatJWT, map[string]int{"GetClient": 1}},
		{tokens.FormatReference, map[string]int{"GetClient": 1, "CreateReferenceToken": 1}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r := r.on(t)
			c := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}, AccessTokenFormat: tc.format})
			r.store.ResetOps()
			resp, err := r.clientCredentials(c, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := r.coreOps(); !maps.Equal(got, tc.ops) {
				t.Errorf("store calls = %v; want %v", got, tc.ops)
			}
			isRef := strings.HasPrefix(resp.AccessToken, tokens.ReferenceTokenPrefix)
			if isRef != (tc.format == tokens.FormatReference) || (!isRef && strings.Count(resp.AccessToken, ".") != 2) {
				t.Errorf("access token %q; want a %s", resp.AccessToken, tc.format)
			}
			if resp.TokenType != oauth.TokenTypeBearer || resp.ExpiresIn != 900 {
				t.Errorf("token_type %q expires_in %d; want Bearer 900", resp.TokenType, resp.ExpiresIn)
			}
			in := r.introspect(rs, resp.AccessToken)
			want := oauth.IntrospectionResponse{
				Active: true, Scope: "read", ClientID: c.ID, TokenType: oauth.TokenTypeBearer, Sub: c.ID,
				Iat: start.Unix(), Exp: start.Add(15 * time.Minute).Unix(), Aud: []string{issuer}, Iss: issuer, Jti: in.Jti,
			}
			if in.Jti == "" || !reflect.DeepEqual(in, want) {
				t.Errorf("introspection = %+v; want %+v with a jti", in, want)
			}
		})
	}
}

// A refresh token is issued only when the client allows offline access and
// the request asks for it (docs/design.md §2).
func TestPasswordOfflineGating(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	online := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}})
	offline := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantPassword, oauth.GrantRefreshToken}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	for _, tc := range []struct {
		name        string
		c           client
		scope       string
		wantRefresh bool
		code        string
	}{
		{"offline client asking", offline, "read offline_access", true, ""},
		{"offline client not asking", offline, "read", false, ""},
		{"offline client asking nothing", offline, "", false, ""},
		{"online client asking", online, "read offline_access", false, oauth.CodeInvalidScope},
		{"online client not asking", online, "read", false, ""},
		{"scope beyond the client", offline, "read write", false, oauth.CodeInvalidScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			resp, err := r.passwordGrant(tc.c, testUser, testPassword, tc.scope)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if w := r.writes(); len(w) != 0 {
					t.Errorf("writes = %v; want none", w)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.RefreshToken != ""; got != tc.wantRefresh {
				t.Errorf("refresh token issued = %v; want %v", got, tc.wantRefresh)
			}
			if got := r.writes()["CreateSessionEvicting"] + r.writes()["CreateSession"]; got != map[bool]int{true: 1}[tc.wantRefresh] {
				t.Errorf("sessions created = %d; want one only with a refresh token", got)
			}
		})
	}
}

// The first session of a login: generation 1, the granted scopes, the
// client's lifetimes (docs/design.md §3).
func TestPasswordCreatesASession(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshAbsoluteTTL: 10 * time.Hour, RefreshIdleTTL: 2 * time.Hour})
	resp, err := r.svc.Token(r.ctx, tokens.TokenRequest{
		Client: c.auth(), GrantType: oauth.GrantPassword, Username: testUser, Password: testPassword,
		Scope: "read offline_access", IP: "192.0.2.1", UserAgent: "ua/1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Scope != "read offline_access" || resp.ExpiresIn != 900 || resp.RefreshTokenExpiresIn != int64((2*time.Hour).Seconds()) {
		t.Errorf("answer = %+v; want scope read offline_access, expires_in 900, refresh_token_expires_in 7200", resp)
	}
	s := r.session(resp.RefreshToken)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"client", s.ClientID, c.ID}, {"subject", s.Subject, alice.Subject}, {"scopes", strings.Join(s.Scopes, " "), "read offline_access"},
		{"generation", s.Generation, 1}, {"status", s.Status, tokens.SessionActive},
		{"created", s.CreatedAt, start}, {"auth time", s.AuthTime, start},
		{"absolute expiry", s.AbsoluteExpiresAt, start.Add(10 * time.Hour)}, {"idle expiry", s.IdleExpiresAt, start.Add(2 * time.Hour)},
		{"ip", s.IP, "192.0.2.1"}, {"user agent", s.UserAgent, "ua/1"},
		{"access jti", s.AccessJTI, r.claims(resp.AccessToken).JTI},
	} {
		if c.got != c.want {
			t.Errorf("session %s = %v; want %v", c.name, c.got, c.want)
		}
	}
	if cl := r.claims(resp.AccessToken); cl.SessionID != s.ID || cl.Subject != alice.Subject || !cl.AuthTime.Equal(start) {
		t.Errorf("access token claims = %+v; want sid %s, sub %s, auth_time %v", cl, s.ID, alice.Subject, start)
	}
}

// Every failed sign-in gets the same answer and costs the same store
// calls, so neither tells whether the user exists (docs/design.md §2, issue 11
// §2); none writes a session.
func TestPasswordFailures(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	var first *oauth.Error
	var firstOps map[string]int
	for _, tc := range []struct {
		name, username, password string
	}{
		{"unknown user", "nobody", testPassword},
		{"wrong password", testUser, "wrong-password"},
		{"username too long", strings.Repeat("a", 257), testPassword},
		{"empty-looking username", " ", testPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			_, err := r.passwordGrant(c, tc.username, tc.password, "read offline_access")
			wantCode(t, err, oauth.CodeInvalidGrant)
			ops := r.coreOps()
			if first == nil {
				first, firstOps = oauth.As(err), ops
			}
			if got := oauth.As(err).Description; got != first.Description {
				t.Errorf("description = %q; want the same for every failure, %q", got, first.Description)
			}
			if !maps.Equal(ops, firstOps) {
				t.Errorf("store calls = %v; want the same for every failure, %v", ops, firstOps)
			}
			for m := range ops {
				if strings.Contains(m, "Session") || strings.Contains(m, "Reference") {
					t.Errorf("a failed sign-in called %s", m)
				}
			}
		})
	}
}

// Ten attempts in a window lock the user out until the window closes (at
// most 15 minutes); the right password while locked gets the same answer
// as a wrong one.
func TestPasswordLockout(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	for range 10 {
		_, err := r.passwordGrant(c, testUser, "wrong-password", "read")
		wantCode(t, err, oauth.CodeInvalidGrant)
	}
	if !r.logged("account_locked") {
		t.Error("no account_locked audit event")
	}
	_, err := r.passwordGrant(c, testUser, testPassword, "read")
	wantCode(t, err, oauth.CodeInvalidGrant)
	r.clock.Advance(15*time.Minute + time.Second)
	if _, err := r.passwordGrant(c, testUser, testPassword, "read"); err != nil {
		t.Fatalf("right password after the lockout = %v; want success", err)
	}
	// A success forgives the failures before it.
	for range 9 {
		_, err := r.passwordGrant(c, testUser, "wrong-password", "read")
		wantCode(t, err, oauth.CodeInvalidGrant)
	}
	if _, err := r.passwordGrant(c, testUser, testPassword, "read"); err != nil {
		t.Errorf("right password after a success and 9 failures = %v; want success", err)
	}
}
