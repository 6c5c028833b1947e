package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Security checks of docs/security.md that no other test makes: each names
// the RFC 9700 or RFC 6819 section it proves, end to end over HTTP on
// DynamoDB Local.

// RFC 6750 §2.3, RFC 9700 §4.2 and §4.3, RFC 6819 §4.6.6, §4.6.7 and
// §5.4.1: no endpoint takes a token, secret or password from the query
// string, where proxies, logs and browser history would keep it. Each
// request below carries a live credential only in its URL; none is used,
// none is echoed, and nothing changes.
func TestTokensAreNotAcceptedInTheQueryString(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	admin := clientToken(f.Harness, tokens.ScopeAdmin)
	login := f.login("read offline_access")
	at, rt, sid := login.Str("access_token"), login.Str("refresh_token"), sidOf(login.Str("refresh_token"))
	lt := mint(f.Harness, admin, mintBody("query", f.subject(), "read"))
	basic := http.Header{"Authorization": {apptest.BasicAuth(f.client.ID, f.secret)}}
	const form, js = "application/x-www-form-urlencoded", "application/json"
	q := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return "?" + v.Encode()
	}
	for _, tc := range []struct {
		name, method, path, ctype, body string
		header                          http.Header
		status                          int
		code, secret                    string
	}{
		{"sessions page, access_token in the query", http.MethodGet, "/sessions" + q("access_token", admin), "", "", nil, 401, "invalid_token", admin},
		{"sessions page, a bearer header and access_token in the query", http.MethodGet, "/sessions" + q("access_token", admin), "", "", bearer(at), 400, "invalid_request", admin},
		{"delete a session, access_token in the query", http.MethodDelete, "/sessions/" + sid + q("access_token", admin), "", "", nil, 401, "invalid_token", admin},
		{"delete a subject's sessions, access_token in the query", http.MethodDelete, "/sessions" + q("subject", f.subject(), "access_token", admin), "", "", nil, 401, "invalid_token", admin},
		{"delete a long-lived token, access_token in the query", http.MethodDelete, "/tokens/" + lt.Str("id") + q("access_token", admin), "", "", nil, 401, "invalid_token", admin},
		{"mint, access_token in the query", http.MethodPost, "/tokens" + q("access_token", admin), js, mintBody("q", f.subject(), "read"), nil, 401, "invalid_token", admin},
		{"token endpoint, client credentials in the query", http.MethodPost, "/oauth2/token" + q("client_id", f.client.ID, "client_secret", f.secret), form, "grant_type=client_credentials", nil, 401, "invalid_client", f.secret},
		{"token endpoint, refresh_token in the query", http.MethodPost, "/oauth2/token" + q("refresh_token", rt), form, "grant_type=refresh_token", basic, 400, "invalid_request", rt},
		{"token endpoint, password in the query", http.MethodPost, "/oauth2/token" + q("password", testPassword), form, "grant_type=password&username=" + testUser, basic, 400, "invalid_request", testPassword},
		{"refresh endpoint, refresh_token in the query", http.MethodPost, "/oauth2/refresh" + q("refresh_token", rt), "", "", basic, 400, "invalid_request", rt},
		{"revocation, token in the query", http.MethodPost, "/oauth2/revoke" + q("token", rt), form, "", basic, 400, "invalid_request", rt},
		{"introspection, token in the query", http.MethodPost, "/oauth2/introspect" + q("token", at), form, "", basic, 400, "invalid_request", at},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.Do(tc.method, tc.path, tc.ctype, tc.body, tc.header)
			wantError(t, r, tc.status, tc.code)
			if strings.Contains(r.Body, tc.secret) || headersContain(r.Header, tc.secret) {
				t.Errorf("answer %d %s echoes the credential from the query", r.Status, r.Body)
			}
		})
	}
	if s := f.session(rt); s.Status != tokens.SessionActive || s.Generation != 1 {
		t.Errorf("session after the requests = %s generation %d; want active generation 1 (nothing spent or revoked)", s.Status, s.Generation)
	}
	wantActive(t, introspector(f.Harness)(lt.Str("token")), true)
}

// headersContain reports whether any header value holds s.
func headersContain(h http.Header, s string) bool {
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, s) {
				return true
			}
		}
	}
	return false
}

// RFC 8725 §3.1, RFC 6819 §5.1.5.9, docs/design.md §7.7, end to end on the
// bearer endpoints: a JWT that claims latchkey:admin but is not exactly
// what Latchkey signed (alg none, HS256 keyed with the published key, a
// stranger's key, widened claims) authenticates nowhere and changes
// nothing.
func TestForgedJWTsAreRejectedByTheBearerEndpoints(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	victim := f.login("read offline_access")
	sid := sidOf(victim.Str("refresh_token"))
	parts := strings.Split(clientToken(f.Harness, "read"), ".")
	header, claims := jwtSegment(parts[0]), jwtPayload(strings.Join(parts, "."))
	claims["scope"] = tokens.ScopeAdmin
	forged := func(hdr map[string]any, sign func(string) string) string {
		input := encodeSegment(hdr) + "." + encodeSegment(claims)
		return input + "." + sign(input)
	}
	with := func(k string, v any) map[string]any { h := maps.Clone(header); h[k] = v; return h }
	published := publishedKey(t, f.Harness)
	hs256 := func(input string) string {
		m := hmac.New(sha256.New, published)
		m.Write([]byte(input))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	for name, token := range map[string]string{
		"alg none, no signature":                forged(with("alg", "none"), func(string) string { return "" }),
		"alg none, the original signature":      forged(with("alg", "none"), func(string) string { return parts[2] }),
		"HS256 keyed with the published JWK":    forged(with("alg", "HS256"), hs256),
		"scope widened, the original signature": forged(header, func(string) string { return parts[2] }),
		"scope widened, signed by a stranger":   signWithNewKey(encodeSegment(header) + "." + encodeSegment(claims)),
	} {
		t.Run(name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{http.MethodGet, "/sessions?subject=" + f.subject(), ""},
				{http.MethodPost, "/tokens", mintBody("forged", f.subject(), "read")},
				{http.MethodDelete, "/sessions/" + sid, ""},
				{http.MethodDelete, "/sessions?subject=" + f.subject(), ""},
			} {
				r := f.Do(req.method, req.path, "application/json", req.body, bearer(token))
				wantBearerChallenge(t, r, 401, "invalid_token")
			}
		})
	}
	if s := f.session(victim.Str("refresh_token")); s.Status != tokens.SessionActive {
		t.Errorf("the victim's session after the forgeries = %s; want active", s.Status)
	}
	if n := len(entries(t, f.sessions(victim.Str("access_token"), "type=long_lived"))); n != 0 {
		t.Errorf("long-lived tokens of the victim = %d; want 0 (no forgery minted one)", n)
	}
}

// publishedKey returns the JSON of the first key of the JWKS, the bytes an
// algorithm-confusion attacker would use as an HMAC secret.
func publishedKey(t *testing.T, h *apptest.Harness) []byte {
	t.Helper()
	r := h.Do(http.MethodGet, "/.well-known/jwks.json", "", "", nil)
	var set struct{ Keys []json.RawMessage }
	if err := json.Unmarshal([]byte(r.Body), &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS = %d %s; want keys", r.Status, r.Body)
	}
	return set.Keys[0]
}

// docs/design.md §7.5 and RFC 6819 §4.4.3.1 and §5.1.4.1.3 for answers and
// logs: a secret sent the wrong way (a wrong secret, a password in the
// username field, a client's id and secret swapped, a token in an unknown
// field) is never echoed in an answer and never written to a log line.
func TestErrorResponsesNeverEchoSecrets(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	rt := f.login("read offline_access").Str("refresh_token")
	at := f.login("read offline_access").Str("access_token")
	wrongSecret := "lk_cs_" + strings.Repeat("W", 43)
	const form, js = "application/x-www-form-urlencoded", "application/json"
	basic := func(id, secret string) http.Header {
		return http.Header{"Authorization": {apptest.BasicAuth(id, secret)}}
	}
	cc := url.Values{"grant_type": {"client_credentials"}}.Encode()
	for _, tc := range []struct {
		name, path, ctype, body string
		header                  http.Header
		secret                  string
	}{
		{"wrong secret, Basic", "/oauth2/token", form, cc, basic(f.client.ID, wrongSecret), wrongSecret},
		{"wrong secret, client_secret_post", "/oauth2/token", form, cc + "&client_id=" + f.client.ID + "&client_secret=" + wrongSecret, nil, wrongSecret},
		{"client id and secret swapped", "/oauth2/token", form, cc, basic(f.secret, f.client.ID), f.secret},
		{"client id and secret swapped, introspection", "/oauth2/introspect", form, "token=" + at, basic(f.secret, f.client.ID), f.secret},
		{"wrong password", "/oauth2/token", form, "grant_type=password&username=" + testUser + "&password=Wrong-Pass-7731", basic(f.client.ID, f.secret), "Wrong-Pass-7731"},
		{"password typed into the username field", "/oauth2/token", form, "grant_type=password&username=Typed-Pass-5519&password=x", basic(f.client.ID, f.secret), "Typed-Pass-5519"},
		{"forged refresh token", "/oauth2/token", form, "grant_type=refresh_token&refresh_token=" + rt[:len(rt)-4] + "AAAA", basic(f.client.ID, f.secret), rt[:len(rt)-4]},
		{"refresh token of the wrong JSON type", "/oauth2/refresh", js, `{"refresh_token":["` + rt + `"]}`, basic(f.client.ID, f.secret), rt},
		{"refresh token in a misspelt JSON field", "/oauth2/refresh", js, `{"refresh_tokn":"` + rt + `"}`, basic(f.client.ID, f.secret), rt},
		{"client_secret repeated", "/oauth2/token", form, cc + "&client_id=" + f.client.ID + "&client_secret=" + f.secret + "&client_secret=" + wrongSecret, nil, f.secret},
		{"Basic with a bad escape", "/oauth2/token", form, cc, http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("%zz:"+f.secret))}}, f.secret},
		{"an access token as the bearer and again as an unknown parameter", "/sessions?token=" + url.QueryEscape(rt), "", "", bearer(at), rt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method := http.MethodPost
			if strings.HasPrefix(tc.path, "/sessions") {
				method = http.MethodGet
			}
			logged := len(f.Logs.String())
			r := f.Do(method, tc.path, tc.ctype, tc.body, tc.header)
			if r.Status < 400 {
				t.Fatalf("answer = %d %s; want an error", r.Status, r.Body)
			}
			if strings.Contains(r.Body, tc.secret) || headersContain(r.Header, tc.secret) {
				t.Errorf("answer %d %s (headers %v) echoes the secret", r.Status, r.Body, r.Header)
			}
			if line := lineWith(f.Logs.String()[logged:], tc.secret); line != "" {
				t.Errorf("a log line holds the secret %q: %s", tc.secret, line)
			}
		})
	}
}

// lineWith returns the first line of logs that holds s, or "".
func lineWith(logs, s string) string {
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// RFC 9700 §2.2.2 and §4.14.2: a public client's refresh tokens MUST be
// sender-constrained or rotated. Latchkey has no sender constraint, so
// every refresh of a public client must return a new refresh token,
// whatever refresh_rotation the client was registered with (or the
// registration must be refused).
func TestPublicClientRefreshTokensRotate(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, mode := range []string{tokens.RotationRotate, tokens.RotationReuse} {
		t.Run(mode, func(t *testing.T) {
			c, _, err := f.App.Service.CreateClient(context.Background(), tokens.ClientSpec{
				Name: "spa " + mode, Public: true, Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"},
				AllowOfflineAccess: true, RefreshRotation: mode, RefreshIdleTTL: time.Hour,
			})
			if errors.Is(err, tokens.ErrInvalidSettings) {
				return // refusing the registration meets the requirement too
			}
			if err != nil {
				t.Fatalf("CreateClient: %v", err)
			}
			first := f.passwordLogin(clientCred{c.ID, ""}, testUser).Str("refresh_token")
			r := f.Do(http.MethodPost, "/oauth2/refresh", "application/json", `{"refresh_token":"`+first+`"}`, nil)
			if r.Status != 200 {
				t.Fatalf("refresh = %d %s; want 200", r.Status, r.Body)
			}
			if got := r.Str("refresh_token"); got == "" || got == first {
				t.Errorf("public client (refresh_rotation %s): refresh returned refresh token %q, the one presented; "+
					"want a new one (RFC 9700 §2.2.2: rotation or sender-constraint is a MUST for public clients)", mode, got)
			}
		})
	}
}

// RFC 6819 §5.1.5.4 and §5.2.2.3, RFC 9700 §4.14.2: a spent refresh token
// presented again revokes the whole grant: the active refresh token and
// every access token of the session, for a confidential client (JWT and
// reference access tokens) and a public one.
func TestRefreshReuseRevokesEveryTokenOfTheSession(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	pub, _ := f.Client(tokens.ClientSpec{Public: true, Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	rs := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Introspect: true})
	ref := f.newClient(tokens.ClientSpec{Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"},
		AllowOfflineAccess: true, AccessTokenFormat: tokens.FormatReference})
	for name, c := range map[string]clientCred{"confidential, JWT": f.own(), "confidential, reference": ref, "public, JWT": {pub.ID, ""}} {
		t.Run(name, func(t *testing.T) {
			login := f.passwordLogin(c, testUser)
			refresh := func(token string) apptest.Response {
				return f.Token(c.id, c.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
			}
			next := refresh(login.Str("refresh_token"))
			if next.Status != 200 {
				t.Fatalf("refresh = %d %s; want 200", next.Status, next.Body)
			}
			wantError(t, refresh(login.Str("refresh_token")), 400, "invalid_grant")
			for what, token := range map[string]string{
				"the first access token": login.Str("access_token"), "the second access token": next.Str("access_token"),
				"the current refresh token": next.Str("refresh_token"),
			} {
				wantInactiveToken(t, f.introspectAs(rs, token), what+" after reuse")
			}
			wantError(t, refresh(next.Str("refresh_token")), 400, "invalid_grant")
		})
	}
}

// RFC 6819 §5.2.3.6: a disabled client gets nothing more, not even a
// refresh of a session it already holds, confidential or public.
func TestDisabledClientCannotRefresh(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	pub, _ := f.Client(tokens.ClientSpec{Public: true, Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	conf := f.newClient(tokens.ClientSpec{Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	for name, c := range map[string]clientCred{"confidential": conf, "public": {pub.ID, ""}} {
		t.Run(name, func(t *testing.T) {
			rt := f.passwordLogin(c, testUser).Str("refresh_token")
			if err := f.App.Service.DisableClient(context.Background(), c.id); err != nil {
				t.Fatal(err)
			}
			r := f.Token(c.id, c.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
			wantError(t, r, 401, "invalid_client")
			r = f.Do(http.MethodPost, "/oauth2/refresh", "application/json", `{"refresh_token":"`+rt+`"}`, nil)
			wantError(t, r, 401, "invalid_client")
		})
	}
}

var (
	clientIDShape = regexp.MustCompile(`^[a-z2-7]{26}$`)
	subjectShape  = regexp.MustCompile(`^usr_[a-z2-7]{26}$`)
)

// RFC 9700 §4.15: a client cannot choose its client_id, so it cannot pose
// as a resource owner; client ids and user subjects are disjoint
// namespaces, and a resource server tells the two kinds of token apart.
func TestClientCannotImpersonateResourceOwner(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	if _, ok := reflect.TypeFor[tokens.ClientSpec]().FieldByName("ID"); ok {
		t.Error("tokens.ClientSpec has an ID field: a client could choose its own client_id")
	}
	for range 10 {
		if c, _ := f.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}}); !clientIDShape.MatchString(c.ID) {
			t.Errorf("client_id %q; want 26 base32 characters, server-chosen", c.ID)
		}
	}
	introspect := introspector(f.Harness)
	cc := f.ccToken(f.own())
	user := f.login("read offline_access").Str("access_token")
	ccClaims, userClaims := jwtPayload(cc), jwtPayload(user)
	if ccClaims["sub"] != f.client.ID || ccClaims["sid"] != nil || ccClaims["auth_time"] != nil {
		t.Errorf("client_credentials claims = %v; want sub = client_id and no sid or auth_time", ccClaims)
	}
	if sub, _ := userClaims["sub"].(string); !subjectShape.MatchString(sub) || sub == f.client.ID || userClaims["sid"] == nil {
		t.Errorf("user token claims = %v; want sub usr_…, not the client_id, and a sid", userClaims)
	}
	for name, tc := range map[string]struct {
		token       string
		subIsClient bool
	}{"client_credentials": {cc, true}, "password": {user, false}} {
		r := introspect(tc.token)
		if got := r.Str("sub") == r.Str("client_id"); got != tc.subIsClient {
			t.Errorf("introspection of the %s token = %s; want sub == client_id to be %v", name, r.Body, tc.subIsClient)
		}
	}
}

// RFC 9700 §2.4 (the password grant MUST NOT be used): Latchkey offers it
// only to a client registered with it. Any other client is refused before
// the user's password is even looked at; and no client gets a grant it was
// not registered with.
func TestPasswordGrantIsOffUnlessTheClientAllowsIt(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	pub, _ := f.Client(tokens.ClientSpec{Public: true, Grants: []string{"refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	for name, c := range map[string]clientCred{
		"client_credentials only":              f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}}),
		"client_credentials and refresh_token": f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials", "refresh_token"}, Scopes: []string{"read"}}),
		"public, refresh_token only":           {pub.ID, ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := f.Token(c.id, c.secret, url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}})
			wantError(t, r, 400, "unauthorized_client")
		})
	}
	if n, err := f.App.Service.UnlockUser(context.Background(), testUser); err != nil || n != 0 {
		t.Errorf("sign-in windows holding attempts after refused password grants = %d, %v; want 0 (the password was never checked)", n, err)
	}
	if strings.Contains(f.Logs.String(), `"event":"login_failed"`) {
		t.Error("a login_failed event was logged; want the request refused before the password check")
	}
	if _, _, err := f.App.Service.CreateClient(context.Background(), tokens.ClientSpec{Name: "no grants", Scopes: []string{"read"}}); !errors.Is(err, tokens.ErrInvalidSettings) {
		t.Errorf("CreateClient without grants = %v; want ErrInvalidSettings (no grant by default)", err)
	}
}

// RFC 6819 §5.2.3.1: a public client is issued no secret, and none is
// stored for it.
func TestPublicClientGetsNoSecret(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	c, secret := f.Client(tokens.ClientSpec{Public: true, Grants: []string{"password"}, Scopes: []string{"read"}})
	stored, err := f.App.Store.GetClient(context.Background(), c.ID)
	if secret != "" || err != nil || len(stored.SecretHash) != 0 || stored.AuthMethod != "none" {
		t.Errorf("public client: secret %q, stored hash %x, method %q, %v; want no secret, no hash, none", secret, stored.SecretHash, stored.AuthMethod, err)
	}
}

// uncleanPaths are request paths net/http's ServeMux answers with a
// redirect to their clean form, or would if they named another host.
var uncleanPaths = []string{
	"//evil.example/oauth2/token", "/oauth2//token", "/oauth2/../oauth2/token", "/./oauth2/token",
	"/oauth2/token/", "//evil.example", "/%2f%2fevil.example/", "/\\evil.example/",
}

// postLogin posts a password grant to path without following redirects.
func postLogin(t *testing.T, f fixture, path string) *http.Response {
	t.Helper()
	noFollow := *f.Server.Client()
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	login := url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}}.Encode()
	req, err := http.NewRequest(http.MethodPost, f.Server.URL+path, strings.NewReader(login))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", apptest.BasicAuth(f.client.ID, f.secret))
	res, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// RFC 9700 §2.1 and §4.11: Latchkey is no open redirector. The only 3xx it
// answers is net/http's redirect of an unclean path to its clean form, a
// path on the same server, whatever host the path names.
func TestNoOpenRedirect(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, path := range uncleanPaths {
		t.Run(path, func(t *testing.T) {
			res := postLogin(t, f, path)
			if res.StatusCode/100 != 3 {
				return
			}
			loc := res.Header.Get("Location")
			if u, err := url.Parse(loc); err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(loc, "/") ||
				strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
				t.Errorf("POST %s = %d Location %q; want a path on this server", path, res.StatusCode, loc)
			}
		})
	}
}

// RFC 9700 §4.12: an authorization server that redirects a request that
// may carry the user's credentials MUST NOT answer 307 (nor 308, its
// permanent twin), which makes the user agent post the same body again.
func TestNoRedirectReplaysCredentials(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, path := range uncleanPaths {
		t.Run(path, func(t *testing.T) {
			res := postLogin(t, f, path)
			if res.StatusCode == http.StatusTemporaryRedirect || res.StatusCode == http.StatusPermanentRedirect {
				t.Errorf("POST %s with a password = %d Location %q; want no 307/308 (RFC 9700 §4.12; 303 or a 404 would do)",
					path, res.StatusCode, res.Header.Get("Location"))
			}
		})
	}
}

// RFC 9700 §4.13: headers a caller can set are not trusted. The session
// page's ip is the peer's address whatever X-Forwarded-For says, and with
// ISSUER configured the Host header cannot change the issuer.
func TestForwardedHeadersAreNotTrusted(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	form := url.Values{"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {"read offline_access"}}
	req, err := http.NewRequest(http.MethodPost, f.Server.URL+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "evil.example"
	for k, v := range map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Authorization": apptest.BasicAuth(f.client.ID, f.secret),
		"X-Forwarded-For": "203.0.113.9", "X-Real-Ip": "203.0.113.9", "Forwarded": "for=203.0.113.9;host=evil.example",
		"X-Forwarded-Host": "evil.example",
	} {
		req.Header.Set(k, v)
	}
	res, err := f.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil || res.StatusCode != 200 {
		t.Fatalf("login = %d %v; want 200", res.StatusCode, err)
	}
	at, _ := answer["access_token"].(string)
	if iss := jwtPayload(at)["iss"]; iss != testIssuer {
		t.Errorf("iss with Host evil.example = %v; want the configured %s", iss, testIssuer)
	}
	es := entries(t, f.sessions(at, ""))
	if len(es) != 1 || es[0]["ip"] != "127.0.0.1" {
		t.Errorf("sessions = %v; want one with ip 127.0.0.1 (the peer), not the forwarded 203.0.113.9", es)
	}
}

// RFC 6819 §5.1.4.2.2 and RFC 6749 §10.10: every secret Latchkey generates
// carries at least 256 random bits (ids 128), so guessing is hopeless. This
// checks the encoded length of each random part and that no two repeat;
// that the bytes come from crypto/rand is tokens/random.go.
func TestSecretsHaveAtLeast256BitsOfEntropy(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	admin := clientToken(f.Harness, tokens.ScopeTokensMint, "read")
	b64 := base64.RawURLEncoding.Strict()
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding)
	size := func(enc interface{ DecodeString(string) ([]byte, error) }, s string) int {
		b, err := enc.DecodeString(s)
		if err != nil {
			return -1
		}
		return len(b)
	}
	seen := map[string]bool{}
	for i := range 5 {
		_, secret := f.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}})
		refLogin := f.passwordLogin(ref, testUser)
		rt := refLogin.Str("refresh_token")
		refCC := f.ccToken(ref)
		lt := mint(f.Harness, admin, mintBody("n", f.subject(), "read")).Str("token")
		jti, _ := jwtPayload(f.ccToken(f.own()))["jti"].(string)
		withSession := refLogin.Str("access_token")
		for _, tc := range []struct {
			what string
			got  int
			want int
		}{
			{"client secret bytes", size(b64, strings.TrimPrefix(secret, "lk_cs_")), 32},
			{"reference token (no session) bytes", size(b64, strings.TrimPrefix(refCC, tokens.ReferenceTokenPrefix)), 32},
			{"reference token (session) bytes", size(b64, withSession[strings.LastIndexByte(withSession, '.')+1:]), 32},
			{"refresh token MAC bytes", size(b64, rt[strings.LastIndexByte(rt, '.')+1:]), 32},
			{"session id bytes", size(b32, strings.ToUpper(sidOf(rt))), 16},
			{"jti bytes", size(b32, strings.ToUpper(jti)), 16},
			{"long-lived token base62 digits (62^43 > 2^256)", len(lt) - len(tokens.LongLivedPrefix) - 6, 43},
		} {
			if tc.got != tc.want {
				t.Errorf("round %d: %s = %d; want %d", i, tc.what, tc.got, tc.want)
			}
		}
		for _, s := range []string{secret, refCC, withSession, rt, lt, jti} {
			if seen[s] {
				t.Errorf("round %d: %q was generated twice", i, s)
			}
			seen[s] = true
		}
	}
}

// RFC 6819 §4.3.2 and §5.1.4.1.3 for reference tokens (TestNothingSecretAtRest
// covers JWT clients): the table holds their hashes, never the tokens.
func TestNothingSecretAtRestWithReferenceTokens(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	ref := f.referenceClient()
	login := f.passwordLogin(ref, testUser)
	next := f.Token(ref.id, ref.secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {login.Str("refresh_token")}})
	secrets := []string{ref.secret, f.ccToken(ref), login.Str("access_token"), login.Str("refresh_token"), next.Str("access_token"), next.Str("refresh_token")}
	wantActiveToken(t, f.introspectAs(ref, next.Str("access_token")), "the reference token")
	wantOKNoStore(t, f.revokeAs(ref, login.Str("access_token")))
	dump, logs := scanTable(t, f), f.Logs.String()
	for _, s := range secrets {
		if s == "" {
			t.Fatal("a secret of the flow is empty; the flow failed")
		}
		for _, part := range secretParts(s) {
			if strings.Contains(dump, part) || strings.Contains(logs, part) {
				t.Errorf("the table or the logs hold %q (part of a secret)", part)
			}
		}
	}
}

// RFC 6819 §5.1.4.2.1: a user's password has a minimum length (8, and at
// most 1,024 so hashing stays bounded); Latchkey checks nothing else.
func TestUserPasswordsHaveAMinimumLength(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	for _, tc := range []struct {
		name, password string
		ok             bool
	}{
		{"7 characters", "1234567", false},
		{"8 characters", "12345678", true},
		{"1024 characters", strings.Repeat("p", 1024), true},
		{"1025 characters", strings.Repeat("p", 1025), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.App.Service.CreateUser(context.Background(), "user-"+strings.ReplaceAll(tc.name, " ", "-"), tc.password)
			if ok := err == nil; ok != tc.ok || (!ok && !errors.Is(err, tokens.ErrInvalidSettings)) {
				t.Errorf("CreateUser with a password of %s = %v; want accepted %v", tc.name, err, tc.ok)
			}
		})
	}
}
