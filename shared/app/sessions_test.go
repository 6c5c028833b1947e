package app_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// sessions sends GET /sessions?query with a bearer token.
func (f fixture) sessions(token, query string) apptest.Response {
	f.T.Helper()
	path := "/sessions"
	if query != "" {
		path += "?" + query
	}
	return f.Do(http.MethodGet, path, "", "", bearer(token))
}

// loginAs runs the password grant for username on client c, sending ua as
// the User-Agent when it is set.
func (f fixture) loginAs(c tokens.Client, secret, username, ua string) apptest.Response {
	f.T.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {testPassword}, "scope": {"read offline_access"}}
	header := http.Header{"Authorization": {apptest.BasicAuth(c.ID, secret)}}
	if ua != "" {
		header.Set("User-Agent", ua)
	}
	r := f.Do(http.MethodPost, "/oauth2/token", "application/x-www-form-urlencoded", form.Encode(), header)
	if r.Status != 200 || r.Str("refresh_token") == "" {
		f.T.Fatalf("password grant for %s = %d %s; want 200 with a refresh token", username, r.Status, r.Body)
	}
	return r
}

// entries returns the rows of a 200 answer of GET /sessions.
func entries(t *testing.T, r apptest.Response) []map[string]any {
	t.Helper()
	list, ok := r.JSON["sessions"].([]any)
	if r.Status != 200 || !ok {
		t.Fatalf("GET /sessions = %d %s; want 200 with sessions", r.Status, r.Body)
	}
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i] = e.(map[string]any)
	}
	return out
}

func findEntry(t *testing.T, r apptest.Response, id string) map[string]any {
	t.Helper()
	for _, e := range entries(t, r) {
		if e["id"] == id {
			return e
		}
	}
	return nil
}

func ids(t *testing.T, r apptest.Response) []string {
	t.Helper()
	var out []string
	for _, e := range entries(t, r) {
		out = append(out, e["id"].(string))
	}
	return out
}

// sidOf returns the session id a refresh token names.
func sidOf(refreshToken string) string {
	sid, _, _ := strings.Cut(strings.TrimPrefix(refreshToken, tokens.RefreshTokenPrefix), ".")
	return sid
}

func TestSessionsPagination(t *testing.T) {
	f := newDynamoFixture(t, tokens.ClientSpec{MaxSessionsPerSubject: 1000})
	bob := f.User("bob", testPassword)
	for range 3 {
		f.loginAs(f.client, f.secret, "bob", "")
	}
	var created []string
	var last apptest.Response
	for range 120 {
		f.Clock.Advance(time.Second) // distinct creation times: "newest first" is defined
		last = f.login("read offline_access")
		created = append(created, sidOf(last.Str("refresh_token")))
	}
	var listed []string
	var sizes []int
	cursor := ""
	for page := 0; page == 0 || cursor != ""; page++ {
		if page > 5 {
			t.Fatalf("more than 5 pages of 50 for 120 sessions; cursor loops")
		}
		q := url.Values{"limit": {"50"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		f.DB.Counter.Reset()
		r := f.sessions(last.Str("access_token"), q.Encode())
		if got := f.DB.Counter.Ops()["Query"]; got != 1 {
			t.Errorf("page %d: %d Query requests (%v); want 1", page, got, f.DB.Counter.Ops())
		}
		for _, e := range entries(t, r) {
			if e["subject"] == bob {
				t.Fatalf("page %d lists bob's session %v", page, e["id"])
			}
			listed = append(listed, e["id"].(string))
		}
		sizes = append(sizes, len(entries(t, r)))
		cursor = r.Str("next_cursor")
	}
	slices.Reverse(created)
	if !slices.Equal(listed, created) {
		t.Errorf("listed %d ids; want the 120 created, each once, newest first\n got %v\nwant %v", len(listed), listed, created)
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("page sizes = %v; want [50 50 20]", sizes)
	}
}

func TestSessionFields(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	const ua = "latchkey-test/1.0 (sessions page)"
	login := f.loginAs(f.client, f.secret, testUser, ua)
	jti := f.PostForm("/oauth2/introspect", f.client.ID, f.secret, url.Values{"token": {login.Str("access_token")}}).Str("jti")
	at := func(d time.Duration) string { return apptest.Start.Add(d).Format(time.RFC3339) }
	want := map[string]any{
		"id": sidOf(login.Str("refresh_token")), "type": "oauth", "client_id": f.client.ID, "subject": f.subject(),
		"scopes": []any{"read", "offline_access"}, "issued_at": at(0), "expires_at": at(720 * time.Hour),
		"idle_expires_at": at(168 * time.Hour), "login_at": at(0), "last_used_at": at(0),
		"jti": jti, "status": "active", "ip": "127.0.0.1", "user_agent": ua,
	}
	check := func(r apptest.Response) {
		t.Helper()
		es := entries(t, r)
		if len(es) != 1 {
			t.Fatalf("GET /sessions = %s; want one session", r.Body)
		}
		for k, v := range want {
			if got, ok := es[0][k]; !ok || !equalJSON(got, v) {
				t.Errorf("session %s = %v (present %v); want %v", k, got, ok, v)
			}
		}
	}
	if jti == "" {
		t.Fatal("introspection of the access token gave no jti")
	}
	check(f.sessions(login.Str("access_token"), ""))

	f.Clock.Advance(10 * time.Minute)
	r := f.refresh(login.Str("refresh_token"))
	want["last_used_at"], want["idle_expires_at"], want["user_agent"] = at(10*time.Minute), at(10*time.Minute+168*time.Hour), "Go-http-client/1.1"
	want["jti"] = f.PostForm("/oauth2/introspect", f.client.ID, f.secret, url.Values{"token": {r.Str("access_token")}}).Str("jti")
	check(f.sessions(r.Str("access_token"), ""))
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

func TestSessionsFilters(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	other, otherSecret := f.Client(tokens.ClientSpec{Grants: []string{"password"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	user := f.login("read offline_access").Str("access_token")
	f.login("read offline_access")
	revoked := sidOf(f.login("read offline_access").Str("refresh_token"))
	f.loginAs(other, otherSecret, testUser, "")
	if r := mint(f.Harness, clientToken(f.Harness, "tokens:mint", "read"), mintBody("n", f.subject(), "read")); r.Status != 201 {
		t.Fatalf("mint = %d %s", r.Status, r.Body)
	}
	if r := f.Do(http.MethodDelete, "/sessions/"+revoked, "", "", bearer(user)); r.Status != 200 {
		t.Fatalf("DELETE /sessions/%s = %d %s; want 200", revoked, r.Status, r.Body)
	}
	for _, tc := range []struct {
		query string
		n     int // rows; -1: 400 invalid_request
	}{
		{"", 4},
		{"status=active", 4},
		{"status=all", 5},
		{"type=oauth", 3},
		{"type=long_lived", 1},
		{"type=oauth&status=all", 4},
		{"client_id=" + f.client.ID, 2},
		{"client_id=" + f.client.ID + "&status=all", 3},
		{"client_id=" + other.ID, 1},
		{"client_id=nosuchclient", 0},
		{"limit=1&status=all", 1},
		{"limit=200", 4},
		{"limit=0", -1},
		{"limit=201", -1},
		{"limit=-1", -1},
		{"limit=x", -1},
		{"limit=1.5", -1},
		{"type=jwt", -1},
		{"status=revoked", -1},
		{"type=long_lived&client_id=" + f.client.ID, -1},
		{"limit=1&limit=2", -1},
		{"sort=asc", -1},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := f.sessions(user, tc.query)
			if tc.n < 0 {
				wantError(t, r, 400, "invalid_request")
				return
			}
			es := entries(t, r)
			if len(es) != tc.n {
				t.Fatalf("GET /sessions?%s = %d rows %s; want %d", tc.query, len(es), r.Body, tc.n)
			}
			for _, e := range es {
				if e["id"] == revoked && e["status"] != "revoked" {
					t.Errorf("revoked session listed with status %v", e["status"])
				}
			}
		})
	}
}

// A cursor is sealed to its query: any change is invalid_request and none
// reaches another subject's data.
func TestSessionsCursorTampering(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	bob := f.User("bob", testPassword)
	user := f.login("read offline_access").Str("access_token")
	for range 2 {
		f.login("read offline_access")
		f.loginAs(f.client, f.secret, "bob", "")
	}
	admin := clientToken(f.Harness, "sessions:read")
	first := f.sessions(user, "limit=1")
	cursor, bobCursor := first.Str("next_cursor"), f.sessions(admin, "limit=1&subject="+bob).Str("next_cursor")
	if cursor == "" || bobCursor == "" {
		t.Fatalf("no next_cursor: %s", first.Body)
	}
	if next := f.sessions(user, "limit=1&cursor="+cursor); len(ids(t, next)) != 1 || ids(t, next)[0] == ids(t, first)[0] {
		t.Fatalf("the untouched cursor = %s; want the next session", next.Body)
	}
	dot := strings.IndexByte(cursor, '.')
	type attempt struct{ token, query string }
	cases := map[string]attempt{
		"truncated by one":         {user, "cursor=" + cursor[:len(cursor)-1]},
		"truncated by half":        {user, "cursor=" + cursor[:len(cursor)/2]},
		"body only":                {user, "cursor=" + cursor[:dot]},
		"mac only":                 {user, "cursor=" + cursor[dot+1:]},
		"garbage":                  {user, "cursor=garbage"},
		"garbage with a dot":       {user, "cursor=a.b"},
		"not base64":               {user, "cursor=" + url.QueryEscape("!!!.???")},
		"bob's cursor, own token":  {user, "cursor=" + bobCursor},
		"bob's cursor, for alice":  {admin, "subject=" + f.subject() + "&cursor=" + bobCursor},
		"alice's cursor, for bob":  {admin, "subject=" + bob + "&cursor=" + cursor},
		"other filter: status=all": {user, "status=all&cursor=" + cursor},
		"other filter: type":       {user, "type=oauth&cursor=" + cursor},
		"other filter: client_id":  {user, "client_id=" + f.client.ID + "&cursor=" + cursor},
	}
	for _, pos := range []int{0, dot / 2, dot - 1, dot + 1, (dot + len(cursor)) / 2, len(cursor) - 1} {
		cases["flipped at "+strconv.Itoa(pos)] = attempt{user, "cursor=" + flip(cursor, pos, 32)}
	}
	// The MAC's last base64 character carries 2 unused bits: a change there
	// alone is still a changed cursor.
	cases["flipped unused bits of the last character"] = attempt{user, "cursor=" + flip(cursor, len(cursor)-1, 1)}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := f.sessions(tc.token, tc.query)
			wantError(t, r, 400, "invalid_request")
			if strings.Contains(r.Body, bob) {
				t.Errorf("the answer names bob: %s", r.Body)
			}
		})
	}
}

// flip changes the base64url character at pos by xor-ing its 6-bit value
// with bits.
func flip(s string, pos int, bits byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := []byte(s)
	b[pos] = alphabet[byte(strings.IndexByte(alphabet, b[pos]))^bits]
	return string(b)
}

func TestSessionsPermissions(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	bob := f.User("bob", testPassword)
	user := f.login("read offline_access").Str("access_token")
	f.loginAs(f.client, f.secret, "bob", "")
	f.loginAs(f.client, f.secret, "bob", "")
	for _, tc := range []struct {
		name, token, query string
		subject            string // every row's; "" for an error
		n                  int
		status             int
		code               string
	}{
		{"user, own", user, "", f.subject(), 1, 200, ""},
		{"user, own named", user, "subject=" + f.subject(), f.subject(), 1, 200, ""},
		{"user, another subject", user, "subject=" + bob, "", 0, 403, "insufficient_scope"},
		{"sessions:read, another subject", clientToken(f.Harness, "sessions:read"), "subject=" + bob, bob, 2, 200, ""},
		{"latchkey:admin, another subject", clientToken(f.Harness, "latchkey:admin"), "subject=" + bob, bob, 2, 200, ""},
		{"tokens:mint is not sessions:read", clientToken(f.Harness, "tokens:mint"), "subject=" + bob, "", 0, 403, "insufficient_scope"},
		{"sessions:read, no subject: its own (none)", clientToken(f.Harness, "sessions:read"), "", "", 0, 200, ""},
		{"no token", "", "", "", 0, 401, "invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r apptest.Response
			if tc.token == "" {
				r = f.Do(http.MethodGet, "/sessions", "", "", nil)
			} else {
				r = f.sessions(tc.token, tc.query)
			}
			if tc.status != 200 {
				wantError(t, r, tc.status, tc.code)
				return
			}
			es := entries(t, r)
			if len(es) != tc.n {
				t.Errorf("rows = %d %s; want %d", len(es), r.Body, tc.n)
			}
			for _, e := range es {
				if e["subject"] != tc.subject {
					t.Errorf("row of subject %v; want only %s", e["subject"], tc.subject)
				}
			}
		})
	}
}
