package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestIAMSignInPaths drives the browser sign-in on DynamoDB Local, one
// process per function, for TestMain's comparison with template.yaml:
// a wrong password, a first-party sign-in, single sign-on with the login
// session touched, a third-party client's consent asked and remembered,
// code redemption and replay, UserInfo, revoking the subject's sessions
// (which withdraws consent) and logout.
func TestIAMSignInPaths(t *testing.T) {
	f := iamFixture(t, tokens.ClientSpec{})
	b := newIAMBrowser(t, f)
	codeGrant := []string{oauth.GrantAuthorizationCode, oauth.GrantRefreshToken}
	first, _ := f.Client(tokens.ClientSpec{Name: "first", Public: true, FirstParty: true, Grants: codeGrant,
		Scopes: []string{"openid", "read"}, AllowOfflineAccess: true, RedirectURIs: []string{iamCallback}})
	third, _ := f.Client(tokens.ClientSpec{Name: "third", Public: true, Grants: codeGrant,
		Scopes: []string{"openid", "read"}, RedirectURIs: []string{iamCallback}})
	verifier := strings.Repeat("v", 43)

	form := b.loginForm(first, verifier)
	wantPage(t, "wrong password", b.post("/oauth2/login", url.Values{
		"request": {field(form, "request")}, "username": {testUser}, "password": {"wrong"}}), 400)
	code := b.codeFrom(b.post("/oauth2/login", url.Values{
		"request": {field(form, "request")}, "username": {testUser}, "password": {testPassword}}))
	signedIn := b.redeem(first, code, verifier)
	wantStatus(t, "UserInfo", f.Do(http.MethodGet, "/oauth2/userinfo", "", "", bearer(signedIn.Str("access_token"))), 200)
	wantStatus(t, "code replay", b.redeemResponse(first, code, verifier), 400) // revokes the session

	f.Clock.Advance(2 * time.Hour) // single sign-on slides the login session's idle window
	start := b.get(b.authorizeURL(third, verifier))
	consent := b.get(location(start))
	wantPage(t, "consent page", consent, 200)
	b.codeFrom(b.post("/oauth2/consent", url.Values{"request": {field(consent, "request")}, "decision": {"allow"}}))
	b.codeFrom(b.get(b.authorizeURL(third, verifier))) // consent remembered

	admin := f.adminToken(tokens.ScopeAdmin)
	wantStatus(t, "revoke the subject's sessions", f.deleteAs(admin, "/sessions?subject="+url.QueryEscape(f.subject())), 200)
	out := b.get("/oauth2/logout")
	wantPage(t, "logout page", out, 200)
	if p := b.post("/oauth2/logout", url.Values{}); p.Status/100 != 2 && p.Status/100 != 3 {
		t.Fatalf("logout = %d %s", p.Status, p.Body)
	}
}

const iamCallback = "https://app.example/callback"

// iamBrowser is apptest's browser without JavaScript over HTTPS (the
// login cookie is __Host- and Secure) around the fixture's handler, which
// tags each request with its function for the IAM recorder.
type iamBrowser struct {
	*apptest.Browser
	t *testing.T
	f fixture
}

type iamPage = apptest.Page

func newIAMBrowser(t *testing.T, f fixture) *iamBrowser {
	srv := httptest.NewTLSServer(f.Handler)
	t.Cleanup(srv.Close)
	return &iamBrowser{Browser: apptest.NewBrowser(t, srv), t: t, f: f}
}

func (b *iamBrowser) get(path string) iamPage { return b.Get(path) }

func (b *iamBrowser) post(path string, form url.Values) iamPage { return b.Post(path, form) }

func (b *iamBrowser) authorizeURL(c tokens.Client, verifier string) string {
	scope := "openid read"
	if c.AllowOfflineAccess {
		scope += " offline_access"
	}
	return "/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {iamCallback}, "scope": {scope},
		"state": {"s"}, "code_challenge": {tokens.S256(verifier)}, "code_challenge_method": {"S256"},
	}.Encode()
}

// loginForm starts a request of c and returns the login page it leads to.
func (b *iamBrowser) loginForm(c tokens.Client, verifier string) iamPage {
	b.t.Helper()
	start := b.get(b.authorizeURL(c, verifier))
	page := b.get(location(start))
	wantPage(b.t, "login page", page, 200)
	return page
}

// codeFrom returns the code of a redirect to the callback.
func (b *iamBrowser) codeFrom(p iamPage) string {
	b.t.Helper()
	u, err := url.Parse(location(p))
	if err != nil || !strings.HasPrefix(location(p), iamCallback) || u.Query().Get("code") == "" {
		b.t.Fatalf("answer = %d Location %q %s; want a redirect to the callback with a code", p.Status, location(p), p.Body)
	}
	return u.Query().Get("code")
}

func (b *iamBrowser) redeemResponse(c tokens.Client, code, verifier string) apptest.Response {
	return b.f.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"authorization_code"}, "client_id": {c.ID},
		"code": {code}, "redirect_uri": {iamCallback}, "code_verifier": {verifier}})
}

func (b *iamBrowser) redeem(c tokens.Client, code, verifier string) apptest.Response {
	b.t.Helper()
	r := b.redeemResponse(c, code, verifier)
	wantStatus(b.t, "code redemption", r, 200)
	return r
}

func location(p iamPage) string { return p.Header.Get("Location") }

var requestField = regexp.MustCompile(`name="([^"]+)" value="([^"]*)"`)

// field returns the value of a page's hidden input.
func field(p iamPage, name string) string {
	for _, m := range requestField.FindAllStringSubmatch(p.Body, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	return ""
}

func wantPage(t *testing.T, what string, p iamPage, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s = %d %s; want %d", what, p.Status, p.Body, status)
	}
}
