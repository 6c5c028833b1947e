package app_test

import (
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// RFC 7009 revocation and the DELETE /sessions endpoints, end to end over
// HTTP on DynamoDB Local.

const (
	revocationPath    = "/oauth2/revoke"
	introspectionPath = "/oauth2/introspect"
	otherUser         = "bob"
)

// clientCred is a client's id and secret.
type clientCred struct{ id, secret string }

func (f fixture) own() clientCred { return clientCred{f.client.ID, f.secret} }

// newClient registers one more client of the fixture's harness.
func (f fixture) newClient(spec tokens.ClientSpec) clientCred {
	c, secret := f.Client(spec)
	return clientCred{c.ID, secret}
}

// referenceClient registers a first-party client issuing reference tokens.
func (f fixture) referenceClient() clientCred {
	return f.newClient(tokens.ClientSpec{
		Grants: []string{"password", "refresh_token", "client_credentials"}, Scopes: []string{"read", "write"},
		AllowOfflineAccess: true, AccessTokenFormat: tokens.FormatReference,
	})
}

// passwordLogin runs the password grant for user with offline_access as c.
func (f fixture) passwordLogin(c clientCred, user string) apptest.Response {
	f.T.Helper()
	r := f.Token(c.id, c.secret, url.Values{
		"grant_type": {"password"}, "username": {user}, "password": {testPassword}, "scope": {"read offline_access"},
	})
	if r.Status != 200 || r.Str("refresh_token") == "" {
		f.T.Fatalf("password grant for %s = %d %s; want 200 with a refresh token", user, r.Status, r.Body)
	}
	return r
}

// ccToken returns a client_credentials access token of c.
func (f fixture) ccToken(c clientCred) string {
	f.T.Helper()
	r := f.Token(c.id, c.secret, url.Values{"grant_type": {"client_credentials"}})
	if r.Status != 200 {
		f.T.Fatalf("client_credentials = %d %s; want 200", r.Status, r.Body)
	}
	return r.Str("access_token")
}

// adminToken returns a client_credentials token of a new client holding
// scope: its subject is the client, an administrator principal.
func (f fixture) adminToken(scope string) string {
	return f.ccToken(f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{scope}}))
}

func (f fixture) revokeAs(c clientCred, token string, extra ...string) apptest.Response {
	f.T.Helper()
	form := url.Values{"token": {token}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return f.PostForm(revocationPath, c.id, c.secret, form)
}

func (f fixture) introspectAs(c clientCred, token string) apptest.Response {
	f.T.Helper()
	return f.PostForm(introspectionPath, c.id, c.secret, url.Values{"token": {token}})
}

// deleteAs sends DELETE path with a bearer token, or none when bearer is "".
func (f fixture) deleteAs(bearer, path string) apptest.Response {
	f.T.Helper()
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return f.Do(http.MethodDelete, path, "", "", h)
}

func wantOKNoStore(t *testing.T, r apptest.Response) {
	t.Helper()
	if r.Status != 200 {
		t.Errorf("answer = %d %s; want 200", r.Status, strings.TrimSpace(r.Body))
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
}

// wantActiveToken and wantInactiveToken check an introspection answer; an inactive
// one is exactly {"active":false} (RFC 7662 §2.2).
func wantActiveToken(t *testing.T, r apptest.Response, what string) {
	t.Helper()
	if r.Status != 200 || r.JSON["active"] != true {
		t.Errorf("introspection of %s = %d %s; want active", what, r.Status, strings.TrimSpace(r.Body))
	}
}

func wantInactiveToken(t *testing.T, r apptest.Response, what string) {
	t.Helper()
	if got := strings.TrimSpace(r.Body); r.Status != 200 || got != `{"active":false}` {
		t.Errorf("introspection of %s = %d %s; want 200 {\"active\":false}", what, r.Status, got)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
}

// wantBearerChallenge checks a 401 or 403 of the bearer-authenticated
// endpoints (RFC 6750 §3).
func wantBearerChallenge(t *testing.T, r apptest.Response, status int, code string) {
	t.Helper()
	wantError(t, r, status, code)
	if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
		t.Errorf("WWW-Authenticate = %q; want a Bearer challenge", got)
	}
}

// Revoking a refresh token revokes its session: the refresh token and every
// access token of the session, JWT or reference, turn inactive.
func TestRevokeRefreshTokenEndsTheSession(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for name, c := range map[string]clientCred{"jwt": f.own(), "reference": f.referenceClient()} {
		t.Run(name, func(t *testing.T) {
			login := f.passwordLogin(c, testUser)
			wantOKNoStore(t, f.revokeAs(c, login.Str("refresh_token")))
			wantInactiveToken(t, f.introspectAs(c, login.Str("access_token")), "the session's access token")
			wantInactiveToken(t, f.introspectAs(c, login.Str("refresh_token")), "the revoked refresh token")
			r := f.Token(c.id, c.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {login.Str("refresh_token")}})
			wantError(t, r, 400, "invalid_grant")
			if s := f.session(login.Str("refresh_token")); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonRevoked {
				t.Errorf("session = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonRevoked)
			}
		})
	}
}

// Revoking an access token leaves its session and refresh token alive.
func TestRevokeAccessTokenKeepsTheSession(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	for name, c := range map[string]clientCred{"jwt": f.own(), "reference": f.referenceClient()} {
		t.Run(name, func(t *testing.T) {
			login := f.passwordLogin(c, testUser)
			wantOKNoStore(t, f.revokeAs(c, login.Str("access_token")))
			wantInactiveToken(t, f.introspectAs(c, login.Str("access_token")), "the revoked access token")
			wantActiveToken(t, f.introspectAs(c, login.Str("refresh_token")), "the session's refresh token")
			r := f.Token(c.id, c.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {login.Str("refresh_token")}})
			if r.Status != 200 {
				t.Fatalf("refresh after revoking the access token = %d %s; want 200", r.Status, r.Body)
			}
			wantActiveToken(t, f.introspectAs(c, r.Str("access_token")), "the new access token")
		})
	}
}

// RFC 7009 §2.2: the answer is 200 whether or not anything was revoked, and
// a client cannot revoke another client's token.
func TestRevokeAnswersSuccessForTokensItCannotRevoke(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	other := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}})
	for _, tc := range []struct {
		name      string
		owner     clientCred
		token     func() string
		staysLive bool
	}{
		{"another client's JWT", f.own(), func() string { return f.login("read offline_access").Str("access_token") }, true},
		{"another client's reference token", ref, func() string { return f.passwordLogin(ref, testUser).Str("access_token") }, true},
		{"another client's refresh token", f.own(), func() string { return f.login("read offline_access").Str("refresh_token") }, true},
		{"another client's client_credentials JWT", f.own(), func() string { return f.ccToken(f.own()) }, true},
		{"garbage", f.own(), func() string { return "garbage" }, false},
		{"garbage JWT", f.own(), func() string { return "a.b.c" }, false},
		{"unknown refresh token", f.own(), func() string {
			return tokens.RefreshTokenPrefix + "nosuchsession.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		}, false},
		{"unknown reference token", f.own(), func() string { return tokens.ReferenceTokenPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, false},
		{"unknown long-lived token", f.own(), func() string { return tokens.LongLivedPrefix + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := tc.token()
			wantOKNoStore(t, f.revokeAs(other, token))
			if tc.staysLive {
				wantActiveToken(t, f.introspectAs(tc.owner, token), "the token after another client revoked it")
			}
		})
	}
}

// Already revoked and expired tokens are answered 200 as well.
func TestRevokeRevokedAndExpiredTokens(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	jwt, refLogin := f.login("read offline_access"), f.passwordLogin(ref, testUser)
	tokensOf := []struct {
		owner clientCred
		token string
	}{
		{f.own(), jwt.Str("access_token")}, {ref, refLogin.Str("access_token")}, {f.own(), jwt.Str("refresh_token")},
	}
	for _, tk := range tokensOf {
		wantOKNoStore(t, f.revokeAs(tk.owner, tk.token))
		wantOKNoStore(t, f.revokeAs(tk.owner, tk.token)) // already revoked
	}
	fresh, freshRef := f.login("read offline_access"), f.passwordLogin(ref, testUser)
	f.Clock.Advance(testAccessTTL + time.Second)
	wantOKNoStore(t, f.revokeAs(f.own(), fresh.Str("access_token")))
	wantOKNoStore(t, f.revokeAs(ref, freshRef.Str("access_token")))
	f.Clock.Advance(8 * 24 * time.Hour) // past the refresh idle window
	wantOKNoStore(t, f.revokeAs(f.own(), fresh.Str("refresh_token")))
}

func TestRevokeRequestErrors(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	login := f.login("read offline_access")
	wantError(t, f.PostForm(revocationPath, f.client.ID, f.secret, url.Values{}), 400, "invalid_request")
	// An unknown hint is ignored: TestUnknownTokenTypeHintIsIgnored.
	for _, path := range []string{revocationPath, introspectionPath} {
		r := f.PostForm(path, "", "", url.Values{"token": {login.Str("access_token")}})
		wantError(t, r, 401, "invalid_client")
		if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
			t.Errorf("%s without client authentication: WWW-Authenticate = %q; want a Basic challenge", path, got)
		}
	}
	// A wrong hint is only a hint (RFC 7009 §2.1): the token is still found.
	wantOKNoStore(t, f.revokeAs(f.own(), login.Str("refresh_token"), "token_type_hint", "access_token"))
	wantInactiveToken(t, f.introspectAs(f.own(), login.Str("refresh_token")), "a refresh token revoked with hint access_token")
}

// DELETE /sessions/{id}: an administrator any session, a user their own.
func TestDeleteSession(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	f.User(otherUser, testPassword)
	bob := f.passwordLogin(f.own(), otherUser).Str("access_token")
	revokedBearer := f.passwordLogin(f.own(), testUser).Str("access_token")
	wantOKNoStore(t, f.revokeAs(f.own(), revokedBearer))
	for _, tc := range []struct {
		name   string
		bearer func(alice apptest.Response) string
		status int
		code   string
	}{
		{"admin latchkey:admin", func(apptest.Response) string { return f.adminToken(tokens.ScopeAdmin) }, 200, ""},
		{"admin sessions:revoke", func(apptest.Response) string { return f.adminToken(tokens.ScopeSessionsRevoke) }, 200, ""},
		{"the user's own token", func(a apptest.Response) string { return a.Str("access_token") }, 200, ""},
		{"the user's token of another session", func(apptest.Response) string { return f.login("read offline_access").Str("access_token") }, 200, ""},
		{"another user's token", func(apptest.Response) string { return bob }, 404, "not_found"},
		{"a client token without admin scope", func(apptest.Response) string { return f.ccToken(f.own()) }, 404, "not_found"},
		{"sessions:read is not sessions:revoke", func(apptest.Response) string { return f.adminToken(tokens.ScopeSessionsRead) }, 404, "not_found"},
		{"no token", func(apptest.Response) string { return "" }, 401, "invalid_token"},
		{"a revoked token", func(apptest.Response) string { return revokedBearer }, 401, "invalid_token"},
		{"a refresh token", func(a apptest.Response) string { return a.Str("refresh_token") }, 401, "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alice := f.login("read offline_access")
			r := f.deleteAs(tc.bearer(alice), "/sessions/"+f.session(alice.Str("refresh_token")).ID)
			if tc.status != 200 {
				if tc.status == 401 {
					wantBearerChallenge(t, r, tc.status, tc.code)
				} else {
					wantError(t, r, tc.status, tc.code)
				}
				wantActiveToken(t, f.introspectAs(f.own(), alice.Str("refresh_token")), "the refresh token of the session not revoked")
				return
			}
			if wantOKNoStore(t, r); r.JSON["revoked"] != float64(1) {
				t.Errorf("answer = %s; want {\"revoked\":1}", r.Body)
			}
			wantError(t, f.refresh(alice.Str("refresh_token")), 400, "invalid_grant")
			wantInactiveToken(t, f.introspectAs(f.own(), alice.Str("access_token")), "the revoked session's JWT")
		})
	}
	wantError(t, f.deleteAs(f.adminToken(tokens.ScopeAdmin), "/sessions/nosuchsession"), 404, "not_found")
}

// DELETE /sessions?subject=S signs a subject out everywhere.
func TestDeleteSubjectSessions(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	f.User(otherUser, testPassword)
	ref := f.referenceClient()
	subject := func(r apptest.Response) string { return f.session(r.Str("refresh_token")).Subject }
	for _, tc := range []struct {
		name     string
		bearer   func(alice apptest.Response) string
		query    func(sub string) string
		status   int
		code     string
		sessions int
	}{
		{"admin, five sessions", func(apptest.Response) string { return f.adminToken(tokens.ScopeAdmin) }, url.QueryEscape, 200, "", 5},
		{"sessions:revoke", func(apptest.Response) string { return f.adminToken(tokens.ScopeSessionsRevoke) }, url.QueryEscape, 200, "", 2},
		{"the user's own token", func(a apptest.Response) string { return a.Str("access_token") }, url.QueryEscape, 200, "", 3},
		{"another user's token", func(apptest.Response) string { return f.passwordLogin(f.own(), otherUser).Str("access_token") }, url.QueryEscape, 403, "insufficient_scope", 1},
		{"sessions:read is not sessions:revoke", func(apptest.Response) string { return f.adminToken(tokens.ScopeSessionsRead) }, url.QueryEscape, 403, "insufficient_scope", 1},
		{"no token", func(apptest.Response) string { return "" }, url.QueryEscape, 401, "invalid_token", 1},
		{"no subject", func(apptest.Response) string { return f.adminToken(tokens.ScopeAdmin) }, func(string) string { return "" }, 400, "invalid_request", 1},
		{"repeated subject", func(apptest.Response) string { return f.adminToken(tokens.ScopeAdmin) }, func(s string) string { return s + "&subject=" + s }, 400, "invalid_request", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logins []apptest.Response
			for i := range tc.sessions {
				c := f.own()
				if i%2 == 1 {
					c = ref
				}
				logins = append(logins, f.passwordLogin(c, testUser))
			}
			r := f.deleteAs(tc.bearer(logins[0]), "/sessions?subject="+tc.query(subject(logins[0])))
			if tc.status != 200 {
				if tc.status == 400 {
					wantError(t, r, tc.status, tc.code)
				} else {
					wantBearerChallenge(t, r, tc.status, tc.code)
				}
				wantActiveToken(t, f.introspectAs(f.own(), logins[0].Str("refresh_token")), "a session not revoked")
				f.deleteAs(f.adminToken(tokens.ScopeAdmin), "/sessions?subject="+url.QueryEscape(subject(logins[0])))
				return
			}
			if wantOKNoStore(t, r); r.JSON["revoked"] != float64(tc.sessions) {
				t.Errorf("answer = %s; want {\"revoked\":%d}", strings.TrimSpace(r.Body), tc.sessions)
			}
			for i, l := range logins {
				c := f.own()
				if i%2 == 1 {
					c = ref
				}
				wantError(t, f.Token(c.id, c.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {l.Str("refresh_token")}}), 400, "invalid_grant")
				wantInactiveToken(t, f.introspectAs(c, l.Str("access_token")), "an access token of a revoked session")
			}
		})
	}
}

// The revocation budget of docs/design.md §6 (≤ 2 writes), counted at the SDK
// with a warm client cache and key set.
func TestRevocationRequestBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	jwt, refLogin, other := f.login("read offline_access"), f.passwordLogin(ref, testUser), f.login("read offline_access")
	wantActiveToken(t, f.introspectAs(f.own(), jwt.Str("access_token")), "the JWT") // warms the key set and f's client
	wantActiveToken(t, f.introspectAs(ref, refLogin.Str("access_token")), "the reference token")
	for _, tc := range []struct {
		name   string
		caller clientCred
		token  string
		ops    map[string]int
	}{
		{"JWT", f.own(), jwt.Str("access_token"), map[string]int{"PutItem": 1}},
		{"refresh token", f.own(), jwt.Str("refresh_token"), map[string]int{"GetItem": 1, "UpdateItem": 1}},
		{"reference token", ref, refLogin.Str("access_token"), map[string]int{"UpdateItem": 1}},
		{"another client's JWT", ref, other.Str("access_token"), map[string]int{}},
		{"another client's refresh token", ref, other.Str("refresh_token"), map[string]int{"GetItem": 1}},
		{"garbage", f.own(), "garbage", map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.DB.Counter.Reset()
			wantOKNoStore(t, f.revokeAs(tc.caller, tc.token))
			if got := f.DB.Counter.Ops(); !maps.Equal(got, tc.ops) {
				t.Errorf("requests = %v; want %v", got, tc.ops)
			}
			if w := f.DB.Counter.Writes(); w > 2 {
				t.Errorf("writes = %d; want at most 2", w)
			}
		})
	}
}

// A client that revokes on sign-out may hold the token a rotation just
// replaced (its answer was lost): revoking it still ends the session. An
// older generation is unknown to revocation (no key) and changes nothing.
func TestRevokePreviousGenerationEndsTheSession(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	gen1 := f.login("read offline_access").Str("refresh_token")
	gen2 := f.refresh(gen1).Str("refresh_token")
	gen3 := f.refresh(gen2).Str("refresh_token")
	wantOKNoStore(t, f.revokeAs(f.own(), gen1))
	if s := f.session(gen3); s.Status != tokens.SessionActive {
		t.Fatalf("session after revoking generation 1 of 3 = %s; want active", s.Status)
	}
	wantOKNoStore(t, f.revokeAs(f.own(), gen2))
	if s := f.session(gen3); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonRevoked {
		t.Errorf("session after revoking the previous generation = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonRevoked)
	}
	wantError(t, f.refresh(gen3), 400, "invalid_grant")
}

// DELETE /sessions/{id} is idempotent and counts what it did: the second
// call revokes nothing.
func TestDeleteSessionTwiceCountsOnce(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	token := f.login("read offline_access").Str("refresh_token")
	sid := f.session(token).ID
	admin := f.adminToken(tokens.ScopeSessionsRevoke)
	for i, want := range []float64{1, 0} {
		r := f.deleteAs(admin, "/sessions/"+sid)
		if r.Status != 200 || r.JSON["revoked"] != want {
			t.Errorf("DELETE #%d = %d %s; want 200 revoked %v", i+1, r.Status, r.Body, want)
		}
	}
}
