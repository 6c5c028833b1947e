package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/console"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/tokens"
)

// TestRefreshCookieOnPlainHTTP: on a plain-http issuer (make dev) the
// refresh cookie drops __Host- and Secure, which a browser would refuse
// over http, and is still read back under that name.
func TestRefreshCookieOnPlainHTTP(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, func(c *config.Config) { c.Issuer = "http://127.0.0.1:8080" })
	h.User("carol", "correct horse battery")
	pub, _ := h.Client(tokens.ClientSpec{Public: true, Grants: []string{"password", "refresh_token"},
		Scopes: []string{"read"}, AllowOfflineAccess: true})
	login := h.Token(pub.ID, "", url.Values{"grant_type": {"password"}, "client_id": {pub.ID}, "username": {"carol"},
		"password": {"correct horse battery"}, "scope": {"read offline_access"}})
	if login.Status != 200 {
		t.Fatalf("password grant = %d %s", login.Status, login.Body)
	}
	plain := strings.TrimPrefix(httpapi.RefreshCookie, "__Host-")
	r := h.Do(http.MethodPost, "/oauth2/refresh", "application/json", `{}`,
		http.Header{"Cookie": {(&http.Cookie{Name: plain, Value: login.Str("refresh_token")}).String()}})
	if r.Status != 200 {
		t.Fatalf("refresh with the %s cookie = %d %s; want 200", plain, r.Status, r.Body)
	}
	set := r.Header.Get("Set-Cookie")
	if !strings.HasPrefix(set, plain+"=") || strings.Contains(set, "Secure") || !strings.Contains(set, "HttpOnly") {
		t.Errorf("Set-Cookie = %q; want %s, HttpOnly, not Secure", set, plain)
	}
}

// TestConsoleFiles: the console's page and files carry its CSP; its
// config names the client and its scopes once it is set up.
func TestConsoleFiles(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	for _, path := range []string{"/console", "/console/app.js", "/console/console.css"} {
		r := h.Do(http.MethodGet, path, "", "", nil)
		if r.Status != 200 || r.Header.Get("Content-Security-Policy") != console.ContentSecurityPolicy ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s = %d, CSP %q; want 200 under the console's CSP", path, r.Status, r.Header.Get("Content-Security-Policy"))
		}
	}
	for _, path := range []string{"/console/missing.js", "/console/config.json"} {
		if r := h.Do(http.MethodGet, path, "", "", nil); r.Status != 404 {
			t.Errorf("GET %s = %d %s; want 404 (no such file; the console not set up)", path, r.Status, r.Body)
		}
	}
}
