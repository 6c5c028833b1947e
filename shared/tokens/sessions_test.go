package tokens_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// The sessions page (ListSessions): pages of one store query, cursors
// sealed to their query, permissions and filters.

// ids returns the ids of a page's entries, in order.
func ids(p tokens.SessionsPage) []string {
	var out []string
	for _, e := range p.Entries {
		if e.Session != nil {
			out = append(out, e.Session.ID)
		} else {
			out = append(out, e.LongLived.ID)
		}
	}
	return out
}

// list lists as p and fails the test on an error.
func (r *rig) list(p tokens.Principal, req tokens.SessionsRequest) tokens.SessionsPage {
	r.t.Helper()
	page, err := r.svc.ListSessions(r.ctx, p, req)
	if err != nil {
		r.t.Fatalf("ListSessions(%+v): %v", req, err)
	}
	return page
}

// 120 sessions in pages of 50: each once, newest first, one query a page,
// never another subject's.
func TestListSessionsPages(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 1000})
	var created []string
	for i := range 120 {
		r.clock.Advance(time.Second)
		created = append(created, sessionID(r.login(c, "read offline_access").RefreshToken))
		if i%20 == 0 {
			r.loginAs(c, otherUser, "read offline_access")
		}
	}
	slices.Reverse(created)
	me := tokens.Principal{Subject: alice.Subject, ClientID: c.ID}
	var listed []string
	var sizes []int
	cursor := ""
	for page := 0; page == 0 || cursor != ""; page++ {
		if page > 5 {
			t.Fatal("more than 5 pages of 50 for 120 sessions: the cursor loops")
		}
		r.store.ResetOps()
		p := r.list(me, tokens.SessionsRequest{Limit: 50, Cursor: cursor})
		if ops := r.coreOps(); len(ops) != 1 || ops["ListSubject"] != 1 {
			t.Errorf("page %d: store calls %v; want one ListSubject", page, ops)
		}
		for _, e := range p.Entries {
			if e.Session == nil || e.Session.Subject != alice.Subject {
				t.Fatalf("page %d lists %+v; want only alice's sessions", page, e)
			}
		}
		listed = append(listed, ids(p)...)
		sizes = append(sizes, len(p.Entries))
		cursor = p.NextCursor
	}
	if !slices.Equal(listed, created) {
		t.Errorf("listed %d ids; want the 120 created, each once, newest first", len(listed))
	}
	if !slices.Equal(sizes, []int{50, 50, 20}) {
		t.Errorf("page sizes = %v; want [50 50 20]", sizes)
	}
}

// A cursor is sealed to its query: any change is invalid_request, costs
// no store query, and reaches no other subject's data.
func TestListSessionsCursorTampering(t *testing.T) {
	r := newRig(t)
	alice, bob := r.user(testUser), r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{})
	for range 3 {
		r.clock.Advance(time.Second)
		r.login(c, "read offline_access")
		r.loginAs(c, otherUser, "read offline_access")
	}
	me := tokens.Principal{Subject: alice.Subject}
	reader := tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRead}}
	firstPage := r.list(me, tokens.SessionsRequest{Limit: 1})
	cursor := firstPage.NextCursor
	bobCursor := r.list(reader, tokens.SessionsRequest{Subject: bob.Subject, Limit: 1}).NextCursor
	if cursor == "" || bobCursor == "" {
		t.Fatal("no next cursor")
	}
	if next := r.list(me, tokens.SessionsRequest{Limit: 1, Cursor: cursor}); len(next.Entries) != 1 || ids(next)[0] == ids(firstPage)[0] {
		t.Fatalf("the untouched cursor gave %v; want the next session", ids(next))
	}
	dot := strings.IndexByte(cursor, '.')
	type attempt struct {
		p   tokens.Principal
		req tokens.SessionsRequest
	}
	own := func(cur string) attempt { return attempt{me, tokens.SessionsRequest{Limit: 1, Cursor: cur}} }
	cases := map[string]attempt{
		"truncated by one":        own(cursor[:len(cursor)-1]),
		"truncated by half":       own(cursor[:len(cursor)/2]),
		"body only":               own(cursor[:dot]),
		"mac only":                own(cursor[dot+1:]),
		"garbage":                 own("garbage"),
		"garbage with a dot":      own("a.b"),
		"not base64":              own("!!!.???"),
		"padded":                  own(cursor + "=="),
		"bob's cursor":            own(bobCursor),
		"bob's cursor, for alice": {reader, tokens.SessionsRequest{Subject: alice.Subject, Limit: 1, Cursor: bobCursor}},
		"alice's cursor, for bob": {reader, tokens.SessionsRequest{Subject: bob.Subject, Limit: 1, Cursor: cursor}},
		"other status":            {me, tokens.SessionsRequest{Status: "all", Limit: 1, Cursor: cursor}},
		"other type":              {me, tokens.SessionsRequest{Type: tokens.ListTypeOAuth, Limit: 1, Cursor: cursor}},
		"other client":            {me, tokens.SessionsRequest{ClientID: c.ID, Limit: 1, Cursor: cursor}},
	}
	for _, pos := range []int{0, dot / 2, dot - 1, dot + 1, (dot + len(cursor)) / 2, len(cursor) - 1} {
		cases["flipped at "+strconv.Itoa(pos)] = own(flipChar(cursor, pos, 32))
	}
	// The MAC's last character carries 2 unused bits: a change there alone
	// is still a changed cursor.
	cases["flipped unused bits of the last character"] = own(flipChar(cursor, len(cursor)-1, 1))
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			p, err := r.svc.ListSessions(r.ctx, tc.p, tc.req)
			wantCode(t, err, oauth.CodeInvalidRequest)
			if len(p.Entries) != 0 || len(r.coreOps()) != 0 {
				t.Errorf("page %v, store calls %v; want nothing", ids(p), r.coreOps())
			}
		})
	}
}

// flipChar changes the base64url character at pos by xor-ing its 6-bit
// value with bits.
func flipChar(s string, pos int, bits byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := []byte(s)
	b[pos] = alphabet[byte(strings.IndexByte(alphabet, b[pos]))^bits]
	return string(b)
}

func TestListSessionsPermissions(t *testing.T) {
	r := newRig(t)
	alice, bob := r.user(testUser), r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{})
	r.login(c, "read offline_access")
	r.loginAs(c, otherUser, "read offline_access")
	r.loginAs(c, otherUser, "read offline_access")
	for _, tc := range []struct {
		name    string
		p       tokens.Principal
		subject string
		want    string // every row's subject
		n       int
		code    string
	}{
		{"user, own", tokens.Principal{Subject: alice.Subject}, "", alice.Subject, 1, ""},
		{"user, own named", tokens.Principal{Subject: alice.Subject}, alice.Subject, alice.Subject, 1, ""},
		{"user, another subject", tokens.Principal{Subject: alice.Subject}, bob.Subject, "", 0, oauth.CodeInsufficientScope},
		{"sessions:read, another subject", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRead}}, bob.Subject, bob.Subject, 2, ""},
		{"latchkey:admin, another subject", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeAdmin}}, bob.Subject, bob.Subject, 2, ""},
		{"tokens:mint is not sessions:read", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeTokensMint}}, bob.Subject, "", 0, oauth.CodeInsufficientScope},
		{"sessions:revoke is not sessions:read", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRevoke}}, bob.Subject, "", 0, oauth.CodeInsufficientScope},
		{"sessions:read, no subject: its own (none)", tokens.Principal{Subject: "svc", Scopes: []string{tokens.ScopeSessionsRead}}, "", "", 0, ""},
		{"no subject at all", tokens.Principal{ClientID: c.ID}, "", "", 0, oauth.CodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			p, err := r.svc.ListSessions(r.ctx, tc.p, tokens.SessionsRequest{Subject: tc.subject})
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if ops := r.coreOps(); len(ops) != 0 {
					t.Errorf("store calls = %v; want none", ops)
				}
				return
			}
			if err != nil || len(p.Entries) != tc.n {
				t.Fatalf("ListSessions = %d rows, %v; want %d", len(p.Entries), err, tc.n)
			}
			for _, e := range p.Entries {
				if e.Session.Subject != tc.want {
					t.Errorf("a row of subject %s; want only %s", e.Session.Subject, tc.want)
				}
			}
		})
	}
}

// Filters and each entry's status: revoked and expired sessions show only
// with status all; long-lived tokens are listed beside sessions.
func TestListSessionsFilters(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshIdleTTL: time.Hour})
	other := r.firstParty(tokens.ClientSpec{RefreshIdleTTL: 3 * time.Hour})
	me := tokens.Principal{Subject: alice.Subject}
	idle := r.login(c, "read offline_access").RefreshToken // idle-expired below
	r.clock.Advance(2 * time.Hour)
	r.login(c, "read offline_access")
	revoked := sessionID(r.login(c, "read offline_access").RefreshToken)
	r.login(other, "read offline_access")
	r.mint(tokens.Principal{Subject: "admin", Scopes: []string{tokens.ScopeAdmin}}, alice.Subject, "read")
	if _, err := r.svc.RevokeSession(r.ctx, me, revoked); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		req  tokens.SessionsRequest
		n    int
		code string
	}{
		{"default: active", tokens.SessionsRequest{}, 3, ""},
		{"status active", tokens.SessionsRequest{Status: "active"}, 3, ""},
		{"status all", tokens.SessionsRequest{Status: "all"}, 5, ""},
		{"oauth", tokens.SessionsRequest{Type: tokens.ListTypeOAuth}, 2, ""},
		{"long_lived", tokens.SessionsRequest{Type: tokens.ListTypeLongLived}, 1, ""},
		{"oauth, all", tokens.SessionsRequest{Type: tokens.ListTypeOAuth, Status: "all"}, 4, ""},
		{"one client", tokens.SessionsRequest{ClientID: c.ID}, 1, ""},
		{"one client, all", tokens.SessionsRequest{ClientID: c.ID, Status: "all"}, 3, ""},
		{"the other client", tokens.SessionsRequest{ClientID: other.ID}, 1, ""},
		{"an unknown client", tokens.SessionsRequest{ClientID: "nosuchclient"}, 0, ""},
		{"limit 1, all", tokens.SessionsRequest{Limit: 1, Status: "all"}, 1, ""},
		{"limit 200", tokens.SessionsRequest{Limit: 200}, 3, ""},
		{"limit 201", tokens.SessionsRequest{Limit: 201}, 0, oauth.CodeInvalidRequest},
		{"limit -1", tokens.SessionsRequest{Limit: -1}, 0, oauth.CodeInvalidRequest},
		{"type jwt", tokens.SessionsRequest{Type: "jwt"}, 0, oauth.CodeInvalidRequest},
		{"status revoked", tokens.SessionsRequest{Status: "revoked"}, 0, oauth.CodeInvalidRequest},
		{"long_lived of a client", tokens.SessionsRequest{Type: tokens.ListTypeLongLived, ClientID: c.ID}, 0, oauth.CodeInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			p, err := r.svc.ListSessions(r.ctx, me, tc.req)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			if err != nil || len(p.Entries) != tc.n {
				t.Fatalf("ListSessions(%+v) = %d rows, %v; want %d", tc.req, len(p.Entries), err, tc.n)
			}
		})
	}
	all := r.list(me, tokens.SessionsRequest{Status: "all"})
	status := map[string]string{}
	for _, e := range all.Entries {
		status[ids(tokens.SessionsPage{Entries: []tokens.ListEntry{e}})[0]] = all.Status(e)
	}
	if status[revoked] != tokens.SessionRevoked || status[sessionID(idle)] != "expired" {
		t.Errorf("statuses = %v; want %s revoked and %s expired", status, revoked, sessionID(idle))
	}
	if !all.Now.Equal(r.clock.Now()) {
		t.Errorf("page time = %v; want the clock's %v", all.Now, r.clock.Now())
	}
}
