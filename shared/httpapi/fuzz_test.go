package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Fuzz targets for every parser that touches request bytes (issue 5 §3,
// docs/design.md §7.8). The decoders that need no store are fuzzed directly;
// the rest drive whole handlers of a real process (apptest, DynamoDB
// Local) and hold every answer to: never a 5xx, never a panic, always a
// JSON body, and an OAuth error object when the status is 400 or more.
//
// Seeds are in testdata/fuzz/FuzzX/. In the handler targets, {{NAME}}
// placeholders stand for the fixture's live credentials and tokens
// (fuzzEnv.vars), so a seed can be a real, successful request.
// Run one with: go test -run '^$' -fuzz '^FuzzToken$' ./shared/httpapi

// checkDecodeError holds a decoder's error to an invalid_request with a
// description: a clear OAuth error, never an internal one.
func checkDecodeError(t *testing.T, call string, err error) {
	t.Helper()
	if e := oauth.As(err); e == nil || e.Code != oauth.CodeInvalidRequest || e.Description == "" {
		t.Errorf("%s error = %v; want invalid_request with a description", call, err)
	}
}

// FuzzDecodeForm: a form decodes exactly when url.ParseQuery accepts it
// and no parameter is repeated (RFC 6749 §3.1), to the same values.
func FuzzDecodeForm(f *testing.F) {
	f.Add("grant_type=client_credentials&scope=read+write")
	f.Add("scope=read&scope=write")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := httpapi.DecodeForm([]byte(body))
		want, perr := url.ParseQuery(body)
		repeated := slices.ContainsFunc(slices.Collect(maps.Values(want)), func(v []string) bool { return len(v) > 1 })
		switch {
		case err != nil:
			checkDecodeError(t, "DecodeForm("+quote(body)+")", err)
			if perr == nil && !repeated {
				t.Errorf("DecodeForm(%q) error = %v; want %v, as url.ParseQuery decodes it", body, err, want)
			}
		case perr != nil || repeated:
			t.Errorf("DecodeForm(%q) = %v; want an error (ParseQuery: %v, a parameter repeated: %v)", body, form, perr, repeated)
		case !maps.EqualFunc(form, want, slices.Equal):
			t.Errorf("DecodeForm(%q) = %v; want %v", body, form, want)
		}
	})
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// FuzzBasicAuth: a Basic header decodes to a non-empty client id, and
// what it decodes to encodes (RFC 6749 §2.3.1: form-urlencoded, then
// base64) back to a header that decodes the same.
func FuzzBasicAuth(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("client:lk_cs_secret")))
	f.Add("Basic !!!")
	f.Fuzz(func(t *testing.T, header string) {
		id, secret, err := httpapi.BasicAuth(header)
		if err != nil {
			checkDecodeError(t, "BasicAuth("+quote(header)+")", err)
			return
		}
		if id == "" {
			t.Errorf("BasicAuth(%q) = empty client id; want an error", header)
		}
		again := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
		if id2, secret2, err := httpapi.BasicAuth(again); err != nil || id2 != id || secret2 != secret {
			t.Errorf("BasicAuth(%q) = %q, %q; re-encoded as %q it decodes to %q, %q, %v", header, id, secret, again, id2, secret2, err)
		}
	})
}

// FuzzClientAuth: client credentials come from exactly one place
// (RFC 6749 §2.3): the Basic header, or the form's client_id and
// client_secret, never both; the method says which.
func FuzzClientAuth(f *testing.F) {
	f.Add("", "client_id=web&client_secret=lk_cs_secret")
	f.Add("Basic "+base64.StdEncoding.EncodeToString([]byte("web:lk_cs_secret")), "client_id=web")
	f.Fuzz(func(t *testing.T, authorization, body string) {
		form, err := httpapi.DecodeForm([]byte(body))
		authorization, ok := wireHeader(authorization)
		if err != nil || !ok {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "/oauth2/token", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		got, err := httpapi.ClientAuth(r, form)
		id, secret := form.Get(oauth.ParamClientID), form.Get(oauth.ParamClientSecret)
		call := "ClientAuth(" + quote(authorization) + ", " + quote(body) + ")"
		switch {
		case err != nil:
			checkDecodeError(t, call, err)
		case authorization == "":
			want := tokens.ClientAuth{ID: id, Secret: secret, Method: oauth.AuthClientSecretPost}
			if secret == "" {
				want.Method = oauth.AuthNone
			}
			if got != want {
				t.Errorf("%s = %+v; want %+v", call, got, want)
			}
		default:
			bid, bsecret, berr := httpapi.BasicAuth(authorization)
			want := tokens.ClientAuth{ID: bid, Secret: bsecret, Method: oauth.AuthClientSecretBasic}
			if berr != nil || got != want || secret != "" || (id != "" && id != bid) {
				t.Errorf("%s = %+v; want %+v, and only with no client_secret and no other client_id in the form", call, got, want)
			}
		}
	})
}

// wireHeader returns a header value as net/http's server would hand it to
// a handler, and false for one it would refuse (control characters).
func wireHeader(v string) (string, bool) {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return "", false
		}
	}
	return strings.Trim(v, " \t"), true
}

// fuzzEnv is one Latchkey process for the handler targets, with live
// credentials and tokens for the seeds' placeholders.
type fuzzEnv struct {
	h       *apptest.Harness
	handler http.Handler
	vars    *strings.Replacer
}

const (
	fuzzUser = "alice"
	fuzzPass = "correct-horse-battery"
)

func newFuzzEnv(f *testing.F) *fuzzEnv {
	f.Helper()
	h := apptest.New(f)
	conf, confSecret := h.Client(tokens.ClientSpec{
		Name: "confidential", Grants: []string{"client_credentials", "password", "refresh_token"},
		Scopes: []string{"read", "write"}, AllowOfflineAccess: true,
	})
	pub, _ := h.Client(tokens.ClientSpec{
		Name: "spa", Public: true, Grants: []string{"password", "refresh_token"},
		Scopes: []string{"read"}, AllowOfflineAccess: true,
	})
	ref, refSecret := h.Client(tokens.ClientSpec{
		Name: "reference", Grants: []string{"password"}, Scopes: []string{"read"},
		AccessTokenFormat: tokens.FormatReference,
	})
	admin, adminSecret := h.Client(tokens.ClientSpec{
		Name: "admin", Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin},
	})
	rs, rsSecret := h.Client(tokens.ClientSpec{
		Name: "resource server", Grants: []string{"client_credentials"}, Scopes: []string{"read"}, Introspect: true,
	})
	sub := h.User(fuzzUser, fuzzPass)
	password := url.Values{"grant_type": {"password"}, "username": {fuzzUser}, "password": {fuzzPass}, "scope": {"read offline_access"}}
	login := mustOK(f, h.Token(conf.ID, confSecret, password), "password grant")
	password.Set("scope", "read")
	refLogin := mustOK(f, h.Token(ref.ID, refSecret, password), "password grant (reference)")
	adminTok := mustOK(f, h.Token(admin.ID, adminSecret, url.Values{"grant_type": {"client_credentials"}, "scope": {tokens.ScopeAdmin}}), "admin token")
	bearer := http.Header{"Authorization": {"Bearer " + adminTok.Str("access_token")}}
	minted := h.Do(http.MethodPost, "/tokens", "application/json", `{"name":"fuzz","subject":"`+sub+`","scopes":["read"]}`, bearer)
	if minted.Status != http.StatusCreated {
		f.Fatalf("mint = %d %s; want 201", minted.Status, minted.Body)
	}
	oauthPage := mustOK(f, h.Do(http.MethodGet, "/sessions?type=oauth&subject="+sub, "", "", bearer), "sessions page")
	page := mustOK(f, h.Do(http.MethodGet, "/sessions?limit=1&subject="+sub, "", "", bearer), "sessions page")
	sessions, _ := oauthPage.JSON["sessions"].([]any)
	if len(sessions) == 0 || page.Str("next_cursor") == "" {
		f.Fatalf("sessions pages = %s and %s; want a session and a next_cursor", oauthPage.Body, page.Body)
	}
	sid, _ := sessions[0].(map[string]any)["id"].(string)
	b64 := func(id, secret string) string { return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)) }
	return &fuzzEnv{h: h, handler: h.App.Handler(), vars: strings.NewReplacer(
		"{{CID}}", conf.ID, "{{SECRET}}", confSecret, "{{BASIC}}", b64(conf.ID, confSecret),
		"{{PUB}}", pub.ID, "{{RS}}", b64(rs.ID, rsSecret), "{{USER}}", fuzzUser, "{{PASS}}", fuzzPass,
		"{{SUB}}", sub, "{{SID}}", sid, "{{AT}}", login.Str("access_token"), "{{RT}}", login.Str("refresh_token"),
		"{{REF}}", refLogin.Str("access_token"), "{{ADMIN}}", adminTok.Str("access_token"),
		"{{LT}}", minted.Str("token"), "{{LTID}}", minted.Str("id"), "{{CURSOR}}", page.Str("next_cursor"),
	)}
}

func mustOK(f *testing.F, r apptest.Response, what string) apptest.Response {
	f.Helper()
	if r.Status != http.StatusOK {
		f.Fatalf("%s = %d %s; want 200", what, r.Status, r.Body)
	}
	return r
}

// request is one fuzzed request before its placeholders are filled in.
type request struct {
	method, path, query        string
	contentType, authorization string
	cookie, body               string
}

// serve fills in the placeholders, sends r to the whole handler and holds
// the answer to docs/design.md §7.8. A request that net/http's server would
// refuse before any handler runs is skipped.
func (e *fuzzEnv) serve(t *testing.T, r request) {
	t.Helper()
	target := e.vars.Replace(r.path)
	if r.query != "" {
		target += "?" + e.vars.Replace(r.query)
	}
	if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(target, " \t") {
		return
	}
	req := httptest.NewRequest(r.method, target, strings.NewReader(e.vars.Replace(r.body)))
	for name, v := range map[string]string{"Content-Type": r.contentType, "Authorization": r.authorization, "Cookie": r.cookie} {
		v, ok := wireHeader(e.vars.Replace(v))
		if !ok {
			return
		}
		if v != "" {
			req.Header.Set(name, v)
		}
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	checkAnswer(t, e.h, req, rec)
}

// checkAnswer: no 5xx, a JSON body, an error object from 400 on, and the
// headers RFC 6749 §5.2 and RFC 6750 §3 ask of 401 and 405. The one
// answer without JSON is ServeMux's redirect of an unclean path (with .
// or .. segments, or //) to its clean form, which clients never send:
// they remove dot segments themselves (RFC 3986 §5.2.4).
func checkAnswer(t *testing.T, h *apptest.Harness, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	what := req.Method + " " + req.URL.String() + " " + quote(req.Header.Get("Authorization"))
	body := rec.Body.Bytes()
	if rec.Code >= 500 {
		t.Fatalf("%s = %d %s; want no 5xx. Last log line: %s", what, rec.Code, body, lastLine(h.Logs.String()))
	}
	if rec.Code/100 == 3 && rec.Header().Get("Location") != "" {
		return // ServeMux redirects a path with . or .. segments or // to its clean form
	}
	if !json.Valid(body) {
		t.Fatalf("%s = %d with a body that is not JSON: %q", what, rec.Code, body)
	}
	if rec.Code < 400 {
		return
	}
	var e oauth.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" || e.ErrorDescription == "" {
		t.Errorf("%s = %d %s; want an error object with error and error_description", what, rec.Code, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type = %q; want application/json", what, ct)
	}
	if rec.Code == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("%s = 401 without WWW-Authenticate", what)
	}
	if rec.Code == http.StatusMethodNotAllowed && rec.Header().Get("Allow") == "" {
		t.Errorf("%s = 405 without Allow", what)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// FuzzToken drives POST /oauth2/token: every grant, both client
// authentication methods, any content type, header and body.
func FuzzToken(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add(formType, "Basic {{BASIC}}", "grant_type=client_credentials&scope=read")
	f.Add(formType, "", "grant_type=refresh_token&refresh_token={{RT}}&client_id={{CID}}&client_secret={{SECRET}}")
	f.Fuzz(func(t *testing.T, contentType, authorization, body string) {
		e.serve(t, request{method: http.MethodPost, path: "/oauth2/token", contentType: contentType, authorization: authorization, body: body})
	})
}

// FuzzRefresh drives POST /oauth2/refresh: the JSON, form and cookie
// decoder with client credentials from Basic or the body.
func FuzzRefresh(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add(jsonType, "Basic {{BASIC}}", "", `{"refresh_token":"{{RT}}"}`)
	f.Add("", "", httpapi.RefreshCookie+"={{RT}}", "")
	f.Fuzz(func(t *testing.T, contentType, authorization, cookie, body string) {
		e.serve(t, request{method: http.MethodPost, path: "/oauth2/refresh", contentType: contentType, authorization: authorization, cookie: cookie, body: body})
	})
}

// FuzzMint drives POST /tokens: the JSON body of a long-lived token
// request behind a bearer token.
func FuzzMint(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add("Bearer {{ADMIN}}", jsonType, `{"name":"mcp","subject":"{{SUB}}","scopes":["read"],"expires_in":3600}`)
	f.Add("Bearer {{ADMIN}}", jsonType, `{"name":"mcp","subject":"{{SUB}}","expires_in":-1}`)
	f.Fuzz(func(t *testing.T, authorization, contentType, body string) {
		e.serve(t, request{method: http.MethodPost, path: "/tokens", contentType: contentType, authorization: authorization, body: body})
	})
}

// sessionRoutes are the bearer endpoints FuzzSessions picks from.
var sessionRoutes = []struct{ method, path string }{
	{http.MethodGet, "/sessions"},
	{http.MethodDelete, "/sessions"},
	{http.MethodDelete, "/sessions/"},
	{http.MethodDelete, "/tokens/"},
}

// FuzzSessions drives the sessions page's query string (GET /sessions)
// and the revocation endpoints behind a bearer token: DELETE /sessions
// with its query, DELETE /sessions/{id} and DELETE /tokens/{id} with any
// id, percent-encoded into the path.
func FuzzSessions(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add(uint8(0), "Bearer {{ADMIN}}", "subject={{SUB}}&limit=1&cursor={{CURSOR}}", "")
	f.Add(uint8(2), "Bearer {{AT}}", "", "{{SID}}")
	f.Fuzz(func(t *testing.T, route uint8, authorization, query, id string) {
		rt := sessionRoutes[int(route)%len(sessionRoutes)]
		path := rt.path
		if strings.HasSuffix(path, "/") {
			path += url.PathEscape(e.vars.Replace(id))
		}
		e.serve(t, request{method: rt.method, path: path, query: query, authorization: authorization})
	})
}

// FuzzRevokeIntrospect drives POST /oauth2/revoke and /oauth2/introspect:
// client authentication and the token parameter, where all four token
// formats (JWT, lk_at_, lk_rt_, lk_lt_) are told apart and parsed.
func FuzzRevokeIntrospect(f *testing.F) {
	e := newFuzzEnv(f)
	f.Add(true, "Basic {{RS}}", "token={{REF}}")
	f.Add(false, "Basic {{BASIC}}", "token={{RT}}&token_type_hint=refresh_token")
	f.Fuzz(func(t *testing.T, introspect bool, authorization, body string) {
		path := "/oauth2/revoke"
		if introspect {
			path = "/oauth2/introspect"
		}
		e.serve(t, request{method: http.MethodPost, path: path, contentType: formType, authorization: authorization, body: body})
	})
}
