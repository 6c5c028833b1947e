package app_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The browser sign-in (issue 10): the authorization endpoint, the hosted
// login and consent pages and code redemption, end to end on DynamoDB
// Local, driven over HTTPS by apptest.Browser.

const callback = "https://app.example/callback"

// signin is a harness with a user and one client of each kind: a public
// first-party app, a public third-party app, a confidential web app.
type signin struct {
	*apptest.Harness
	subject     string
	first       tokens.Client // public, first party, offline access
	third       tokens.Client // public, third party
	web         tokens.Client // confidential, first party
	webSecret   string
	browser     *apptest.Browser
	verifier    string
	challengeOK string
}

func newSignin(t *testing.T) *signin {
	t.Helper()
	t.Parallel()
	h := apptest.New(t)
	s := &signin{Harness: h, subject: h.User(testUser, testPassword), browser: h.Browser()}
	code := []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}
	s.first, _ = h.Client(tokens.ClientSpec{Name: "First App", Public: true, FirstParty: true, Grants: code,
		Scopes: []string{"openid", "read"}, AllowOfflineAccess: true, RedirectURIs: []string{callback, "http://127.0.0.1/cb"}})
	s.third, _ = h.Client(tokens.ClientSpec{Name: "Third App", Public: true, Grants: code,
		Scopes: []string{"openid", "read", "write"}, RedirectURIs: []string{callback}})
	s.web, s.webSecret = h.Client(tokens.ClientSpec{Name: "Web App", FirstParty: true, Grants: code,
		Scopes: []string{"openid", "read"}, AllowOfflineAccess: true, RedirectURIs: []string{callback}})
	s.verifier = oauth2.GenerateVerifier()
	s.challengeOK = tokens.S256(s.verifier)
	return s
}

// authorizeQuery is a valid request of client c, changed by the pairs.
func (s *signin) authorizeQuery(c tokens.Client, pairs ...string) string {
	q := url.Values{
		"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {callback}, "scope": {"openid read"},
		"state": {"st-1"}, "code_challenge": {s.challengeOK}, "code_challenge_method": {"S256"}, "nonce": {"n-1"},
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			q.Del(pairs[i])
			continue
		}
		q.Set(pairs[i], pairs[i+1])
	}
	return "/oauth2/authorize?" + q.Encode()
}

// loginForm starts a request and returns the login page it leads to.
func (s *signin) loginForm(b *apptest.Browser, c tokens.Client, pairs ...string) apptest.Page {
	s.T.Helper()
	start := b.Get(s.authorizeQuery(c, pairs...))
	if start.Status != 302 || !strings.HasPrefix(start.Location(), "/oauth2/login?request=") {
		s.T.Fatalf("authorize = %d Location %q %s; want 302 to the login page", start.Status, start.Location(), start.Body)
	}
	page := b.Get(start.Location())
	if page.Status != 200 || page.Field("request") == "" {
		s.T.Fatalf("login page = %d %s; want the form", page.Status, page.Body)
	}
	return page
}

// codeOf checks that a redirect reached the client with a code, the state
// and the issuer, and returns the code.
func (s *signin) codeOf(p apptest.Page) string {
	s.T.Helper()
	q := p.LocationQuery()
	if p.Status/100 != 3 || !strings.HasPrefix(p.Location(), callback+"?") || q.Get("code") == "" {
		s.T.Fatalf("answer = %d Location %q %s; want a redirect to the callback with a code", p.Status, p.Location(), p.Body)
	}
	if q.Get("state") != "st-1" || q.Get("iss") != s.App.Config.Issuer {
		s.T.Errorf("callback query = %v; want state st-1 and iss %s (RFC 9207)", q, s.App.Config.Issuer)
	}
	return q.Get("code")
}

// redeem exchanges a code at the token endpoint as client c.
func (s *signin) redeem(c tokens.Client, secret, code, verifier string) apptest.Response {
	s.T.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {callback}, "code_verifier": {verifier}}
	if secret == "" {
		form.Set("client_id", c.ID)
		return s.PostForm("/oauth2/token", "", "", form)
	}
	return s.Token(c.ID, secret, form)
}

// signIn runs the whole flow for the first-party client and returns the code.
func (s *signin) signIn(b *apptest.Browser, pairs ...string) string {
	s.T.Helper()
	return s.codeOf(b.LogIn(s.loginForm(b, s.first, pairs...), testUser, testPassword))
}

func TestSignInFirstParty(t *testing.T) {
	s := newSignin(t)
	code := s.signIn(s.browser, "scope", "openid read offline_access")
	r := s.redeem(s.first, "", code, s.verifier)
	if r.Status != 200 || r.Str("access_token") == "" || r.Str("refresh_token") == "" || r.Str("scope") != "openid read offline_access" {
		t.Fatalf("redeem = %d %s; want tokens with a refresh token", r.Status, r.Body)
	}
	info := s.introspect(r.Str("access_token"))
	if info["active"] != true || info["sub"] != s.subject || info["client_id"] != s.first.ID || info["sid"] == "" {
		t.Errorf("introspection = %v; want active, sub %s, the client, a session", info, s.subject)
	}
	if rr := s.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {s.first.ID},
		"refresh_token": {r.Str("refresh_token")}}); rr.Status != 200 {
		t.Errorf("refresh of the login's token = %d %s; want 200 (an ordinary session)", rr.Status, rr.Body)
	}
}

// introspect asks with a resource server's credentials.
func (s *signin) introspect(token string) map[string]any {
	s.T.Helper()
	rs, secret := s.Client(tokens.ClientSpec{Name: "rs", Grants: []string{"client_credentials"}, Introspect: true})
	return s.PostForm("/oauth2/introspect", rs.ID, secret, url.Values{"token": {token}}).JSON
}

func TestSignInWithoutOfflineAccessHasNoRefreshToken(t *testing.T) {
	s := newSignin(t)
	r := s.redeem(s.web, s.webSecret, s.codeOf(s.browser.LogIn(s.loginForm(s.browser, s.web), testUser, testPassword)), s.verifier)
	if r.Status != 200 || r.Str("access_token") == "" || r.Str("refresh_token") != "" {
		t.Fatalf("redeem = %d %s; want an access token and no refresh token", r.Status, r.Body)
	}
}

// Single sign-on: a second client signs the same browser in without the
// form; prompt=login and max_age=0 ask again; prompt=none answers without UI.
func TestSingleSignOn(t *testing.T) {
	s := newSignin(t)
	s.signIn(s.browser)
	again := s.browser.Get(s.authorizeQuery(s.web))
	if r := s.redeem(s.web, s.webSecret, s.codeOf(again), s.verifier); r.Status != 200 {
		t.Fatalf("redeem after SSO = %d %s", r.Status, r.Body)
	}
	for _, pairs := range [][]string{{"prompt", "login"}, {"max_age", "0"}} {
		if p := s.browser.Get(s.authorizeQuery(s.web, pairs...)); !strings.HasPrefix(p.Location(), "/oauth2/login?") {
			t.Errorf("%v with a login session = %d %q; want the login page", pairs, p.Status, p.Location())
		}
	}
	if p := s.browser.Get(s.authorizeQuery(s.web, "prompt", "none")); p.LocationQuery().Get("code") == "" {
		t.Errorf("prompt=none with a login session = %d %q; want a code", p.Status, p.Location())
	}
	if p := s.browser.Get(s.authorizeQuery(s.third, "prompt", "none")); p.LocationQuery().Get("error") != "consent_required" {
		t.Errorf("prompt=none without consent = %d %q; want consent_required", p.Status, p.Location())
	}
}

func TestConsent(t *testing.T) {
	s := newSignin(t)
	page := s.browser.LogIn(s.loginForm(s.browser, s.third), testUser, testPassword)
	if page.Status != 303 || !strings.HasPrefix(page.Location(), "/oauth2/consent?request=") {
		t.Fatalf("login for a third-party client = %d %q; want the consent page", page.Status, page.Location())
	}
	consent := s.browser.Get(page.Location())
	for _, want := range []string{"Third App", `name="decision" value="allow"`, `name="decision" value="deny"`, "<code>read</code>"} {
		if !strings.Contains(consent.Body, want) {
			t.Errorf("consent page lacks %q:\n%s", want, consent.Body)
		}
	}
	s.codeOf(s.browser.Decide(consent, "allow"))
	if p := s.browser.Get(s.authorizeQuery(s.third)); p.LocationQuery().Get("code") == "" {
		t.Errorf("second request after consent = %d %q; want a code without asking (remembered)", p.Status, p.Location())
	}
	if p := s.browser.Get(s.authorizeQuery(s.third, "scope", "openid read write")); !strings.HasPrefix(p.Location(), "/oauth2/consent?") {
		t.Errorf("a wider request = %d %q; want the consent page again", p.Status, p.Location())
	}
	if p := s.browser.Get(s.authorizeQuery(s.third, "prompt", "consent")); !strings.HasPrefix(p.Location(), "/oauth2/consent?") {
		t.Errorf("prompt=consent = %d %q; want the consent page again", p.Status, p.Location())
	}
	denied := s.browser.Decide(s.browser.Get(s.browser.Get(s.authorizeQuery(s.third, "prompt", "consent")).Location()), "deny")
	if q := denied.LocationQuery(); q.Get("error") != "access_denied" || q.Get("state") != "st-1" || q.Get("iss") == "" {
		t.Errorf("deny = %d %q; want access_denied with state and iss", denied.Status, denied.Location())
	}
}

// Revoking a session of the client withdraws the consent (docs/design.md
// §10): one session, or all of the subject's (sign out everywhere).
func TestRevokingASessionWithdrawsConsent(t *testing.T) {
	for name, path := range map[string]func(s *signin, sid string) string{
		"one session":   func(_ *signin, sid string) string { return "/sessions/" + sid },
		"every session": func(s *signin, _ string) string { return "/sessions?subject=" + url.QueryEscape(s.subject) },
	} {
		t.Run(name, func(t *testing.T) {
			s := newSignin(t)
			consent := s.browser.Get(s.browser.LogIn(s.loginForm(s.browser, s.third), testUser, testPassword).Location())
			r := s.redeem(s.third, "", s.codeOf(s.browser.Decide(consent, "allow")), s.verifier)
			sid, _ := s.introspect(r.Str("access_token"))["sid"].(string)
			if del := s.Do("DELETE", path(s, sid), "", "", bearer(r.Str("access_token"))); del.Status != 200 {
				t.Fatalf("DELETE %s = %d %s", path(s, sid), del.Status, del.Body)
			}
			if p := s.browser.Get(s.authorizeQuery(s.third)); !strings.HasPrefix(p.Location(), "/oauth2/consent?") {
				t.Errorf("after revoking = %d %q; want the consent page again", p.Status, p.Location())
			}
		})
	}
}

// The session's login timestamp is the real login time, not the redemption's.
func TestSessionAuthTimeIsTheLoginTime(t *testing.T) {
	s := newSignin(t)
	loginAt := s.Clock.Now()
	s.signIn(s.browser)
	s.Clock.Advance(3 * time.Hour)
	code := s.codeOf(s.browser.Get(s.authorizeQuery(s.first, "scope", "openid offline_access")))
	r := s.redeem(s.first, "", code, s.verifier)
	sess, err := s.App.Store.GetSession(context.Background(), s.introspect(r.Str("access_token"))["sid"].(string))
	if err != nil || !sess.AuthTime.Equal(loginAt) || sess.CreatedAt.Equal(loginAt) {
		t.Errorf("session auth time = %v (created %v), %v; want the login time %v", sess.AuthTime, sess.CreatedAt, err, loginAt)
	}
}

// The pages: no script, labelled inputs named username and password, and
// the headers of docs/design.md §10 on pages and redirects alike.
func TestSignInPages(t *testing.T) {
	s := newSignin(t)
	start := s.browser.Get(s.authorizeQuery(s.first))
	form := s.browser.Get(start.Location())
	css := s.browser.Get("/oauth2/assets/latchkey.css")
	for name, p := range map[string]apptest.Page{"redirect": start, "login page": form} {
		for h, want := range map[string]string{
			"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
			"Referrer-Policy":         "no-referrer", "Cache-Control": "no-store", "X-Frame-Options": "DENY",
		} {
			if got := p.Header.Get(h); got != want {
				t.Errorf("%s: %s = %q; want %q", name, h, got, want)
			}
		}
	}
	for _, want := range []string{`<label for="username">`, `<input id="username" name="username"`, `<label for="password">`,
		`<input id="password" name="password" type="password"`, `name="viewport"`, `href="/oauth2/assets/latchkey.css"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
	for _, banned := range []string{"<script", "style=", "http://", "https://"} {
		if strings.Contains(form.Body, banned) {
			t.Errorf("login page holds %q: no script, inline style or external asset", banned)
		}
	}
	if css.Status != 200 || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet = %d %q", css.Status, css.Header.Get("Content-Type"))
	}
	csrf, login := s.browser.Cookie("__Host-lk_csrf"), s.browser.Cookie("__Host-lk_login")
	if csrf == "" || login != "" {
		t.Errorf("cookies after the redirect: csrf %q, login %q; want a CSRF cookie and no login", csrf, login)
	}
	if !strings.Contains(start.Header.Get("Set-Cookie"), "HttpOnly") || !strings.Contains(start.Header.Get("Set-Cookie"), "Secure") ||
		!strings.Contains(start.Header.Get("Set-Cookie"), "SameSite=Lax") || !strings.Contains(start.Header.Get("Set-Cookie"), "Path=/") {
		t.Errorf("Set-Cookie = %q; want HttpOnly, Secure, SameSite=Lax, Path=/", start.Header.Get("Set-Cookie"))
	}
}

// A failed sign-in shows the form again with one message for every cause,
// sets no login cookie and issues nothing; the right password then works.
func TestSignInWrongPassword(t *testing.T) {
	s := newSignin(t)
	form := s.loginForm(s.browser, s.first)
	for _, tc := range []struct{ user, password string }{{testUser, "wrong-password"}, {"nobody", testPassword}, {testUser, ""}} {
		p := s.browser.LogIn(form, tc.user, tc.password)
		if p.Status != 400 || p.Location() != "" || s.browser.Cookie("__Host-lk_login") != "" || p.Field("request") != form.Field("request") {
			t.Errorf("login as %q/%q = %d %q; want the form again (400), no login cookie", tc.user, tc.password, p.Status, p.Location())
		}
		if tc.password != "" && !strings.Contains(p.Body, "Invalid username or password.") {
			t.Errorf("login as %q: the page does not say %q", tc.user, "Invalid username or password.")
		}
	}
	s.codeOf(s.browser.LogIn(form, testUser, testPassword))
}

// RP-initiated logout: a signed-in browser confirms, the login session
// ends, the browser returns to the registered URI with state, and the
// next request needs the password again.
func TestLogout(t *testing.T) {
	s := newSignin(t)
	s.signIn(s.browser)
	q := url.Values{"client_id": {s.first.ID}, "post_logout_redirect_uri": {callback}, "state": {"bye"}}
	confirm := s.browser.Get("/oauth2/logout?" + q.Encode())
	if confirm.Status != 200 || confirm.Field("post_logout_redirect_uri") != callback {
		t.Fatalf("logout page = %d %s; want the confirmation form", confirm.Status, confirm.Body)
	}
	done := s.browser.Post("/oauth2/logout", q)
	if done.Status != 303 || done.Location() != callback+"?state=bye" || s.browser.Cookie("__Host-lk_login") != "" {
		t.Errorf("logout = %d %q, login cookie %q; want 303 to the callback with state and the cookie cleared",
			done.Status, done.Location(), s.browser.Cookie("__Host-lk_login"))
	}
	if p := s.browser.Get(s.authorizeQuery(s.first, "prompt", "none")); p.LocationQuery().Get("error") != "login_required" {
		t.Errorf("prompt=none after logout = %q; want login_required", p.Location())
	}
	if p := s.Browser().Get("/oauth2/logout"); p.Status != 200 || !strings.Contains(p.Body, "signed out") {
		t.Errorf("logout without a session = %d; want the signed-out page", p.Status)
	}
}

// A disabled user's login session no longer signs anyone in: single
// sign-on answers login_required (and the form would refuse the
// password), so `latchkey user disable` cannot be outrun by a browser
// that is still signed in.
func TestSingleSignOnEndsWhenTheUserIsDisabled(t *testing.T) {
	s := newSignin(t)
	s.signIn(s.browser)
	if p := s.browser.Get(s.authorizeQuery(s.first, "prompt", "none")); p.LocationQuery().Get("code") == "" {
		t.Fatalf("prompt=none with a login session = %d %q; want a code", p.Status, p.Location())
	}
	if _, err := s.App.Service.DisableUser(context.Background(), testUser); err != nil {
		t.Fatalf("DisableUser: %v", err)
	}
	if p := s.browser.Get(s.authorizeQuery(s.first, "prompt", "none")); p.LocationQuery().Get("error") != "login_required" {
		t.Errorf("prompt=none for a disabled user = %d %q; want login_required", p.Status, p.Location())
	}
	if p := s.browser.Get(s.authorizeQuery(s.first)); !strings.HasPrefix(p.Location(), "/oauth2/login?") {
		t.Errorf("authorize for a disabled user = %d %q; want the login page", p.Status, p.Location())
	}
}
