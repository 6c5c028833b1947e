package app_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

// longLivedShape is the documented format of a minted token (docs/design.md §4).
var longLivedShape = regexp.MustCompile(`^lk_lt_[0-9A-Za-z]{49}$`)

func bearer(token string) http.Header { return http.Header{"Authorization": {"Bearer " + token}} }

// clientToken registers a client_credentials client with scopes and returns
// one of its access tokens.
func clientToken(h *apptest.Harness, scopes ...string) string {
	h.T.Helper()
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: scopes})
	r := h.Token(c.ID, secret, url.Values{"grant_type": {"client_credentials"}})
	if r.Status != 200 {
		h.T.Fatalf("client_credentials = %d %s; want 200", r.Status, r.Body)
	}
	return r.Str("access_token")
}

// introspector registers a resource server that may introspect any token.
func introspector(h *apptest.Harness) func(token string) apptest.Response {
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Introspect: true})
	return func(token string) apptest.Response {
		h.T.Helper()
		return h.PostForm("/oauth2/introspect", c.ID, secret, url.Values{"token": {token}})
	}
}

func mint(h *apptest.Harness, token, body string) apptest.Response {
	h.T.Helper()
	return h.Do(http.MethodPost, "/tokens", "application/json", body, bearer(token))
}

func mintBody(name, subject string, scopes ...string) string {
	b := `{"name":` + strconv.Quote(name) + `,"scopes":["` + strings.Join(scopes, `","`) + `"]`
	if subject != "" {
		b += `,"subject":` + strconv.Quote(subject)
	}
	return b + "}"
}

func (f fixture) subject() string {
	f.T.Helper()
	u, err := f.App.Store.GetUser(context.Background(), testUser)
	if err != nil {
		f.T.Fatal(err)
	}
	return u.Subject
}

func wantActive(t *testing.T, r apptest.Response, want bool) {
	t.Helper()
	if r.Status != 200 || r.JSON["active"] != want {
		t.Fatalf("introspection = %d %s; want 200 active=%v", r.Status, r.Body, want)
	}
	if !want && len(r.JSON) != 1 {
		t.Errorf("inactive introspection = %s; want exactly {\"active\":false}", r.Body)
	}
}

// Mint → introspect → list → revoke → introspect → list (docs/design.md §4).
func TestLongLivedTokenLifecycle(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	admin, introspect := clientToken(f.Harness, "latchkey:admin"), introspector(f.Harness)
	m := mint(f.Harness, admin, mintBody("ci deploy", f.subject(), "read"))
	if m.Status != 201 {
		t.Fatalf("mint = %d %s; want 201", m.Status, m.Body)
	}
	token, id := m.Str("token"), m.Str("id")
	r := introspect(token)
	wantActive(t, r, true)
	if r.Str("sub") != f.subject() || r.Str("scope") != "read" || r.Str("jti") != id || r.Str("token_type") != "Bearer" {
		t.Errorf("introspection = %s; want sub %s, scope read, jti %s, token_type Bearer", r.Body, f.subject(), id)
	}
	wantActive(t, f.PostForm("/oauth2/introspect", f.client.ID, f.secret, url.Values{"token": {token}}), false)

	user := f.login("read offline_access").Str("access_token")
	if e := findEntry(t, f.sessions(user, ""), id); e == nil || e["type"] != "long_lived" || e["status"] != "active" || e["name"] != "ci deploy" {
		t.Errorf("GET /sessions entry %s = %v; want type long_lived, status active, name ci deploy", id, e)
	}
	del := f.Do(http.MethodDelete, "/tokens/"+id, "", "", bearer(admin))
	if del.Status != 200 || del.JSON["revoked"] != float64(1) {
		t.Fatalf("DELETE /tokens/%s = %d %s; want 200 revoked 1", id, del.Status, del.Body)
	}
	wantActive(t, introspect(token), false)
	if e := findEntry(t, f.sessions(user, "status=all"), id); e == nil || e["status"] != "revoked" {
		t.Errorf("GET /sessions?status=all entry = %v; want status revoked", e)
	}
	if e := findEntry(t, f.sessions(user, ""), id); e != nil {
		t.Errorf("GET /sessions (active) lists the revoked token: %v", e)
	}
	if r := f.Do(http.MethodGet, "/sessions", "", "", bearer(token)); r.Status != 401 {
		t.Errorf("revoked token as bearer = %d %s; want 401", r.Status, r.Body)
	}
}

func TestMintAnswer(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	m := mint(f.Harness, clientToken(f.Harness, "tokens:mint", "read", "write"), mintBody("backup", f.subject(), "read", "write"))
	if m.Status != 201 {
		t.Fatalf("mint = %d %s; want 201", m.Status, m.Body)
	}
	for _, k := range []string{"id", "token", "name", "subject", "scopes", "created_at", "expires_at"} {
		if _, ok := m.JSON[k]; !ok {
			t.Errorf("mint answer %s has no %q", m.Body, k)
		}
	}
	want := map[string]string{
		"name": "backup", "subject": f.subject(),
		"created_at": apptest.Start.Format(time.RFC3339),
		"expires_at": apptest.Start.Add(8760 * time.Hour).Format(time.RFC3339),
	}
	for k, v := range want {
		if m.Str(k) != v {
			t.Errorf("mint answer %s = %q; want %q", k, m.Str(k), v)
		}
	}
	if got := m.JSON["scopes"]; len(got.([]any)) != 2 {
		t.Errorf("scopes = %v; want [read write]", got)
	}
	token := m.Str("token")
	if !longLivedShape.MatchString(token) || !tokens.ValidLongLivedChecksum(token) {
		t.Errorf("token = %q; want %s with a valid checksum", token, longLivedShape)
	}
	if got := m.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", got)
	}
	if strings.Contains(scanTable(t, f), token) || strings.Contains(f.Logs.String(), token) {
		t.Error("the minted token is in the table or the logs")
	}
}

func TestWhoMayMint(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{AllowSelfMint: true})
	sub := f.subject()
	user := f.login("read offline_access").Str("access_token")
	plain, plainSecret := f.Client(tokens.ClientSpec{Grants: []string{"password", "client_credentials"}, Scopes: []string{"read"}})
	noSelfMint := f.Token(plain.ID, plainSecret, url.Values{
		"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {"read"},
	}).Str("access_token")
	for _, tc := range []struct {
		name, token, body string
		status            int
		code, desc        string // error and a word of its description
	}{
		{"latchkey:admin for a user", clientToken(f.Harness, "latchkey:admin"), mintBody("a", sub, "read"), 201, "", ""},
		{"tokens:mint for any user", clientToken(f.Harness, "tokens:mint", "deploy"), mintBody("a", "usr_elsewhere", "deploy"), 201, "", ""},
		{"tokens:mint, a scope it lacks", clientToken(f.Harness, "tokens:mint"), mintBody("a", "usr_elsewhere", "deploy"), 403, "insufficient_scope", "wider"},
		{"self, subject implied", user, mintBody("a", "", "read"), 201, "", ""},
		{"self, subject named", user, mintBody("a", sub, "read"), 201, "", ""},
		{"self, wider scopes", user, mintBody("a", "", "read", "write"), 403, "insufficient_scope", "wider"},
		{"self for another subject", user, mintBody("a", "usr_elsewhere", "read"), 403, "insufficient_scope", "another subject"},
		{"client without AllowSelfMint", noSelfMint, mintBody("a", "", "read"), 403, "insufficient_scope", "does not allow"},
		{"client_credentials without admin scope", clientToken(f.Harness, "read"), mintBody("a", "", "read"), 403, "insufficient_scope", "does not allow"},
		{"sessions:read is not tokens:mint", clientToken(f.Harness, "sessions:read"), mintBody("a", sub, "read"), 403, "insufficient_scope", "another subject"},
		{"no token", "", mintBody("a", sub, "read"), 401, "invalid_token", "required"},
		{"garbage token", "not-a-token", mintBody("a", sub, "read"), 401, "invalid_token", "invalid"},
		{"forged long-lived token", "lk_lt_" + strings.Repeat("A", 49), mintBody("a", sub, "read"), 401, "invalid_token", "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var header http.Header
			if tc.token != "" {
				header = bearer(tc.token)
			}
			r := f.Do(http.MethodPost, "/tokens", "application/json", tc.body, header)
			if tc.status == 201 {
				if r.Status != 201 || !longLivedShape.MatchString(r.Str("token")) {
					t.Fatalf("mint = %d %s; want 201 with a token", r.Status, r.Body)
				}
				return
			}
			wantError(t, r, tc.status, tc.code)
			if d := r.Str("error_description"); !strings.Contains(d, tc.desc) {
				t.Errorf("error_description = %q; want it to say %q", d, tc.desc)
			}
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Errorf("WWW-Authenticate = %q; want Bearer ...", got)
			}
		})
	}
}

func TestMintLifetime(t *testing.T) {
	t.Parallel()
	maxTTL := 8760 * time.Hour
	for _, tc := range []struct {
		name       string
		allowNever bool
		expiresIn  string // JSON value, "" to omit
		want       time.Duration
		never, bad bool
	}{
		{"omitted is the maximum", false, "", maxTTL, false, false},
		{"one hour", false, "3600", time.Hour, false, false},
		{"exactly the maximum", false, strconv.Itoa(int(maxTTL.Seconds())), maxTTL, false, false},
		{"negative", false, "-1", 0, false, true},
		{"longer than the maximum", false, strconv.Itoa(int(maxTTL.Seconds()) + 1), 0, false, true},
		{"far beyond a Duration", false, "9000000000000000000", 0, false, true},
		{"0 where never is not allowed", false, "0", 0, false, true},
		{"0 where never is allowed", true, "0", 0, true, false},
		{"omitted where never is allowed", true, "", maxTTL, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := apptest.New(t, func(c *config.Config) { c.AllowNeverExpiring = tc.allowNever })
			body := `{"name":"n","subject":"usr_x","scopes":["read"]`
			if tc.expiresIn != "" {
				body += `,"expires_in":` + tc.expiresIn
			}
			r := mint(h, clientToken(h, "tokens:mint", "read"), body+"}")
			switch {
			case tc.bad:
				wantError(t, r, 400, "invalid_request")
				if !strings.Contains(r.Str("error_description"), "expires_in") {
					t.Errorf("error_description = %q; want it to name expires_in", r.Str("error_description"))
				}
			case tc.never:
				if r.Status != 201 || r.JSON["expires_at"] != nil {
					t.Fatalf("mint = %d %s; want 201 with expires_at null", r.Status, r.Body)
				}
				h.Clock.Advance(10 * maxTTL)
				wantActive(t, introspector(h)(r.Str("token")), true)
			default:
				if want := apptest.Start.Add(tc.want).Format(time.RFC3339); r.Status != 201 || r.Str("expires_at") != want {
					t.Fatalf("mint = %d %s; want 201 expires_at %s", r.Status, r.Body, want)
				}
			}
		})
	}
}

// Invariant 8 for POST /tokens: every bad body is a clear invalid_request.
func TestMintBadInput(t *testing.T) {
	t.Parallel()
	h := apptest.New(t)
	admin := clientToken(h, "latchkey:admin")
	for _, tc := range []struct{ name, ctype, body, want string }{
		{"malformed JSON", "application/json", `{"name":`, "malformed"},
		{"an array, not an object", "application/json", `["a"]`, "JSON object"},
		{"a string, not an object", "application/json", `"a"`, "JSON object"},
		{"empty body", "application/json", ``, "malformed"},
		{"unknown field", "application/json", `{"name":"n","scopes":["read"],"owner":"x"}`, "unknown field"},
		{"trailing data", "application/json", `{"name":"n","scopes":["read"]} {}`, "trailing data"},
		{"expires_in a string", "application/json", `{"name":"n","scopes":["read"],"expires_in":"soon"}`, "expires_in"},
		{"expires_in a fraction", "application/json", `{"name":"n","scopes":["read"],"expires_in":1.5}`, "expires_in"},
		{"scopes a string", "application/json", `{"name":"n","scopes":"read"}`, "scopes"},
		{"form body", "application/x-www-form-urlencoded", `name=n&scopes=read`, "content type"},
		{"no content type", "", `{"name":"n","scopes":["read"]}`, "content type"},
		{"empty name", "application/json", `{"name":"","scopes":["read"]}`, "name"},
		{"name too long", "application/json", `{"name":"` + strings.Repeat("n", 201) + `","scopes":["read"]}`, "name"},
		{"no scopes", "application/json", `{"name":"n"}`, "scopes"},
		{"empty scopes", "application/json", `{"name":"n","scopes":[]}`, "scopes"},
		{"invalid scope token", "application/json", `{"name":"n","scopes":["a b"]}`, "scope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.Do(http.MethodPost, "/tokens", tc.ctype, tc.body, bearer(admin))
			wantError(t, r, 400, "invalid_request")
			if d := r.Str("error_description"); !strings.Contains(d, tc.want) {
				t.Errorf("error_description = %q; want it to mention %q", d, tc.want)
			}
		})
	}
}

// A typo is rejected by the checksum before any read (docs/design.md §4).
func TestChecksumTypoCostsNoRead(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	token := mint(f.Harness, clientToken(f.Harness, "tokens:mint", "read"), mintBody("n", f.subject(), "read")).Str("token")
	introspect := introspector(f.Harness)
	wantActive(t, introspect(token), true) // warms the client cache; records the first use
	for _, pos := range []int{6, 20, len(token) - 7, len(token) - 1} {
		typo := []byte(token)
		typo[pos] = map[bool]byte{true: 'b', false: 'a'}[typo[pos] == 'a']
		f.DB.Counter.Reset()
		wantActive(t, introspect(string(typo)), false)
		if ops := f.DB.Counter.Ops(); len(ops) != 0 {
			t.Errorf("introspecting a typo at %d: requests %v; want none", pos, ops)
		}
		f.DB.Counter.Reset()
		if r := f.Do(http.MethodGet, "/sessions", "", "", bearer(string(typo))); r.Status != 401 || len(f.DB.Counter.Ops()) != 0 {
			t.Errorf("typo at %d as bearer = %d, requests %v; want 401 and none", pos, r.Status, f.DB.Counter.Ops())
		}
	}
	f.DB.Counter.Reset()
	wantActive(t, introspect(token), true)
	if ops := f.DB.Counter.Ops(); len(ops) != 1 || ops["GetItem"] != 1 {
		t.Errorf("introspecting the real token: requests %v; want exactly 1 GetItem", ops)
	}
}

// last_used_at is written at most once a minute, however often the token
// is used (docs/design.md §4).
func TestLastUsedIsThrottled(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{})
	admin := clientToken(f.Harness, "latchkey:admin")
	m := mint(f.Harness, admin, mintBody("n", f.subject(), "read"))
	token, id := m.Str("token"), m.Str("id")
	introspect := introspector(f.Harness)
	lastUsed := func() any {
		e := findEntry(t, f.sessions(admin, "subject="+f.subject()), id)
		if e == nil {
			t.Fatalf("token %s not listed", id)
		}
		return e["last_used_at"]
	}
	if got := lastUsed(); got != nil {
		t.Errorf("last_used_at before any use = %v; want null", got)
	}
	f.DB.Counter.Reset()
	wantActive(t, introspect(token), true)
	f.Clock.Advance(30 * time.Second)
	wantActive(t, introspect(token), true)
	if r := f.Do(http.MethodGet, "/sessions", "", "", bearer(token)); r.Status != 200 {
		t.Fatalf("long-lived token as bearer = %d %s; want 200", r.Status, r.Body)
	}
	if got := f.DB.Counter.Ops()["UpdateItem"]; got != 1 {
		t.Errorf("UpdateItem after three uses within a minute = %d; want 1", got)
	}
	if got, want := lastUsed(), apptest.Start.Format(time.RFC3339); got != want {
		t.Errorf("last_used_at = %v; want %s", got, want)
	}
	f.Clock.Advance(31 * time.Second)
	f.DB.Counter.Reset()
	wantActive(t, introspect(token), true)
	wantActive(t, introspect(token), true)
	if got := f.DB.Counter.Ops()["UpdateItem"]; got != 1 {
		t.Errorf("UpdateItem 61 s after the first use = %d; want 1", got)
	}
	if got, want := lastUsed(), apptest.Start.Add(61*time.Second).Format(time.RFC3339); got != want {
		t.Errorf("last_used_at = %v; want %s", got, want)
	}
}
