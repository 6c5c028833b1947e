package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/password"
	"github.com/latchkey/latchkey/shared/store/memstore"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The sign-in's cookies are __Host- and Secure on an https issuer; on a
// plain http issuer (latchkey serve on a laptop) they drop both, which a
// browser would refuse over http, and keep HttpOnly and SameSite=Lax.
func TestSignInCookieNames(t *testing.T) {
	for _, tc := range []struct {
		issuer, cookie string
		secure         bool
	}{
		{"https://auth.example", httpapi.CSRFCookie, true},
		{"http://127.0.0.1:8080", "lk_csrf", false},
	} {
		svc := tokens.New(tokens.Options{Store: memstore.New(nil), Passwords: password.Argon2id{MemoryKiB: 64, Time: 1, Threads: 1}, Issuer: tc.issuer})
		c, _, err := svc.CreateClient(context.Background(), tokens.ClientSpec{Name: "app", Public: true,
			Grants: []string{"authorization_code"}, Scopes: []string{"openid"}, RedirectURIs: []string{"http://127.0.0.1/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {"http://127.0.0.1:5000/cb"},
			"code_challenge": {tokens.S256(strings.Repeat("v", 43))}, "code_challenge_method": {"S256"}}
		rec := httptest.NewRecorder()
		httpapi.New(svc, nil).Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/oauth2/authorize?"+q.Encode(), nil))
		cookies := rec.Result().Cookies()
		if rec.Code != http.StatusFound || len(cookies) != 1 {
			t.Fatalf("%s: authorize = %d, cookies %v; want 302 with the CSRF cookie", tc.issuer, rec.Code, cookies)
		}
		got := cookies[0]
		if got.Name != tc.cookie || got.Secure != tc.secure || !got.HttpOnly || got.SameSite != http.SameSiteLaxMode || got.Path != "/" {
			t.Errorf("%s: cookie = %+v; want %s, Secure %v, HttpOnly, SameSite=Lax, Path=/", tc.issuer, got, tc.cookie, tc.secure)
		}
	}
}
