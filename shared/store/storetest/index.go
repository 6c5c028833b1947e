package storetest

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// seedSubject writes n entries for subject, entry i created at t0+i s: a
// session of client app for even i, a long-lived token for odd i. Every
// entry whose i is a multiple of revokeEvery (if > 0) is revoked. It
// returns the ids newest first, as ListSubject orders them, and those of
// the entries still active.
func seedSubject(t *testing.T, f fixture, subject string, n, revokeEvery int) (all, active []string) {
	t.Helper()
	for i := range n {
		created := t0.Add(time.Duration(i) * time.Second)
		revoked := revokeEvery > 0 && i%revokeEvery == 0
		var id string
		if i%2 == 0 {
			s := sessionOf(fmt.Sprintf("%s-s%03d", subject, i), subject, "app", created)
			if revoked {
				s.Status = tokens.SessionRevoked
			}
			id = "s:" + s.ID
			must(t, f.CreateSession(f.ctx, s))
		} else {
			lt := newLongLived(fmt.Sprintf("%s-lt%03d", subject, i), subject, created)
			if revoked {
				lt.Status = tokens.SessionRevoked
			}
			id = "lt:" + lt.ID
			must(t, f.CreateLongLived(f.ctx, lt))
		}
		all = append([]string{id}, all...)
		if !revoked {
			active = append([]string{id}, active...)
		}
	}
	return all, active
}

// entryIDs returns the ids of a page's entries, in order, each prefixed
// with its kind ("s:" or "lt:").
func entryIDs(t *testing.T, entries []tokens.ListEntry) []string {
	t.Helper()
	ids := []string{}
	for i, e := range entries {
		switch {
		case e.Session != nil && e.LongLived == nil:
			ids = append(ids, "s:"+e.Session.ID)
		case e.LongLived != nil && e.Session == nil:
			ids = append(ids, "lt:"+e.LongLived.ID)
		default:
			t.Errorf("entry %d = %+v; want exactly one field set", i, e)
		}
	}
	return ids
}

// walk reads every page of q and returns the ids and each page's size.
func walk(t *testing.T, f fixture, q tokens.ListQuery) (ids []string, sizes []int) {
	t.Helper()
	for {
		page, err := f.ListSubject(f.ctx, q)
		if err != nil {
			t.Fatalf("ListSubject page %d = %v", len(sizes)+1, err)
		}
		ids = append(ids, entryIDs(t, page.Entries)...)
		sizes = append(sizes, len(page.Entries))
		if page.Next == "" {
			return ids, sizes
		}
		if len(sizes) == 50 {
			t.Fatal("more than 50 pages")
		}
		q.After = page.Next
	}
}

func testIndex(t *testing.T, newStore NewStore) {
	t.Run("Pages", func(t *testing.T) {
		f := setup(t, newStore)
		all, active := seedSubject(t, f, "user-1", 120, 7)
		seedSubject(t, f, "user-2", 30, 0)
		seedSubject(t, f, "user-10", 10, 0) // SUB#user-1 is a prefix of SUB#user-10
		f.clock.Set(t0.Add(time.Hour))
		tests := []struct {
			name       string
			activeOnly bool
			want       []string
			sizes      []int
		}{
			{"all", false, all, []int{50, 50, 20}},
			// Limit counts the items read before the filter.
			{"active only", true, active, []int{42, 43, 17}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ids, sizes := walk(t, f, tokens.ListQuery{Subject: "user-1", ActiveOnly: tt.activeOnly, Limit: 50})
				sameIDs(t, "ListSubject ids over every page", ids, tt.want)
				if !reflect.DeepEqual(sizes, tt.sizes) {
					t.Errorf("page sizes = %v; want %v", sizes, tt.sizes)
				}
			})
		}
	})
	t.Run("LastFullPageHasACursor", func(t *testing.T) {
		// A page that reads Limit items has a cursor even when nothing
		// follows; the page after it is empty.
		f := setup(t, newStore)
		all, _ := seedSubject(t, f, "user-1", 4, 0)
		ids, sizes := walk(t, f, tokens.ListQuery{Subject: "user-1", Limit: 2})
		sameIDs(t, "ids", ids, all)
		if want := []int{2, 2, 0}; !reflect.DeepEqual(sizes, want) {
			t.Errorf("page sizes = %v; want %v", sizes, want)
		}
	})
	t.Run("LimitBeforeFilter", func(t *testing.T) {
		f := setup(t, newStore)
		seedSubject(t, f, "user-1", 3, 0)
		for i, id := range []string{"r1", "r2"} { // the newest two: revoked
			s := sessionOf(id, "user-1", "app", t0.Add(time.Hour+time.Duration(i)))
			s.Status = tokens.SessionRevoked
			must(t, f.CreateSession(f.ctx, s))
		}
		page, err := f.ListSubject(f.ctx, tokens.ListQuery{Subject: "user-1", ActiveOnly: true, Limit: 2})
		if err != nil || len(page.Entries) != 0 || page.Next == "" {
			t.Fatalf("first page = %v, next %q, %v; want no entries and a cursor", entryIDs(t, page.Entries), page.Next, err)
		}
		ids, _ := walk(t, f, tokens.ListQuery{Subject: "user-1", ActiveOnly: true, Limit: 2, After: page.Next})
		sameIDs(t, "the following pages", ids, []string{"s:user-1-s002", "lt:user-1-lt001", "s:user-1-s000"})
	})
	t.Run("Filters", testIndexFilters(newStore))
	t.Run("BadCursor", func(t *testing.T) {
		f := setup(t, newStore)
		seedSubject(t, f, "user-1", 5, 0)
		seedSubject(t, f, "user-2", 5, 0)
		page, err := f.ListSubject(f.ctx, tokens.ListQuery{Subject: "user-1", Limit: 2})
		if err != nil || page.Next == "" {
			t.Fatalf("ListSubject = %+v, %v; want a page and a cursor", page, err)
		}
		tests := []struct{ name, subject, after string }{
			{"garbage", "user-1", "!!not a cursor!!"},
			{"base64 of garbage", "user-1", base64.RawURLEncoding.EncodeToString([]byte("garbage"))},
			{"cursor of another subject's query", "user-2", page.Next},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.ListSubject(f.ctx, tokens.ListQuery{Subject: tt.subject, Limit: 2, After: tt.after})
				wantErr(t, "ListSubject(After "+tt.after+")", err, tokens.ErrNotFound)
			})
		}
	})
	t.Run("NoSubject", func(t *testing.T) {
		f := setup(t, newStore)
		_, err := f.ListSubject(f.ctx, tokens.ListQuery{Limit: 2})
		wantErr(t, "ListSubject without a subject", err, errPlain)
	})
	t.Run("Empty", func(t *testing.T) {
		f := setup(t, newStore)
		page, err := f.ListSubject(f.ctx, tokens.ListQuery{Subject: "nobody", Limit: 10})
		if err != nil || page.Entries == nil || len(page.Entries) != 0 || page.Next != "" {
			t.Errorf("ListSubject(nobody) = %#v, %v; want an empty page without a cursor", page, err)
		}
		none, err := f.ActiveSessions(f.ctx, "nobody", "app")
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("ActiveSessions(nobody) = %#v, %v; want an empty list", none, err)
		}
	})
	t.Run("ActiveSessions", testActiveSessions(newStore))
}

func testActiveSessions(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		now := t0.Add(10 * 24 * time.Hour)
		at := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
		revoked, idle, gone := sessionOf("revoked", "user-1", "app", at(4)), sessionOf("idle", "user-1", "app", at(5)),
			sessionOf("gone", "user-1", "app", at(6))
		revoked.Status, idle.IdleExpiresAt, gone.AbsoluteExpiresAt = tokens.SessionRevoked, now, now
		noIdle := sessionOf("no-idle", "user-1", "app", at(10))
		noIdle.IdleExpiresAt = time.Time{}
		// Created out of order: the index, not the write order, sorts them.
		for _, s := range []tokens.Session{
			sessionOf("older", "user-1", "app", at(2)), sessionOf("newest", "user-1", "app", at(1)),
			revoked, idle, gone, sessionOf("oldest", "user-1", "app", at(3)), noIdle,
			sessionOf("web", "user-1", "web", at(7)), sessionOf("bob", "user-2", "app", at(8)),
		} {
			must(t, f.CreateSession(f.ctx, s))
		}
		must(t, f.CreateLongLived(f.ctx, newLongLived("lt", "user-1", at(9))))
		f.clock.Set(now)
		got, err := f.ActiveSessions(f.ctx, "user-1", "app")
		if err != nil {
			t.Fatalf("ActiveSessions = %v", err)
		}
		sameIDs(t, "ActiveSessions", sessionIDs(got), []string{"no-idle", "oldest", "older", "newest"})
		if len(got) == 4 && !reflect.DeepEqual(got[3], sessionOf("newest", "user-1", "app", at(1))) {
			t.Errorf("ActiveSessions[3] = %+v; want the stored session", got[3])
		}
	}
}

func testIndexFilters(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		now := t0.Add(10 * 24 * time.Hour)
		at := func(d int) time.Time { return t0.Add(time.Duration(d) * time.Second) }
		appActive, appRevoked, appIdle := sessionOf("app-active", "user-1", "app", at(1)),
			sessionOf("app-revoked", "user-1", "app", at(2)), sessionOf("app-idle", "user-1", "app", at(3))
		appActive.IdleExpiresAt, appRevoked.Status = now.Add(time.Hour), tokens.SessionRevoked // app-idle: idle before now
		webActive, appGone := sessionOf("web-active", "user-1", "web", at(4)), sessionOf("app-gone", "user-1", "app", at(5))
		webActive.IdleExpiresAt, appGone.AbsoluteExpiresAt = time.Time{}, now
		ltActive, ltNever, ltRevoked, ltGone := newLongLived("lt-active", "user-1", at(6)),
			newLongLived("lt-never", "user-1", at(7)), newLongLived("lt-revoked", "user-1", at(8)),
			newLongLived("lt-gone", "user-1", at(9))
		ltNever.ExpiresAt, ltRevoked.Status, ltGone.ExpiresAt = time.Time{}, tokens.SessionRevoked, now.Add(-time.Nanosecond)
		for _, s := range []tokens.Session{appActive, appRevoked, appIdle, webActive, appGone} {
			must(t, f.CreateSession(f.ctx, s))
		}
		for _, lt := range []tokens.LongLivedToken{ltActive, ltNever, ltRevoked, ltGone} {
			must(t, f.CreateLongLived(f.ctx, lt))
		}
		f.clock.Set(now)
		tests := []struct {
			name string
			q    tokens.ListQuery
			want []string
		}{
			{"everything", tokens.ListQuery{},
				[]string{"lt:lt-revoked", "lt:lt-never", "lt:lt-active", "s:web-active", "s:app-idle", "s:app-revoked", "s:app-active"}},
			{"active", tokens.ListQuery{ActiveOnly: true}, []string{"lt:lt-never", "lt:lt-active", "s:web-active", "s:app-active"}},
			{"oauth", tokens.ListQuery{Type: tokens.ListTypeOAuth}, []string{"s:web-active", "s:app-idle", "s:app-revoked", "s:app-active"}},
			{"long-lived", tokens.ListQuery{Type: tokens.ListTypeLongLived}, []string{"lt:lt-revoked", "lt:lt-never", "lt:lt-active"}},
			{"active long-lived", tokens.ListQuery{Type: tokens.ListTypeLongLived, ActiveOnly: true}, []string{"lt:lt-never", "lt:lt-active"}},
			{"unknown type", tokens.ListQuery{Type: "device"}, []string{}},
			{"client app", tokens.ListQuery{ClientID: "app"}, []string{"s:app-idle", "s:app-revoked", "s:app-active"}},
			{"active of client app", tokens.ListQuery{ClientID: "app", ActiveOnly: true}, []string{"s:app-active"}},
			{"client web", tokens.ListQuery{ClientID: "web", Type: tokens.ListTypeOAuth}, []string{"s:web-active"}},
			{"unknown client", tokens.ListQuery{ClientID: "nope"}, []string{}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tt.q.Subject = "user-1"
				page, err := f.ListSubject(f.ctx, tt.q)
				if err != nil || page.Next != "" {
					t.Fatalf("ListSubject = next %q, %v; want one page", page.Next, err)
				}
				sameIDs(t, "ListSubject ids", entryIDs(t, page.Entries), tt.want)
			})
		}
		t.Run("entries in full", func(t *testing.T) {
			page, err := f.ListSubject(f.ctx, tokens.ListQuery{Subject: "user-1", ActiveOnly: true})
			if err != nil || len(page.Entries) != 4 {
				t.Fatalf("ListSubject = %d entries, %v; want 4", len(page.Entries), err)
			}
			if got := page.Entries[0].LongLived; got == nil || !reflect.DeepEqual(*got, ltNever) {
				t.Errorf("entry 0 = %+v; want %+v", got, ltNever)
			}
			if got := page.Entries[3].Session; got == nil || !reflect.DeepEqual(*got, appActive) {
				t.Errorf("entry 3 = %+v; want %+v", got, appActive)
			}
		})
	}
}
