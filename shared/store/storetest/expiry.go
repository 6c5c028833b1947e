package storetest

import (
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// expiringPath is one read or conditional-write path and how to create an
// item it reaches that expires at exp.
type expiringPath struct {
	create func(id string, exp time.Time) error
	// present reports whether the path found the item (read it, or wrote
	// it); absent is the path's sentinel, any other error is returned.
	present func(id string) (bool, error)
}

// outcome turns a call's error into present/absent: nil is present, the
// absent sentinel is absent, anything else is an error.
func outcome(err, absent error) (bool, error) {
	if errors.Is(err, absent) {
		return false, nil
	}
	return err == nil, err
}

// expiringPaths returns every path that must treat an item as absent from
// its expiry on (docs/design.md §7.6).
func expiringPaths(f fixture) map[string]expiringPath {
	session := func(id string, exp time.Time) tokens.Session {
		s := newSession(id)
		s.AbsoluteExpiresAt, s.IdleExpiresAt = exp, time.Time{} // no idle limit: the ttl alone decides
		return s
	}
	createSession := func(id string, exp time.Time) error { return f.CreateSession(f.ctx, session(id, exp)) }
	createLongLived := func(id string, exp time.Time) error {
		lt := newLongLived(id, "user-1", t0)
		lt.ExpiresAt = exp
		return f.CreateLongLived(f.ctx, lt)
	}
	createReference := func(id string, exp time.Time) error {
		r := newReference(id)
		r.ExpiresAt = exp
		return f.CreateReferenceToken(f.ctx, r)
	}
	listed := func(q tokens.ListQuery, want string) (bool, error) {
		q.Subject = "user-1"
		page, err := f.ListSubject(f.ctx, q)
		return slices.ContainsFunc(page.Entries, func(e tokens.ListEntry) bool {
			return (e.Session != nil && e.Session.ID == want) || (e.LongLived != nil && e.LongLived.ID == want)
		}), err
	}
	return map[string]expiringPath{
		"GetSession": {createSession, func(id string) (bool, error) {
			_, err := f.GetSession(f.ctx, id)
			return outcome(err, tokens.ErrNotFound)
		}},
		"UpdateSession": {createSession, func(id string) (bool, error) {
			_, err := f.UpdateSession(f.ctx, rotated(session(id, t0), f.clock.Now()), 1)
			return outcome(err, tokens.ErrNotFound)
		}},
		"RevokeSession": {createSession, func(id string) (bool, error) {
			return outcome(f.RevokeSession(f.ctx, id, tokens.ReasonRevoked, f.clock.Now()), tokens.ErrNotFound)
		}},
		"AccessState session": {createSession, func(id string) (bool, error) {
			st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{SessionID: id})
			return st.Session != nil, err
		}},
		"AccessState reference": {createReference, func(id string) (bool, error) {
			st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: hash(id)})
			return st.Reference != nil, err
		}},
		"AccessState jti": {
			func(id string, exp time.Time) error { return f.RevokeJTI(f.ctx, id, exp) },
			func(id string) (bool, error) {
				st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{JTI: id})
				return st.JTIRevoked, err
			},
		},
		"RevokeReferenceToken": {createReference, func(id string) (bool, error) {
			return outcome(f.RevokeReferenceToken(f.ctx, hash(id), "app"), tokens.ErrNotFound)
		}},
		"GetLongLived": {createLongLived, func(id string) (bool, error) {
			_, err := f.GetLongLived(f.ctx, id)
			return outcome(err, tokens.ErrNotFound)
		}},
		"TouchLongLived": {createLongLived, func(id string) (bool, error) {
			return outcome(f.TouchLongLived(f.ctx, id, f.clock.Now(), time.Minute), tokens.ErrConflict)
		}},
		"RevokeLongLived": {createLongLived, func(id string) (bool, error) {
			return outcome(f.RevokeLongLived(f.ctx, id, f.clock.Now()), tokens.ErrNotFound)
		}},
		"ListSubject session": {createSession, func(id string) (bool, error) {
			return listed(tokens.ListQuery{Type: tokens.ListTypeOAuth}, id)
		}},
		"ListSubject long-lived": {createLongLived, func(id string) (bool, error) {
			return listed(tokens.ListQuery{}, id)
		}},
		"ActiveSessions": {createSession, func(id string) (bool, error) {
			all, err := f.ActiveSessions(f.ctx, "user-1", "app")
			return slices.ContainsFunc(all, func(s tokens.Session) bool { return s.ID == id }), err
		}},
	}
}

// testExpiry is invariant 6 (docs/design.md §7): from its expiry on, an item is
// absent on every path, although the store may still hold it.
func testExpiry(t *testing.T, newStore NewStore) {
	f := setup(t, newStore)
	exp := t0.Add(15*time.Minute + 500*time.Millisecond) // not a whole second: a ttl in seconds must not decide
	clocks := []struct {
		name    string
		now     time.Time
		present bool
	}{
		{"a nanosecond before expiry", exp.Add(-time.Nanosecond), true},
		{"at expiry", exp, false},
		{"a nanosecond after", exp.Add(time.Nanosecond), false},
		{"a year after", exp.AddDate(1, 0, 0), false},
	}
	paths := expiringPaths(f)
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		p := paths[path]
		for i, c := range clocks {
			t.Run(path+"/"+c.name, func(t *testing.T) {
				id := path + "-" + string(rune('a'+i))
				f.clock.Set(t0)
				must(t, p.create(id, exp))
				f.clock.Set(c.now)
				got, err := p.present(id)
				if err != nil || got != c.present {
					t.Errorf("%s at %v: present = %v, %v; want %v", path, c.now, got, err, c.present)
				}
			})
		}
	}
}
