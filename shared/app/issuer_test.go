package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

// A deployment without a configured issuer names it after the host each
// request reached (the API's own URL behind API Gateway). Issue 15 §5:
// tokens are still held to that issuer, introspection reports the token's
// own iss, and no request makes the issuer "https://" alone.
func TestPerRequestIssuer(t *testing.T) {
	t.Parallel()
	h := apptest.New(t, func(c *config.Config) { c.Issuer = "" })
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}})
	rs, rsSecret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Introspect: true})
	token := h.Token(c.ID, secret, url.Values{"grant_type": {"client_credentials"}}).Str("access_token")
	want := "https://" + strings.TrimPrefix(h.Server.URL, "http://")
	if got := jwtPayload(token)["iss"]; got != want {
		t.Fatalf("iss = %v; want the host the request reached, %s", got, want)
	}

	introspect := func(host string) apptest.Response {
		header := http.Header{"Authorization": {apptest.BasicAuth(rs.ID, rsSecret)}}
		req := url.Values{"token": {token}}.Encode()
		if host == "" {
			return h.Do(http.MethodPost, "/oauth2/introspect", "application/x-www-form-urlencoded", req, header)
		}
		return serveAt(h, host, "/oauth2/introspect", req, header)
	}
	if r := introspect(""); r.JSON["active"] != true || r.Str("iss") != want {
		t.Errorf("introspection where it was issued = %s; want active with iss %s", r.Body, want)
	}
	if r := introspect("auth.other.example"); r.JSON["active"] != false {
		t.Errorf("introspection at another host = %s; want inactive: its iss is not this issuer", r.Body)
	}

	for _, host := range []string{"", "evil.example/path", "user@evil.example"} {
		r := serveAt(h, host, "/oauth2/token", "grant_type=client_credentials",
			http.Header{"Authorization": {apptest.BasicAuth(c.ID, secret)}})
		if r.Status != http.StatusBadRequest || r.Str("error") != "invalid_request" || r.Str("access_token") != "" {
			t.Errorf("token request with Host %q = %d %s; want 400 invalid_request and no token", host, r.Status, r.Body)
		}
	}
}

// serveAt sends a form POST to the harness's handler as if it had reached
// host (possibly empty, which no real client can send over HTTP/1.1).
func serveAt(h *apptest.Harness, host, path, form string, header http.Header) apptest.Response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form))
	req.Host = host
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.App.Handler().ServeHTTP(rec, req)
	return responseOf(rec)
}

func responseOf(rec *httptest.ResponseRecorder) apptest.Response {
	r := apptest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
	_ = json.Unmarshal(rec.Body.Bytes(), &r.JSON)
	return r
}
