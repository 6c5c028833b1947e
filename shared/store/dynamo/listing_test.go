package dynamo_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// seedSubject writes n entries for subject, entry i created at t0+i s: a
// session of client app for even i ("s%03d"), a long-lived token for odd i
// ("lt%03d"). Every entry whose i is a multiple of revokeEvery (if > 0) is
// revoked. It returns the ids newest first, as ListSubject orders them,
// and those of the entries still active.
func seedSubject(t *testing.T, f fixture, subject string, n, revokeEvery int) (all, active []string) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		created := t0.Add(time.Duration(i) * time.Second)
		revoked := revokeEvery > 0 && i%revokeEvery == 0
		var id string
		var err error
		if i%2 == 0 {
			s := sessionOf(fmt.Sprintf("%s-s%03d", subject, i), subject, "app", created)
			if revoked {
				s.Status = tokens.SessionRevoked
			}
			id, err = "s:"+s.ID, f.CreateSession(ctx, s)
		} else {
			lt := newLongLived(fmt.Sprintf("%s-lt%03d", subject, i), subject, created)
			if revoked {
				lt.Status = tokens.SessionRevoked
			}
			id, err = "lt:"+lt.ID, f.CreateLongLived(ctx, lt)
		}
		if err != nil {
			t.Fatal(err)
		}
		all = append([]string{id}, all...)
		if !revoked {
			active = append([]string{id}, active...)
		}
	}
	return all, active
}

// TestListSubjectPages walks 120 entries 50 at a time: every entry once,
// newest first, one Query per page, never another subject's entry.
func TestListSubjectPages(t *testing.T) {
	f := newFixture(t)
	all, active := seedSubject(t, f, "user-1", 120, 7)
	seedSubject(t, f, "user-2", 30, 0)
	seedSubject(t, f, "user-10", 10, 0) // SUB#user-1 is a prefix of SUB#user-10
	f.clock.Set(t0.Add(time.Hour))
	tests := []struct {
		name       string
		activeOnly bool
		want       []string
	}{
		{"all", false, all},
		{"active only", true, active},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			q := tokens.ListQuery{Subject: "user-1", ActiveOnly: tt.activeOnly, Limit: 50}
			for pages := 1; ; pages++ {
				f.env.Counter.Reset()
				page, err := f.ListSubject(context.Background(), q)
				if err != nil {
					t.Fatalf("ListSubject page %d = %v", pages, err)
				}
				if ops := f.env.Counter.Ops(); !maps.Equal(ops, map[string]int{"Query": 1}) {
					t.Errorf("page %d: requests = %v; want one Query", pages, ops)
				}
				if len(page.Entries) > q.Limit {
					t.Errorf("page %d has %d entries; want at most %d", pages, len(page.Entries), q.Limit)
				}
				got = append(got, entryIDs(t, page.Entries)...)
				if page.Next == "" {
					break
				}
				if pages == 10 {
					t.Fatal("more than 10 pages")
				}
				q.After = page.Next
			}
			sameIDs(t, "ListSubject ids over every page", got, tt.want)
		})
	}
}

// TestListSubjectBadCursor: a cursor that was not ListSubject's own for
// this subject is ErrNotFound, and no request is sent.
func TestListSubjectBadCursor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seedSubject(t, f, "user-1", 5, 0)
	seedSubject(t, f, "user-2", 5, 0)
	page, err := f.ListSubject(ctx, tokens.ListQuery{Subject: "user-1", Limit: 2})
	if err != nil || page.Next == "" {
		t.Fatalf("ListSubject = %+v, %v; want a page and a cursor", page, err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(page.Next)
	if err != nil {
		t.Fatalf("cursor %q is not base64url: %v", page.Next, err)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	retarget := enc(strings.Replace(string(raw), "SUB#user-1", "SUB#user-2", 1))
	tests := []struct {
		name    string
		subject string
		after   string
	}{
		{"garbage", "user-1", "!!not base64!!"},
		{"base64 of garbage", "user-1", enc("garbage")},
		{"empty object", "user-1", enc("{}")},
		{"cursor moved to another subject", "user-1", retarget},
		{"cursor of another subject's query", "user-2", page.Next},
		{"extra field", "user-1", enc(strings.Replace(string(raw), "{", `{"x":1,`, 1))},
		{"padded base64", "user-1", base64.URLEncoding.EncodeToString(raw) + "="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.env.Counter.Reset()
			_, err := f.ListSubject(ctx, tokens.ListQuery{Subject: tt.subject, Limit: 2, After: tt.after})
			if !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("ListSubject(After %q) = %v; want ErrNotFound", tt.after, err)
			}
			if ops := f.env.Counter.Ops(); len(ops) != 0 {
				t.Errorf("requests = %v; want none", ops)
			}
		})
	}
}

// TestListSubjectFilters covers type, client and status filters, and
// decoding of a session item written before sessions had a type.
func TestListSubjectFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := t0.Add(10 * 24 * time.Hour)
	at := func(d int) time.Time { return t0.Add(time.Duration(d) * time.Second) }
	appActive := sessionOf("app-active", "user-1", "app", at(1))
	appActive.IdleExpiresAt = now.Add(time.Hour)
	appRevoked := sessionOf("app-revoked", "user-1", "app", at(2))
	appRevoked.Status = tokens.SessionRevoked
	appIdle := sessionOf("app-idle", "user-1", "app", at(3)) // idle expiry t0+7d: before now
	webActive := sessionOf("web-active", "user-1", "web", at(4))
	webActive.IdleExpiresAt = time.Time{} // no idle limit
	appGone := sessionOf("app-gone", "user-1", "app", at(5))
	appGone.AbsoluteExpiresAt = now // absent at now
	ltActive, ltNever, ltRevoked, ltGone := newLongLived("lt-active", "user-1", at(6)),
		newLongLived("lt-never", "user-1", at(7)), newLongLived("lt-revoked", "user-1", at(8)),
		newLongLived("lt-gone", "user-1", at(9))
	ltNever.ExpiresAt = time.Time{}
	ltRevoked.Status = tokens.SessionRevoked
	ltGone.ExpiresAt = now.Add(-time.Nanosecond)
	for _, s := range []tokens.Session{appActive, appRevoked, appIdle, webActive, appGone} {
		if err := f.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, lt := range []tokens.LongLivedToken{ltActive, ltNever, ltRevoked, ltGone} {
		if err := f.CreateLongLived(ctx, lt); err != nil {
			t.Fatal(err)
		}
	}
	// A session written before the type attribute existed.
	f.putRaw(t, map[string]any{
		"PK": "SESSION#old", "SK": "META", "GSI1PK": "SUB#user-1", "GSI1SK": formatT(at(10)) + "#old",
		"ttl": now.Add(time.Hour).Unix(), "id": "old", "client_id": "app", "subject": "user-1",
		"created_at": formatT(at(10)), "absolute_expires_at": formatT(now.Add(time.Hour)),
		"generation": 1, "status": "active",
	})
	f.clock.Set(now)
	tests := []struct {
		name string
		q    tokens.ListQuery
		want []string
	}{
		{"everything", tokens.ListQuery{},
			[]string{"s:old", "lt:lt-revoked", "lt:lt-never", "lt:lt-active", "s:web-active", "s:app-idle", "s:app-revoked", "s:app-active"}},
		{"active", tokens.ListQuery{ActiveOnly: true},
			[]string{"s:old", "lt:lt-never", "lt:lt-active", "s:web-active", "s:app-active"}},
		{"oauth", tokens.ListQuery{Type: tokens.ListTypeOAuth},
			[]string{"s:old", "s:web-active", "s:app-idle", "s:app-revoked", "s:app-active"}},
		{"long-lived", tokens.ListQuery{Type: tokens.ListTypeLongLived},
			[]string{"lt:lt-revoked", "lt:lt-never", "lt:lt-active"}},
		{"active long-lived", tokens.ListQuery{Type: tokens.ListTypeLongLived, ActiveOnly: true},
			[]string{"lt:lt-never", "lt:lt-active"}},
		{"client app", tokens.ListQuery{ClientID: "app"},
			[]string{"s:old", "s:app-idle", "s:app-revoked", "s:app-active"}},
		{"active of client app", tokens.ListQuery{ClientID: "app", ActiveOnly: true},
			[]string{"s:old", "s:app-active"}},
		{"client web", tokens.ListQuery{ClientID: "web", Type: tokens.ListTypeOAuth}, []string{"s:web-active"}},
		{"unknown client", tokens.ListQuery{ClientID: "nope"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Subject = "user-1"
			page, err := f.ListSubject(ctx, tt.q)
			if err != nil {
				t.Fatalf("ListSubject = %v", err)
			}
			sameIDs(t, "ListSubject ids", entryIDs(t, page.Entries), tt.want)
			if page.Next != "" {
				t.Errorf("Next = %q; want none without a limit", page.Next)
			}
		})
	}
	t.Run("entries decode in full", func(t *testing.T) {
		page, err := f.ListSubject(ctx, tokens.ListQuery{Subject: "user-1", ActiveOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]tokens.ListEntry{}
		for _, e := range page.Entries {
			if e.Session != nil {
				byID[e.Session.ID] = e
			} else {
				byID[e.LongLived.ID] = e
			}
		}
		if got := byID["app-active"].Session; got == nil || got.Generation != 1 || string(got.Salt) != string(appActive.Salt) {
			t.Errorf("app-active = %+v; want the stored session", got)
		}
		if got := byID["lt-never"].LongLived; got == nil || got.Name != ltNever.Name || !got.ExpiresAt.IsZero() {
			t.Errorf("lt-never = %+v; want the stored token", got)
		}
		if got := byID["old"].Session; got == nil || got.ClientID != "app" || got.Status != tokens.SessionActive {
			t.Errorf("old = %+v; want a session of app", got)
		}
	})
}

func formatT(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func TestActiveSessions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := t0.Add(10 * 24 * time.Hour)
	at := func(d int) time.Time { return now.Add(-time.Duration(d) * time.Hour) }
	newest, older, oldest := sessionOf("newest", "user-1", "app", at(1)),
		sessionOf("older", "user-1", "app", at(2)), sessionOf("oldest", "user-1", "app", at(3))
	revoked := sessionOf("revoked", "user-1", "app", at(4))
	revoked.Status = tokens.SessionRevoked
	idle := sessionOf("idle", "user-1", "app", at(5))
	idle.IdleExpiresAt = now
	gone := sessionOf("gone", "user-1", "app", at(6))
	gone.AbsoluteExpiresAt = now
	otherClient, otherSubject := sessionOf("web", "user-1", "web", at(7)), sessionOf("bob", "user-2", "app", at(8))
	// Created out of order: the index, not the write order, sorts them.
	for _, s := range []tokens.Session{older, newest, revoked, idle, gone, oldest, otherClient, otherSubject} {
		if err := f.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.CreateLongLived(ctx, newLongLived("lt", "user-1", at(9))); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(now)
	f.env.Counter.Reset()
	got, err := f.ActiveSessions(ctx, "user-1", "app")
	if err != nil {
		t.Fatalf("ActiveSessions = %v", err)
	}
	var gotIDs []string
	for _, s := range got {
		gotIDs = append(gotIDs, s.ID)
	}
	sameIDs(t, "ActiveSessions", gotIDs, []string{"oldest", "older", "newest"})
	if ops := f.env.Counter.Ops(); !maps.Equal(ops, map[string]int{"Query": 1}) {
		t.Errorf("requests = %v; want one Query", ops)
	}
	none, err := f.ActiveSessions(ctx, "nobody", "app")
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("ActiveSessions(nobody) = %#v, %v; want an empty list", none, err)
	}
}
