package app_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// RFC 7662 introspection, end to end over HTTP on DynamoDB Local.

const (
	testIssuer         = "https://auth.test"
	testAccessTTL      = 15 * time.Minute
	testRefreshIdleTTL = 168 * time.Hour // the harness's idle window, shorter than the absolute 30 days
)

// Each kind of token is active with its claims, then revoked, then exactly
// {"active":false}.
func TestIntrospectionLifecycle(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	alice := f.session(f.login("read offline_access").Str("refresh_token")).Subject
	now := f.Clock.Now().Unix()
	session := []string{"active", "scope", "client_id", "sub", "exp", "iat", "iss", "aud", "jti", "token_type", "sid"}
	noSession := slices.DeleteFunc(slices.Clone(session), func(k string) bool { return k == "sid" })
	for _, tc := range []struct {
		name      string
		owner     clientCred
		issue     func() apptest.Response
		field     string // of the token response
		sub       string // "" for the caller itself
		scope     string
		tokenType string
		ttl       time.Duration
		keys      []string
	}{
		{"JWT access token", f.own(), func() apptest.Response { return f.login("read offline_access") }, "access_token", alice, "read offline_access", "Bearer", testAccessTTL, session},
		{"JWT access token of client_credentials", f.own(), func() apptest.Response {
			return f.Token(f.client.ID, f.secret, url.Values{"grant_type": {"client_credentials"}})
		}, "access_token", "", "read write", "Bearer", testAccessTTL, noSession},
		{"reference access token", ref, func() apptest.Response { return f.passwordLogin(ref, testUser) }, "access_token", alice, "read offline_access", "Bearer", testAccessTTL, session},
		{"reference access token of client_credentials", ref, func() apptest.Response {
			return f.Token(ref.id, ref.secret, url.Values{"grant_type": {"client_credentials"}})
		}, "access_token", "", "read write", "Bearer", testAccessTTL, noSession},
		// A refresh token has no jti of its own and no audience.
		{"refresh token", f.own(), func() apptest.Response { return f.login("read offline_access") }, "refresh_token", alice, "read offline_access", "refresh_token", testRefreshIdleTTL,
			[]string{"active", "scope", "client_id", "sub", "exp", "iat", "iss", "token_type", "sid"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issued := tc.issue()
			token := issued.Str(tc.field)
			r := f.introspectAs(tc.owner, token)
			wantActiveToken(t, r, tc.name)
			if got := slices.Sorted(maps.Keys(r.JSON)); !slices.Equal(got, slices.Sorted(slices.Values(tc.keys))) {
				t.Errorf("fields = %v; want %v", got, slices.Sorted(slices.Values(tc.keys)))
			}
			sub := tc.sub
			if sub == "" {
				sub = tc.owner.id
			}
			for key, want := range map[string]any{
				"scope": tc.scope, "client_id": tc.owner.id, "sub": sub, "iss": testIssuer, "token_type": tc.tokenType,
				"iat": float64(now), "exp": float64(now + int64(tc.ttl/time.Second)),
			} {
				if got := r.JSON[key]; got != want {
					t.Errorf("%s = %v; want %v", key, got, want)
				}
			}
			if slices.Contains(tc.keys, "aud") && !slices.Equal(audList(r.JSON["aud"]), []string{testIssuer}) {
				t.Errorf("aud = %v; want [%s]", r.JSON["aud"], testIssuer)
			}
			if slices.Contains(tc.keys, "sid") && r.Str("sid") != f.session(issued.Str("refresh_token")).ID {
				t.Errorf("sid = %q; want the session %q", r.Str("sid"), f.session(issued.Str("refresh_token")).ID)
			}
			if claims := jwtPayload(token); claims != nil {
				for _, key := range []string{"jti", "sub", "client_id", "scope", "iat", "exp", "sid", "iss"} {
					if r.JSON[key] != claims[key] {
						t.Errorf("%s = %v; the JWT says %v", key, r.JSON[key], claims[key])
					}
				}
			}
			wantOKNoStore(t, f.revokeAs(tc.owner, token))
			wantInactiveToken(t, f.introspectAs(tc.owner, token), "the revoked "+tc.name)
		})
	}
}

// A client sees only its own tokens; a resource server registered with
// Introspect sees every token.
func TestIntrospectionVisibility(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	other := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}})
	rs := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}, Introspect: true})
	login, refLogin := f.login("read offline_access"), f.passwordLogin(ref, testUser)
	for _, tk := range []struct {
		name, token string
		owner       clientCred
	}{
		{"JWT", login.Str("access_token"), f.own()},
		{"refresh token", login.Str("refresh_token"), f.own()},
		{"reference token", refLogin.Str("access_token"), ref},
		{"client_credentials JWT", f.ccToken(f.own()), f.own()},
	} {
		t.Run(tk.name, func(t *testing.T) {
			firstParty := f.own()
			if tk.owner == firstParty {
				firstParty = ref
			}
			for _, c := range []clientCred{other, firstParty} {
				wantInactiveToken(t, f.introspectAs(c, tk.token), "another client's "+tk.name)
			}
			r := f.introspectAs(rs, tk.token)
			if wantActiveToken(t, r, tk.name+" by a resource server"); r.Str("client_id") != tk.owner.id {
				t.Errorf("client_id = %q; want the owner %q", r.Str("client_id"), tk.owner.id)
			}
			wantActiveToken(t, f.introspectAs(tk.owner, tk.token), tk.name+" by its owner")
			wantError(t, f.PostForm(introspectionPath, "", "", url.Values{"token": {tk.token}}), 401, "invalid_client")
		})
	}
}

// Expiry with the injected clock: an access token is active until its
// exp, a refresh token until its idle expiry; expired is inactive.
func TestIntrospectionOfExpiredTokens(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	login, refLogin := f.login("read offline_access"), f.passwordLogin(ref, testUser)
	check := func(when string, jwtActive, refActive, refreshActive bool) {
		t.Helper()
		for _, tc := range []struct {
			name   string
			caller clientCred
			token  string
			active bool
		}{
			{"JWT", f.own(), login.Str("access_token"), jwtActive},
			{"reference token", ref, refLogin.Str("access_token"), refActive},
			{"refresh token", f.own(), login.Str("refresh_token"), refreshActive},
		} {
			r := f.introspectAs(tc.caller, tc.token)
			if tc.active {
				wantActiveToken(t, r, tc.name+" "+when)
			} else {
				wantInactiveToken(t, r, tc.name+" "+when)
			}
		}
	}
	f.Clock.Advance(testAccessTTL - time.Second)
	check("a second before exp", true, true, true)
	f.Clock.Advance(time.Second)
	check("at exp", false, false, true)
	f.Clock.Advance(testRefreshIdleTTL - testAccessTTL - time.Second)
	check("a second before the idle expiry", false, false, true)
	f.Clock.Advance(time.Second)
	check("at the idle expiry", false, false, false)
}

// A JWT that is not exactly what the service signed is inactive, never an
// error (RFC 7662 §2.2, invariant 7).
func TestIntrospectionOfForgedJWT(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	real := f.login("read offline_access").Str("access_token")
	second := f.login("read offline_access").Str("access_token")
	parts, parts2 := strings.Split(real, "."), strings.Split(second, ".")
	header, claims := jwtSegment(parts[0]), jwtPayload(real)
	claims["scope"] = "read write latchkey:admin"
	none := maps.Clone(header)
	none["alg"] = "none"
	hs := maps.Clone(header)
	hs["alg"] = "HS256"
	unknownKID := maps.Clone(header)
	unknownKID["kid"] = "no-such-key"
	for name, token := range map[string]string{
		"signature flipped":           parts[0] + "." + parts[1] + "." + flipSignature(parts[2]),
		"another token's signature":   parts[0] + "." + parts[1] + "." + parts2[2],
		"claims widened":              parts[0] + "." + encodeSegment(claims) + "." + parts[2],
		"alg none":                    encodeSegment(none) + "." + parts[1] + ".",
		"alg HS256":                   encodeSegment(hs) + "." + parts[1] + "." + parts[2],
		"unknown kid":                 encodeSegment(unknownKID) + "." + parts[1] + "." + parts[2],
		"signed by another key":       signWithNewKey(parts[0] + "." + parts[1]),
		"claims widened and resigned": signWithNewKey(parts[0] + "." + encodeSegment(claims)),
		"no signature":                parts[0] + "." + parts[1],
		"four segments":               real + ".x",
		"not base64":                  "%%%.%%%.%%%",
		"not a JWT":                   "hello",
		"oversized":                   strings.Repeat("a", 9000),
	} {
		t.Run(name, func(t *testing.T) {
			wantInactiveToken(t, f.introspectAs(f.own(), token), name)
		})
	}
	wantActiveToken(t, f.introspectAs(f.own(), real), "the genuine JWT after the forgeries")
}

// Access tokens of a session revoked with DELETE /sessions/{id} are
// inactive at once, JWTs included.
func TestIntrospectionAfterSessionDeleted(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	admin := f.adminToken(tokens.ScopeSessionsRevoke)
	for name, c := range map[string]clientCred{"JWT": f.own(), "reference": ref} {
		t.Run(name, func(t *testing.T) {
			login := f.passwordLogin(c, testUser)
			wantActiveToken(t, f.introspectAs(c, login.Str("access_token")), "the access token before")
			wantOKNoStore(t, f.deleteAs(admin, "/sessions/"+f.session(login.Str("refresh_token")).ID))
			wantInactiveToken(t, f.introspectAs(c, login.Str("access_token")), "the access token of a deleted session")
			wantInactiveToken(t, f.introspectAs(c, login.Str("refresh_token")), "the refresh token of a deleted session")
		})
	}
}

// The introspection budget of docs/design.md §6: one read, with a warm client
// cache and key set.
func TestIntrospectionRequestBudget(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	ref := f.referenceClient()
	login, refLogin := f.login("read offline_access"), f.passwordLogin(ref, testUser)
	cc := f.ccToken(f.own())
	wantActiveToken(t, f.introspectAs(f.own(), cc), "warm-up") // loads the key set and caches f's client
	wantActiveToken(t, f.introspectAs(ref, refLogin.Str("access_token")), "warm-up")
	for _, tc := range []struct {
		name   string
		caller clientCred
		token  string
		ops    map[string]int
	}{
		{"JWT of a session", f.own(), login.Str("access_token"), map[string]int{"BatchGetItem": 1}},
		{"JWT of client_credentials", f.own(), cc, map[string]int{"BatchGetItem": 1}},
		{"reference token", ref, refLogin.Str("access_token"), map[string]int{"BatchGetItem": 1}},
		{"refresh token", f.own(), login.Str("refresh_token"), map[string]int{"GetItem": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.DB.Counter.Reset()
			wantActiveToken(t, f.introspectAs(tc.caller, tc.token), tc.name)
			if got := f.DB.Counter.Ops(); !maps.Equal(got, tc.ops) {
				t.Errorf("requests = %v; want %v", got, tc.ops)
			}
		})
	}
}

// Invariant 8 on both endpoints: bad input gets the right OAuth error,
// never a 5xx, never cacheable.
func TestRevokeAndIntrospectBadInput(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	auth := http.Header{"Authorization": {apptest.BasicAuth(f.client.ID, f.secret)}}
	raw := func(v string) http.Header { return http.Header{"Authorization": {v}} }
	const form, js = "application/x-www-form-urlencoded", "application/json"
	for _, tc := range []struct {
		name, method, ctype, body string
		header                    http.Header
		status                    int
		code                      string
	}{
		{"wrong content type", http.MethodPost, "text/plain", "token=x", auth, 400, "invalid_request"},
		{"no content type", http.MethodPost, "", "token=x", auth, 400, "invalid_request"},
		{"JSON body", http.MethodPost, js, `{"token":"x"}`, auth, 400, "invalid_request"},
		{"malformed form", http.MethodPost, form, "token=%zz", auth, 400, "invalid_request"},
		{"repeated parameter", http.MethodPost, form, "token=a&token=b", auth, 400, "invalid_request"},
		{"oversized body", http.MethodPost, form, "token=" + strings.Repeat("a", 64<<10), auth, 400, "invalid_request"},
		{"missing token", http.MethodPost, form, "token_type_hint=access_token", auth, 400, "invalid_request"},
		{"Basic not base64", http.MethodPost, form, "token=x", raw("Basic !!not-base64!!"), 400, "invalid_request"},
		{"Basic without colon", http.MethodPost, form, "token=x", raw("Basic " + base64.StdEncoding.EncodeToString([]byte(f.client.ID))), 400, "invalid_request"},
		{"Basic scheme only", http.MethodPost, form, "token=x", raw("Basic"), 400, "invalid_request"},
		{"Bearer instead of Basic", http.MethodPost, form, "token=x", raw("Bearer x"), 400, "invalid_request"},
		{"Basic and client_secret", http.MethodPost, form, "token=x&client_secret=" + url.QueryEscape(f.secret), auth, 400, "invalid_request"},
		{"wrong secret", http.MethodPost, form, "token=x", raw(apptest.BasicAuth(f.client.ID, "wrong")), 401, "invalid_client"},
		{"unknown client", http.MethodPost, form, "token=x", raw(apptest.BasicAuth("nobody", "x")), 401, "invalid_client"},
		{"no client authentication", http.MethodPost, form, "token=x", nil, 401, "invalid_client"},
		{"client_id without secret", http.MethodPost, form, "token=x&client_id=" + f.client.ID, nil, 401, "invalid_client"},
		{"GET", http.MethodGet, "", "", auth, 405, "method_not_allowed"},
	} {
		for _, path := range []string{revocationPath, introspectionPath} {
			t.Run(path+"/"+tc.name, func(t *testing.T) {
				r := f.Do(tc.method, path, tc.ctype, tc.body, tc.header)
				if wantError(t, r, tc.status, tc.code); r.Status >= 500 {
					t.Errorf("status = %d; bad input must never get a 5xx", r.Status)
				}
				if tc.status == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("WWW-Authenticate = %q; want a Basic challenge", r.Header.Get("WWW-Authenticate"))
				}
			})
		}
	}
}

// jwtSegment decodes one base64url JSON segment of a JWT, or returns nil.
func jwtSegment(seg string) map[string]any {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

// jwtPayload returns a JWT's claims, or nil when token is not a JWT.
func jwtPayload(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	return jwtSegment(parts[1])
}

func encodeSegment(v map[string]any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func flipSignature(sig string) string {
	b, _ := base64.RawURLEncoding.DecodeString(sig)
	b[len(b)/2] ^= 1
	return base64.RawURLEncoding.EncodeToString(b)
}

// signWithNewKey signs a JWS signing input with a fresh P-256 key (ES256,
// RFC 7518 §3.4): a well-formed token the service never issued.
func signWithNewKey(input string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, sum[:])
	if err != nil {
		panic(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// audList returns a JSON string or array of strings as a slice.
func audList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// A public client identifies itself with client_id alone: enough to revoke
// its own tokens (RFC 7009 §2.1), not to introspect (RFC 7662 §2.1).
func TestPublicClientRevokesButCannotIntrospect(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	pub := f.newClient(tokens.ClientSpec{Public: true, Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	login := f.passwordLogin(pub, testUser)
	for _, token := range []string{login.Str("access_token"), login.Str("refresh_token")} {
		r := f.PostForm(introspectionPath, "", "", url.Values{"token": {token}, "client_id": {pub.id}})
		wantError(t, r, 401, "invalid_client")
	}
	r := f.PostForm(revocationPath, "", "", url.Values{"token": {login.Str("refresh_token")}, "client_id": {pub.id}})
	wantOKNoStore(t, r)
	rs := f.newClient(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{"read"}, Introspect: true})
	wantInactiveToken(t, f.introspectAs(rs, login.Str("refresh_token")), "a public client's revoked refresh token")
	wantInactiveToken(t, f.introspectAs(rs, login.Str("access_token")), "the access token of its session")
}
