package httpapi_test

import (
	"context"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/password"
	"github.com/latchkey/latchkey/shared/store/memstore"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Fuzz targets of the browser sign-in's parsers: the authorization
// request (query of GET /oauth2/authorize) and the login form (body of
// POST /oauth2/login). Both drive the real handlers over a Service on the
// memory store, so each execution is fast, and hold every answer to: no
// 5xx, no panic, an HTML page or a redirect, never cached, and a redirect
// only to our own pages or to a redirect URI the client registered.
// Seeds are in testdata/fuzz/FuzzX/; {{CLIENT}} stands for the client id.

const fuzzIssuer = "https://auth.test"

// signInHandler is a process with one public third-party client and one
// user, on the memory store.
func signInHandler(t testing.TB) (http.Handler, tokens.Client) {
	t.Helper()
	svc := tokens.New(tokens.Options{
		Store: memstore.New(nil), Passwords: password.Argon2id{MemoryKiB: 64, Time: 1, Threads: 1}, Issuer: fuzzIssuer,
	})
	ctx := context.Background()
	c, _, err := svc.CreateClient(ctx, tokens.ClientSpec{
		Name: "Fuzz App", Public: true, Grants: []string{"authorization_code"}, Scopes: []string{"openid", "read"},
		RedirectURIs: []string{"https://app.example/cb", "http://127.0.0.1/cb"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "alice", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	return httpapi.New(svc, nil).Handler(), c
}

// loopbackCB is the loopback redirect URI on any port (RFC 8252 §7.3).
var loopbackCB = regexp.MustCompile(`^http://127\.0\.0\.1(:[1-9][0-9]{0,4})?/cb\?`)

// checkBrowserAnswer holds a sign-in answer to the targets' rules.
func checkBrowserAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	if rec.Code >= 500 || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s = %d, Cache-Control %q; want no 5xx and no-store", what, rec.Code, h.Get("Cache-Control"))
	}
	loc := h.Get("Location")
	switch {
	case rec.Code == http.StatusFound || rec.Code == http.StatusSeeOther:
		own := strings.HasPrefix(loc, "/oauth2/login?request=") || strings.HasPrefix(loc, "/oauth2/consent?request=")
		registered := strings.HasPrefix(loc, "https://app.example/cb?") || loopbackCB.MatchString(loc)
		if !own && !registered {
			t.Fatalf("%s redirects to %q; want our pages or a registered redirect URI", what, loc)
		}
		if registered && !strings.Contains(loc, "iss="+url.QueryEscape(fuzzIssuer)) {
			t.Errorf("%s redirects to %q without iss (RFC 9207)", what, loc)
		}
	case loc != "":
		t.Fatalf("%s = %d with Location %q", what, rec.Code, loc)
	case !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Content-Security-Policy") == "":
		t.Fatalf("%s = %d %q; want an HTML page with a CSP", what, rec.Code, h.Get("Content-Type"))
	}
}

func FuzzAuthorizeRequest(f *testing.F) {
	f.Add("response_type=code&client_id={{CLIENT}}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s")
	f.Add("response_type=token&client_id={{CLIENT}}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcb")
	f.Add("client_id={{CLIENT}}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb")
	h, c := signInHandler(f)
	f.Fuzz(func(t *testing.T, query string) {
		query = strings.ReplaceAll(query, "{{CLIENT}}", c.ID)
		req := httptest.NewRequest(http.MethodGet, "/oauth2/authorize", nil)
		req.URL.RawQuery = query // as API Gateway passes it: raw, whatever it holds
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkBrowserAnswer(t, "GET /oauth2/authorize?"+quote(query), rec)
	})
}

// FuzzLoginForm: the login form decodes exactly when url.ParseQuery
// accepts it without a repeated parameter, to its request, username and
// password; and the handler answers any body by the targets' rules.
func FuzzLoginForm(f *testing.F) {
	f.Add("request=abc&username=alice&password=correct+horse+battery")
	f.Add("username=alice&username=bob")
	f.Add("request=%zz")
	h, _ := signInHandler(f)
	f.Fuzz(func(t *testing.T, body string) {
		got, err := httpapi.DecodeLoginForm([]byte(body))
		want, perr := url.ParseQuery(body)
		repeated := slices.ContainsFunc(slices.Collect(maps.Values(want)), func(v []string) bool { return len(v) > 1 })
		switch {
		case err != nil:
			checkDecodeError(t, "DecodeLoginForm("+quote(body)+")", err)
			if perr == nil && !repeated {
				t.Errorf("DecodeLoginForm(%q) error = %v; want it decoded", body, err)
			}
		case perr != nil || repeated:
			t.Errorf("DecodeLoginForm(%q) = %+v; want an error", body, got)
		case got.RequestID != want.Get("request") || got.Username != want.Get("username") || got.Password != want.Get("password"):
			t.Errorf("DecodeLoginForm(%q) = %+v; want %v", body, got, want)
		}
		req := httptest.NewRequest(http.MethodPost, "/oauth2/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkBrowserAnswer(t, "POST /oauth2/login "+quote(body), rec)
	})
}
