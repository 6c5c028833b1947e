package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/tokens"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	formType    = "application/x-www-form-urlencoded"
	jsonType    = "application/json"
	testUser    = "alice"
	testPass    = "correct horse battery"
	tokenPath   = "/oauth2/token"
	refreshPath = "/oauth2/refresh"
)

// fixture is a harness with a confidential client allowed every grant, a
// public first-party client and one user.
type fixture struct {
	*apptest.Harness
	conf       tokens.Client
	confSecret string
	pub        tokens.Client
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	h := apptest.New(t)
	conf, secret := h.Client(tokens.ClientSpec{
		Name:   "confidential",
		Grants: []string{"client_credentials", "password", "refresh_token"},
		Scopes: []string{"read", "write"}, AllowOfflineAccess: true,
	})
	pub, _ := h.Client(tokens.ClientSpec{
		Name: "spa", Public: true,
		Grants: []string{"password", "refresh_token"},
		Scopes: []string{"read"}, AllowOfflineAccess: true,
	})
	h.User(testUser, testPass)
	return fixture{Harness: h, conf: conf, confSecret: secret, pub: pub}
}

// do sends one request to the harness server, failing t (not the
// harness's test), so subtests may call it.
func do(t *testing.T, h *apptest.Harness, method, path, contentType, body string, header http.Header) apptest.Response {
	t.Helper()
	return h.DoT(t, method, path, contentType, body, header)
}

func basic(id, secret string) http.Header {
	return http.Header{"Authorization": {apptest.BasicAuth(id, secret)}}
}

func rawAuth(v string) http.Header { return http.Header{"Authorization": {v}} }

// checkError holds an error answer to RFC 6749 §5.2 and docs/design.md §7.8:
// the status and code, a description, no caching, JSON, never 5xx.
func checkError(t *testing.T, r apptest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.Str("error") != code {
		t.Errorf("answer = %d %s; want %d %s", r.Status, strings.TrimSpace(r.Body), status, code)
	}
	if r.Status >= 500 {
		t.Errorf("status = %d; bad input must never get a 5xx", r.Status)
	}
	if r.Str("error_description") == "" {
		t.Errorf("error_description is empty in %s", r.Body)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
	if got := r.Header.Get("Content-Type"); got != jsonType {
		t.Errorf("Content-Type = %q; want %s", got, jsonType)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	auth := basic(f.conf.ID, f.confSecret)
	oversized := "grant_type=client_credentials&pad=" + strings.Repeat("a", 64<<10)
	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		header      http.Header
		status      int
		code        string
		allow       string
	}{
		{"token/GET", http.MethodGet, tokenPath, "", "", nil, 405, "method_not_allowed", "POST"},
		{"token/PUT", http.MethodPut, tokenPath, formType, "grant_type=client_credentials", auth, 405, "method_not_allowed", "POST"},
		{"token/JSON body", http.MethodPost, tokenPath, jsonType, `{"grant_type":"client_credentials"}`, auth, 400, "invalid_request", ""},
		{"token/no content type", http.MethodPost, tokenPath, "", "grant_type=client_credentials", auth, 400, "invalid_request", ""},
		{"token/bad content type", http.MethodPost, tokenPath, "form;;", "grant_type=client_credentials", auth, 400, "invalid_request", ""},
		{"token/oversized body", http.MethodPost, tokenPath, formType, oversized, auth, 400, "invalid_request", ""},
		{"token/malformed form", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&scope=%zz", auth, 400, "invalid_request", ""},
		{"token/repeated parameter", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&grant_type=password", auth, 400, "invalid_request", ""},
		{"token/repeated scope", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&scope=read&scope=write", auth, 400, "invalid_request", ""},
		{"token/Basic not base64", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Basic !!not-base64!!"), 400, "invalid_request", ""},
		{"token/Basic without colon", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(f.conf.ID))), 400, "invalid_request", ""},
		{"token/Basic empty id", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Basic " + base64.StdEncoding.EncodeToString([]byte(":secret"))), 400, "invalid_request", ""},
		{"token/Basic bad escape", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:secret"))), 400, "invalid_request", ""},
		{"token/Basic scheme only", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Basic"), 400, "invalid_request", ""},
		{"token/wrong scheme", http.MethodPost, tokenPath, formType, "grant_type=client_credentials", rawAuth("Bearer " + f.confSecret), 400, "invalid_request", ""},
		{"token/Basic and client_secret", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&client_secret=" + url.QueryEscape(f.confSecret), auth, 400, "invalid_request", ""},
		{"token/Basic and another client_id", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&client_id=someone-else", auth, 400, "invalid_request", ""},
		{"token/unknown grant_type", http.MethodPost, tokenPath, formType, "grant_type=urn:example:magic", auth, 400, "unsupported_grant_type", ""},
		{"token/missing grant_type", http.MethodPost, tokenPath, formType, "scope=read", auth, 400, "invalid_request", ""},
		{"token/empty body", http.MethodPost, tokenPath, formType, "", auth, 400, "invalid_request", ""},
		{"token/missing username", http.MethodPost, tokenPath, formType, "grant_type=password&password=" + url.QueryEscape(testPass), auth, 400, "invalid_request", ""},
		{"token/missing password", http.MethodPost, tokenPath, formType, "grant_type=password&username=" + testUser, auth, 400, "invalid_request", ""},
		{"token/missing refresh_token", http.MethodPost, tokenPath, formType, "grant_type=refresh_token", auth, 400, "invalid_request", ""},
		{"token/scope not allowed", http.MethodPost, tokenPath, formType, "grant_type=client_credentials&scope=admin", auth, 400, "invalid_scope", ""},
		{"unknown path", http.MethodPost, "/oauth2/nope", formType, "grant_type=client_credentials", auth, 404, "not_found", ""},
		{"unknown path GET", http.MethodGet, "/", "", "", nil, 404, "not_found", ""},
		{"metadata/POST", http.MethodPost, "/.well-known/oauth-authorization-server", "", "", nil, 405, "method_not_allowed", "GET"},
		{"refresh/GET", http.MethodGet, refreshPath, "", "", nil, 405, "method_not_allowed", "POST"},
		{"refresh/malformed JSON", http.MethodPost, refreshPath, jsonType, `{"refresh_token":`, auth, 400, "invalid_request", ""},
		{"refresh/JSON syntax error", http.MethodPost, refreshPath, jsonType, `{refresh_token: "x"}`, auth, 400, "invalid_request", ""},
		{"refresh/JSON wrong type", http.MethodPost, refreshPath, jsonType, `{"refresh_token": 42}`, auth, 400, "invalid_request", ""},
		{"refresh/JSON array", http.MethodPost, refreshPath, jsonType, `["lk_rt_x.1.y"]`, auth, 400, "invalid_request", ""},
		{"refresh/unknown JSON field", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y","client_secret":"s"}`, auth, 400, "invalid_request", ""},
		{"refresh/trailing object", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y"} {}`, auth, 400, "invalid_request", ""},
		{"refresh/trailing garbage", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y"}garbage`, auth, 400, "invalid_request", ""},
		{"refresh/trailing brace", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y"}}`, auth, 400, "invalid_request", ""},
		{"refresh/trailing bracket", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y"}]`, auth, 400, "invalid_request", ""},
		{"refresh/text/plain", http.MethodPost, refreshPath, "text/plain", `{"refresh_token":"lk_rt_x.1.y"}`, auth, 400, "invalid_request", ""},
		{"refresh/no content type", http.MethodPost, refreshPath, "", `{"refresh_token":"lk_rt_x.1.y"}`, auth, 400, "invalid_request", ""},
		{"refresh/oversized body", http.MethodPost, refreshPath, formType, oversized, auth, 400, "invalid_request", ""},
		{"refresh/malformed form", http.MethodPost, refreshPath, formType, "refresh_token=%zz", auth, 400, "invalid_request", ""},
		{"refresh/repeated parameter", http.MethodPost, refreshPath, formType, "refresh_token=a&refresh_token=b", auth, 400, "invalid_request", ""},
		{"refresh/bad Basic", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"lk_rt_x.1.y"}`, rawAuth("Basic ###"), 400, "invalid_request", ""},
		{"refresh/missing refresh_token", http.MethodPost, refreshPath, jsonType, `{}`, auth, 400, "invalid_request", ""},
		{"refresh/no body no cookie", http.MethodPost, refreshPath, "", "", nil, 400, "invalid_request", ""},
		{"refresh/garbled token", http.MethodPost, refreshPath, jsonType, `{"refresh_token":"not-a-token"}`, auth, 400, "invalid_grant", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, f.Harness, tc.method, tc.path, tc.contentType, tc.body, tc.header)
			checkError(t, r, tc.status, tc.code)
			if got := r.Header.Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q; want %q", got, tc.allow)
			}
		})
	}
}

// TestBodyLimitBoundary: a body of exactly 64 KiB is read; one byte more
// is refused.
func TestBodyLimitBoundary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	prefix := "grant_type=client_credentials&pad="
	exact := prefix + strings.Repeat("a", 64<<10-len(prefix))
	r := do(t, f.Harness, http.MethodPost, tokenPath, formType, exact, basic(f.conf.ID, f.confSecret))
	if r.Status != http.StatusOK {
		t.Errorf("POST %d-byte body = %d %s; want 200", len(exact), r.Status, r.Body)
	}
	r = do(t, f.Harness, http.MethodPost, tokenPath, formType, exact+"a", basic(f.conf.ID, f.confSecret))
	checkError(t, r, http.StatusBadRequest, "invalid_request")
}

func ccForm(scope string) string {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}.Encode()
}

func TestClientAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	onlyPassword, onlyPasswordSecret := f.Client(tokens.ClientSpec{
		Name: "password only", Grants: []string{"password"}, Scopes: []string{"read"},
	})
	cases := []struct {
		name   string
		body   string
		header http.Header
		status int
		code   string
	}{
		{"client_secret_basic", ccForm("read"), basic(f.conf.ID, f.confSecret), 200, ""},
		{"client_secret_post", ccForm("read") + "&" + url.Values{"client_id": {f.conf.ID}, "client_secret": {f.confSecret}}.Encode(), nil, 200, ""},
		{"Basic with the same client_id in the form", ccForm("read") + "&client_id=" + f.conf.ID, basic(f.conf.ID, f.confSecret), 200, ""},
		{"no credentials", ccForm("read"), nil, 401, "invalid_client"},
		{"client_id without secret", ccForm("read") + "&client_id=" + f.conf.ID, nil, 401, "invalid_client"},
		{"Basic with empty secret", ccForm("read"), basic(f.conf.ID, ""), 401, "invalid_client"},
		{"wrong secret", ccForm("read"), basic(f.conf.ID, f.confSecret+"x"), 401, "invalid_client"},
		{"unknown client", ccForm("read"), basic("no-such-client", f.confSecret), 401, "invalid_client"},
		{"grant not allowed", ccForm("read"), basic(onlyPassword.ID, onlyPasswordSecret), 400, "unauthorized_client"},
		{"public client with client_credentials", ccForm("read") + "&client_id=" + f.pub.ID, nil, 400, "unauthorized_client"},
		{"public client sending a secret", ccForm("read") + "&client_id=" + f.pub.ID + "&client_secret=guess", nil, 401, "invalid_client"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := do(t, f.Harness, http.MethodPost, tokenPath, formType, tc.body, tc.header)
			if tc.status == 200 {
				if r.Status != 200 || r.Str("access_token") == "" {
					t.Fatalf("answer = %d %s; want 200 with an access_token", r.Status, r.Body)
				}
				return
			}
			checkError(t, r, tc.status, tc.code)
			if tc.code == "invalid_client" {
				if got, want := r.Header.Get("WWW-Authenticate"), `Basic realm="latchkey"`; got != want {
					t.Errorf("WWW-Authenticate = %q; want %q", got, want)
				}
			}
		})
	}
}

// TestUnknownClientAndWrongSecretLookAlike holds docs/design.md §7.7: nothing
// in the answer tells whether the client exists.
func TestUnknownClientAndWrongSecretLookAlike(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, style := range []string{"basic", "post"} {
		t.Run(style, func(t *testing.T) {
			send := func(id, secret string) apptest.Response {
				if style == "basic" {
					return do(t, f.Harness, http.MethodPost, tokenPath, formType, ccForm("read"), basic(id, secret))
				}
				body := ccForm("read") + "&" + url.Values{"client_id": {id}, "client_secret": {secret}}.Encode()
				return do(t, f.Harness, http.MethodPost, tokenPath, formType, body, nil)
			}
			wrong := send(f.conf.ID, "lk_cs_wrong")
			unknown := send("no-such-client", "lk_cs_wrong")
			checkError(t, wrong, 401, "invalid_client")
			if unknown.Status != wrong.Status || unknown.Body != wrong.Body {
				t.Errorf("unknown client = %d %s; wrong secret = %d %s; want identical", unknown.Status, unknown.Body, wrong.Status, wrong.Body)
			}
			a, b := wrong.Header.Clone(), unknown.Header.Clone()
			a.Del("Date")
			b.Del("Date")
			if !maps.EqualFunc(a, b, slices.Equal) {
				t.Errorf("headers differ:\n wrong secret:   %v\n unknown client: %v", a, b)
			}
		})
	}
}

func TestDisabledClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	auth := basic(f.conf.ID, f.confSecret)
	if r := do(t, f.Harness, http.MethodPost, tokenPath, formType, ccForm("read"), auth); r.Status != 200 {
		t.Fatalf("before disabling: %d %s; want 200", r.Status, r.Body)
	}
	if err := f.App.Service.DisableClient(context.Background(), f.conf.ID); err != nil {
		t.Fatalf("DisableClient: %v", err)
	}
	r := do(t, f.Harness, http.MethodPost, tokenPath, formType, ccForm("read"), auth)
	checkError(t, r, 401, "invalid_client")
	if got, want := r.Header.Get("WWW-Authenticate"), `Basic realm="latchkey"`; got != want {
		t.Errorf("WWW-Authenticate = %q; want %q", got, want)
	}
	wrong := do(t, f.Harness, http.MethodPost, tokenPath, formType, ccForm("read"), basic(f.conf.ID, "lk_cs_wrong"))
	if r.Body != wrong.Body {
		t.Errorf("disabled client body = %s; wrong secret body = %s; want identical", r.Body, wrong.Body)
	}
}

// TestPublicClientStoredWithClientCredentials: a public client record that
// lists client_credentials (written around CreateClient's validation)
// still gets no token for itself (RFC 6749 §4.4).
func TestPublicClientStoredWithClientCredentials(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	c := tokens.Client{
		ID: "public-cc", Name: "public", AuthMethod: "none",
		Grants: []string{"client_credentials"}, Scopes: []string{"read"},
		AccessTokenTTL: 15 * time.Minute, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: 720 * time.Hour, RefreshRotation: tokens.RotationRotate,
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: h.Clock.Now(),
	}
	if err := h.App.Store.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	r := do(t, h, http.MethodPost, tokenPath, formType, ccForm("read")+"&client_id=public-cc", nil)
	checkError(t, r, 400, "unauthorized_client")
}

// login runs the password grant with offline_access for the confidential
// client (Basic) or the public one (client_id only) and returns the
// refresh token.
func (f fixture) login(t *testing.T, public bool) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPass}, "scope": {"read offline_access"}}
	var header http.Header
	if public {
		form.Set("client_id", f.pub.ID)
	} else {
		header = basic(f.conf.ID, f.confSecret)
	}
	r := do(t, f.Harness, http.MethodPost, tokenPath, formType, form.Encode(), header)
	if r.Status != 200 || r.Str("refresh_token") == "" {
		t.Fatalf("password grant = %d %s; want 200 with a refresh_token", r.Status, r.Body)
	}
	return r.Str("refresh_token")
}

// checkRotated holds a successful refresh answer: a new access token, a
// refresh token other than old (unless inCookie), no caching.
func checkRotated(t *testing.T, r apptest.Response, old string, inCookie bool) {
	t.Helper()
	if r.Status != 200 || r.Str("access_token") == "" {
		t.Fatalf("refresh = %d %s; want 200 with an access_token", r.Status, r.Body)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
	_, inBody := r.JSON["refresh_token"]
	switch {
	case inCookie && inBody:
		t.Errorf("refresh_token is in the JSON body %s; want it only in the cookie", r.Body)
	case !inCookie && (r.Str("refresh_token") == "" || r.Str("refresh_token") == old):
		t.Errorf("refresh_token = %q; want a new one (old %q)", r.Str("refresh_token"), old)
	}
}

func refreshCookie(t *testing.T, r apptest.Response) *http.Cookie {
	t.Helper()
	lines := r.Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("Set-Cookie = %q; want one cookie", lines)
	}
	c, err := http.ParseSetCookie(lines[0])
	if err != nil {
		t.Fatalf("ParseSetCookie(%q): %v", lines[0], err)
	}
	if c.Name != httpapi.RefreshCookie || c.Path != "/" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Domain != "" {
		t.Errorf("Set-Cookie = %q; want %s with Path=/, Secure, HttpOnly, SameSite=Strict, no Domain", lines[0], httpapi.RefreshCookie)
	}
	return c
}

func cookieHeader(token string) http.Header {
	return http.Header{"Cookie": {(&http.Cookie{Name: httpapi.RefreshCookie, Value: token}).String()}}
}

func jsonRefresh(token string) string {
	b, _ := json.Marshal(map[string]string{"refresh_token": token})
	return string(b)
}

func TestRefreshShapes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	confAuth := basic(f.conf.ID, f.confSecret)

	t.Run("JSON with Basic", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, jsonRefresh(rt), confAuth)
		checkRotated(t, r, rt, false)
		if len(r.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("Set-Cookie = %q; want none for a JSON-borne token", r.Header.Values("Set-Cookie"))
		}
	})
	t.Run("JSON with charset", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType+"; charset=utf-8", jsonRefresh(rt), confAuth)
		checkRotated(t, r, rt, false)
	})
	t.Run("form with Basic", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		r := do(t, f.Harness, http.MethodPost, refreshPath, formType, url.Values{"refresh_token": {rt}}.Encode(), confAuth)
		checkRotated(t, r, rt, false)
	})
	t.Run("form with client_secret_post", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		body := url.Values{"refresh_token": {rt}, "client_id": {f.conf.ID}, "client_secret": {f.confSecret}}.Encode()
		r := do(t, f.Harness, http.MethodPost, refreshPath, formType, body, nil)
		checkRotated(t, r, rt, false)
	})
	t.Run("cookie of a public client", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, true)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, `{}`, cookieHeader(rt))
		checkRotated(t, r, rt, true)
		c := refreshCookie(t, r)
		if c.Value == "" || c.Value == rt || !strings.HasPrefix(c.Value, tokens.RefreshTokenPrefix) {
			t.Errorf("cookie value = %q; want a new refresh token (old %q)", c.Value, rt)
		}
		if c.MaxAge <= 0 {
			t.Errorf("cookie Max-Age = %d; want the refresh token's lifetime", c.MaxAge)
		}
		// The rotated cookie works in turn.
		r2 := do(t, f.Harness, http.MethodPost, refreshPath, "", "", withHeader(cookieHeader(c.Value), "X-Requested-With", "fetch"))
		checkRotated(t, r2, c.Value, true)
	})
	t.Run("cookie with an empty JSON body", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, true)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, `{}`, cookieHeader(rt))
		checkRotated(t, r, rt, true)
		refreshCookie(t, r)
	})
	t.Run("invalid cookie is cleared", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, true)
		forged := rt[:len(rt)-4] + "AAAA"
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, `{}`, cookieHeader(forged))
		checkError(t, r, 400, "invalid_grant")
		c := refreshCookie(t, r)
		if c.Value != "" || c.MaxAge >= 0 {
			t.Errorf("cookie = %q, Max-Age %d; want it cleared (empty, Max-Age=0)", c.Value, c.MaxAge)
		}
	})
	t.Run("public client JSON without credentials", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, true)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, jsonRefresh(rt), nil)
		checkRotated(t, r, rt, false)
	})
	t.Run("confidential session without credentials", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, jsonRefresh(rt), nil)
		checkError(t, r, 401, "invalid_client")
		if got, want := r.Header.Get("WWW-Authenticate"), `Basic realm="latchkey"`; got != want {
			t.Errorf("WWW-Authenticate = %q; want %q", got, want)
		}
		r = do(t, f.Harness, http.MethodPost, refreshPath, jsonType, `{}`, cookieHeader(rt))
		checkError(t, r, 401, "invalid_client")
		// The failed attempts spent nothing: with credentials it works.
		r = do(t, f.Harness, http.MethodPost, refreshPath, jsonType, jsonRefresh(rt), confAuth)
		checkRotated(t, r, rt, false)
	})
	t.Run("confidential session with the wrong secret", func(t *testing.T) {
		t.Parallel()
		rt := f.login(t, false)
		r := do(t, f.Harness, http.MethodPost, refreshPath, jsonType, jsonRefresh(rt), basic(f.conf.ID, "lk_cs_wrong"))
		checkError(t, r, 401, "invalid_client")
	})
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it)\n got: %s\nwant: %s", path, got, want)
	}
}

func indent(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	r := do(t, h, http.MethodGet, "/.well-known/oauth-authorization-server", "", "", nil)
	if r.Status != 200 {
		t.Fatalf("GET metadata = %d %s; want 200", r.Status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != jsonType {
		t.Errorf("Content-Type = %q; want %s", got, jsonType)
	}
	if got := r.Str("issuer"); got != h.App.Config.Issuer {
		t.Errorf("issuer = %q; want %q (RFC 8414 §3.3)", got, h.App.Config.Issuer)
	}
	golden(t, "metadata.golden.json", []byte(r.Body))
}

// jwk is a public key as JWKS publishes it; D would be a leak.
type jwk struct {
	Kty string  `json:"kty"`
	Crv string  `json:"crv"`
	Alg string  `json:"alg"`
	Use string  `json:"use"`
	Kid string  `json:"kid"`
	X   string  `json:"x"`
	Y   string  `json:"y"`
	N   string  `json:"n"`
	E   string  `json:"e"`
	D   *string `json:"d"`
	P   *string `json:"p"`
}

// fetchJWKS returns the published keys, checking their shape.
func fetchJWKS(t *testing.T, h *apptest.Harness) ([]map[string]any, []jwk) {
	t.Helper()
	r := do(t, h, http.MethodGet, "/.well-known/jwks.json", "", "", nil)
	if r.Status != 200 {
		t.Fatalf("GET jwks = %d %s; want 200", r.Status, r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != "application/jwk-set+json" && got != jsonType {
		t.Errorf("Content-Type = %q; want application/jwk-set+json", got)
	}
	var raw struct{ Keys []map[string]any }
	var typed struct{ Keys []jwk }
	if err := json.Unmarshal([]byte(r.Body), &raw); err != nil {
		t.Fatalf("JWKS %s: %v", r.Body, err)
	}
	_ = json.Unmarshal([]byte(r.Body), &typed)
	return raw.Keys, typed.Keys
}

func TestJWKS(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	raw, keys := fetchJWKS(t, h)
	if len(keys) != 4 {
		t.Fatalf("JWKS has %d keys; want 4 (current and next, ES256 and the RS256 ID token keys)", len(keys))
	}
	kids := map[string]bool{}
	for i, k := range keys {
		if k.D != nil || k.P != nil {
			t.Errorf("key %d publishes a private part", i)
		}
		if kids[k.Kid] || k.Kid == "" {
			t.Errorf("kid %q is empty or appears twice", k.Kid)
		}
		kids[k.Kid] = true
		fields := []string{"kid", "x", "y"}
		if k.Alg == "RS256" {
			checkRSAKey(t, i, k)
			fields = []string{"kid", "n"}
		} else {
			checkECKey(t, i, k)
		}
		for _, field := range fields {
			raw[i][field] = "<" + field + ">"
		}
	}
	golden(t, "jwks.golden.json", indent(t, map[string]any{"keys": raw}))
}

func checkECKey(t *testing.T, i int, k jwk) {
	t.Helper()
	if k.Kty != "EC" || k.Crv != "P-256" || k.Alg != "ES256" || k.Use != "sig" {
		t.Errorf("key %d = kty %q crv %q alg %q use %q; want EC P-256 ES256 sig", i, k.Kty, k.Crv, k.Alg, k.Use)
	}
	for _, coord := range []string{k.X, k.Y} {
		if b, err := base64.RawURLEncoding.DecodeString(coord); err != nil || len(b) != 32 {
			t.Errorf("key %d coordinate %q is not 32 bytes of base64url", i, coord)
		}
	}
}

// checkRSAKey checks an ID token key: RSA-2048 (RFC 7518 §3.3, §6.3.1).
func checkRSAKey(t *testing.T, i int, k jwk) {
	t.Helper()
	if k.Kty != "RSA" || k.Use != "sig" || k.E != "AQAB" {
		t.Errorf("key %d = kty %q use %q e %q; want RSA sig AQAB", i, k.Kty, k.Use, k.E)
	}
	if b, err := base64.RawURLEncoding.DecodeString(k.N); err != nil || len(b) != 256 {
		t.Errorf("key %d modulus is not 2048 bits of base64url", i)
	}
}

// TestClientCredentialsToken pins the token response and the RFC 9068
// profile of its access token.
func TestClientCredentialsToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := do(t, f.Harness, http.MethodPost, tokenPath, formType, ccForm("read write"), basic(f.conf.ID, f.confSecret))
	if r.Status != 200 {
		t.Fatalf("client_credentials = %d %s; want 200", r.Status, r.Body)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store (RFC 6749 §5.1)", got)
	}
	if got := r.Header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma = %q; want no-cache (RFC 6749 §5.1)", got)
	}
	at := r.Str("access_token")
	if at == "" {
		t.Fatalf("no access_token in %s", r.Body)
	}
	golden(t, "token_client_credentials.golden.json", []byte(strings.Replace(r.Body, at, "<access_token>", 1)))

	header, claims := decodeJWT(t, at)
	if header["typ"] != "at+jwt" || header["alg"] != "ES256" {
		t.Errorf("JWT header = %v; want typ at+jwt, alg ES256 (RFC 9068 §2.1)", header)
	}
	_, keys := fetchJWKS(t, f.Harness)
	if !slices.ContainsFunc(keys, func(k jwk) bool { return k.Kid == header["kid"] }) {
		t.Errorf("JWT kid %v is not in the JWKS", header["kid"])
	}
	names := slices.Sorted(maps.Keys(claims))
	if want := []string{"aud", "client_id", "exp", "iat", "iss", "jti", "scope", "sub"}; !slices.Equal(names, want) {
		t.Errorf("claims = %v; want exactly %v", names, want)
	}
	checks := []struct {
		claim string
		got   any
		want  any
	}{
		{"iss", claims["iss"], "https://auth.test"},
		{"aud", claims["aud"], "https://auth.test"},
		{"sub", claims["sub"], f.conf.ID},
		{"client_id", claims["client_id"], f.conf.ID},
		{"scope", claims["scope"], "read write"},
		{"iat", claims["iat"], float64(apptest.Start.Unix())},
		{"exp-iat", num(claims["exp"]) - num(claims["iat"]), float64(900)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("claim %s = %v; want %v", c.claim, c.got, c.want)
		}
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("jti = %v; want a random id", claims["jti"])
	}
	claims["sub"], claims["client_id"], claims["jti"] = "<client_id>", "<client_id>", "<jti>"
	header["kid"] = "<kid>"
	golden(t, "jwt_client_credentials.golden.json", indent(t, map[string]any{"header": header, "claims": claims}))
}

func num(v any) float64 { f, _ := v.(float64); return f }

// decodeJWT returns the header and claims of a compact JWS, unverified.
func decodeJWT(t *testing.T, token string) (map[string]any, map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token has %d parts; want 3 (a compact JWS)", len(parts))
	}
	var out [2]map[string]any
	for i := range out {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("JWT part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatalf("JWT part %d %s: %v", i, b, err)
		}
	}
	return out[0], out[1]
}
