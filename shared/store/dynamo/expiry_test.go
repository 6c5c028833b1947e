package dynamo_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// expiringPath is one read path and an item it reads that expires at exp.
type expiringPath struct {
	create func(id string, exp time.Time) error
	// found reports whether the path sees the item.
	found func(id string) (bool, error)
}

// indexPaths returns the read paths of the access, long-lived and index
// ports, on f.
func indexPaths(f fixture) map[string]expiringPath {
	ctx := context.Background()
	createSession := func(id string, exp time.Time) error {
		s := sessionOf(id, "user-1", "app", t0)
		s.AbsoluteExpiresAt, s.IdleExpiresAt = exp, exp
		return f.CreateSession(ctx, s)
	}
	createLongLived := func(id string, exp time.Time) error {
		lt := newLongLived(id, "user-1", t0)
		lt.ExpiresAt = exp
		return f.CreateLongLived(ctx, lt)
	}
	listed := func(q tokens.ListQuery, want string) (bool, error) {
		q.Subject = "user-1"
		page, err := f.ListSubject(ctx, q)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(page.Entries, func(e tokens.ListEntry) bool {
			return (e.Session != nil && e.Session.ID == want) || (e.LongLived != nil && e.LongLived.ID == want)
		}), nil
	}
	return map[string]expiringPath{
		"AccessState reference": {
			create: func(id string, exp time.Time) error {
				r := newReference(id)
				r.ExpiresAt = exp
				return f.CreateReferenceToken(ctx, r)
			},
			found: func(id string) (bool, error) {
				st, err := f.AccessState(ctx, tokens.AccessStateQuery{ReferenceHash: hash(id)})
				return st.Reference != nil, err
			},
		},
		"AccessState jti": {
			create: func(id string, exp time.Time) error { return f.RevokeJTI(ctx, id, exp) },
			found: func(id string) (bool, error) {
				st, err := f.AccessState(ctx, tokens.AccessStateQuery{JTI: id})
				return st.JTIRevoked, err
			},
		},
		"AccessState session": {
			create: createSession,
			found: func(id string) (bool, error) {
				st, err := f.AccessState(ctx, tokens.AccessStateQuery{SessionID: id})
				return st.Session != nil, err
			},
		},
		"GetLongLived": {
			create: createLongLived,
			found: func(id string) (bool, error) {
				_, err := f.GetLongLived(ctx, id)
				if errors.Is(err, tokens.ErrNotFound) {
					return false, nil
				}
				return err == nil, err
			},
		},
		"ListSubject session": {
			create: createSession,
			found:  func(id string) (bool, error) { return listed(tokens.ListQuery{Type: tokens.ListTypeOAuth}, id) },
		},
		"ListSubject long-lived": {
			create: createLongLived,
			found:  func(id string) (bool, error) { return listed(tokens.ListQuery{}, id) },
		},
		"ActiveSessions": {
			create: createSession,
			found: func(id string) (bool, error) {
				all, err := f.ActiveSessions(ctx, "user-1", "app")
				return slices.ContainsFunc(all, func(s tokens.Session) bool { return s.ID == id }), err
			},
		},
	}
}

// TestExpiredIsAbsentOnIndexPaths is invariant 6 (docs/design.md §7) for the
// access, long-lived and index ports: from its expiry on, an item is
// absent on every read path, although DynamoDB still holds it.
func TestExpiredIsAbsentOnIndexPaths(t *testing.T) {
	f := newFixture(t)
	exp := t0.Add(15*time.Minute + 500*time.Millisecond)
	clocks := []struct {
		name  string
		now   time.Time
		found bool
	}{
		{"a nanosecond before expiry", exp.Add(-time.Nanosecond), true},
		{"at expiry", exp, false},
		{"a nanosecond after", exp.Add(time.Nanosecond), false},
		{"a year after", exp.AddDate(1, 0, 0), false},
	}
	for path, p := range indexPaths(f) {
		for i, c := range clocks {
			t.Run(path+"/"+c.name, func(t *testing.T) {
				id := path + "-" + string(rune('a'+i))
				f.clock.Set(t0)
				if err := p.create(id, exp); err != nil {
					t.Fatal(err)
				}
				f.clock.Set(c.now)
				got, err := p.found(id)
				if err != nil || got != c.found {
					t.Errorf("%s at %v: found = %v, %v; want %v", path, c.now, got, err, c.found)
				}
			})
		}
	}
}

// TestExpiredTTLOnlyIsAbsent writes items whose only sign of expiry is a
// past ttl: every read of the new ports must skip them.
func TestExpiredTTLOnlyIsAbsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past, future := t0.Add(-time.Second).Unix(), formatT(t0.Add(time.Hour))
	f.putRaw(t, map[string]any{"PK": "JTI#old", "SK": "REVOKED", "jti": "old", "ttl": past})
	f.putRaw(t, map[string]any{"PK": "LT#old", "SK": "META", "GSI1PK": "SUB#user-1", "GSI1SK": "x#old",
		"type": "long_lived", "id": "old", "subject": "user-1", "status": "active", "ttl": past})
	f.putRaw(t, map[string]any{"PK": "SESSION#old", "SK": "META", "GSI1PK": "SUB#user-1", "GSI1SK": "y#old",
		"type": "oauth", "id": "old", "client_id": "app", "subject": "user-1", "status": "active",
		"absolute_expires_at": future, "generation": 1, "ttl": past})
	st, err := f.AccessState(ctx, tokens.AccessStateQuery{JTI: "old", SessionID: "old"})
	if err != nil || st.JTIRevoked || st.Session != nil {
		t.Errorf("AccessState = %+v, %v; want nothing", st, err)
	}
	if _, err := f.GetLongLived(ctx, "old"); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("GetLongLived = %v; want ErrNotFound", err)
	}
	if err := f.RevokeLongLived(ctx, "old", t0); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("RevokeLongLived = %v; want ErrNotFound", err)
	}
	page, err := f.ListSubject(ctx, tokens.ListQuery{Subject: "user-1"})
	if err != nil || len(page.Entries) != 0 {
		t.Errorf("ListSubject = %v, %v; want no entries", entryIDs(t, page.Entries), err)
	}
	active, err := f.ActiveSessions(ctx, "user-1", "app")
	if err != nil || len(active) != 0 {
		t.Errorf("ActiveSessions = %+v, %v; want none", active, err)
	}
}
