package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// sessionStates returns each id's status and revocation reason as stored,
// or "absent".
func sessionStates(t *testing.T, f fixture, ids ...string) map[string]string {
	t.Helper()
	states := map[string]string{}
	for _, id := range ids {
		s, err := f.GetSession(f.ctx, id)
		switch {
		case errors.Is(err, tokens.ErrNotFound):
			states[id] = "absent"
		case err != nil:
			t.Fatal(err)
		case s.Status == tokens.SessionActive:
			states[id] = s.Status
		default:
			states[id] = s.Status + "/" + s.RevokedReason
		}
	}
	return states
}

func testEvict(t *testing.T, newStore NewStore) {
	t.Run("Cases", testEvictCases(newStore))
	t.Run("Record", func(t *testing.T) {
		f := setup(t, newStore)
		old := newSession("old")
		s := sessionOf("new", "user-1", "app", t0.Add(time.Hour))
		must(t, f.CreateSession(f.ctx, old), f.CreateSessionEvicting(f.ctx, s, []string{"old"}))
		want := old
		want.Status, want.RevokedReason, want.RevokedAt = tokens.SessionRevoked, tokens.ReasonEvicted, s.CreatedAt
		if got, err := f.GetSession(f.ctx, "old"); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("evicted session = %+v, %v; want %+v", got, err, want)
		}
		if got, err := f.GetSession(f.ctx, "new"); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("new session = %+v, %v; want %+v", got, err, s)
		}
	})
	t.Run("RevokedAtTheClockWithoutCreatedAt", func(t *testing.T) {
		f := setup(t, newStore)
		s := sessionOf("new", "user-1", "app", time.Time{})
		s.AbsoluteExpiresAt = t0.Add(time.Hour)
		must(t, f.CreateSession(f.ctx, newSession("old")), f.CreateSessionEvicting(f.ctx, s, []string{"old"}))
		if got, err := f.GetSession(f.ctx, "old"); err != nil || !got.RevokedAt.Equal(t0) {
			t.Errorf("evicted session revoked at %v, %v; want the clock's %v", got.RevokedAt, err, t0)
		}
	})
	t.Run("Repeated", func(t *testing.T) {
		f := setup(t, newStore)
		s := sessionOf("new", "user-1", "app", t0.Add(time.Hour))
		must(t, f.CreateSession(f.ctx, newSession("old")), f.CreateSessionEvicting(f.ctx, s, []string{"old"}))
		evicted, _ := f.GetSession(f.ctx, "old")
		if err := f.CreateSessionEvicting(f.ctx, s, []string{"old"}); err != nil {
			t.Errorf("the same CreateSessionEvicting again = %v; want nil (a retry)", err)
		}
		if got, err := f.GetSession(f.ctx, "old"); err != nil || !reflect.DeepEqual(got, evicted) {
			t.Errorf("evicted session after the retry = %+v, %v; want it unchanged", got, err)
		}
	})
	t.Run("Many", func(t *testing.T) {
		// More than one DynamoDB transaction holds (100 actions).
		f := setup(t, newStore)
		var evict []string
		for i := range 120 {
			id := fmt.Sprintf("s%03d", i)
			must(t, f.CreateSession(f.ctx, sessionOf(id, "user-1", "app", t0.Add(time.Duration(i)*time.Second))))
			evict = append(evict, id)
		}
		if err := f.CreateSessionEvicting(f.ctx, sessionOf("new", "user-1", "app", t0.Add(time.Hour)), evict); err != nil {
			t.Fatalf("CreateSessionEvicting = %v", err)
		}
		active, err := f.ActiveSessions(f.ctx, "user-1", "app")
		sameIDs(t, "ActiveSessions after evicting 120", sessionIDs(active), []string{"new"})
		if err != nil {
			t.Error(err)
		}
		for _, id := range []string{"s000", "s098", "s099", "s119"} {
			if got := sessionStates(t, f, id)[id]; got != "revoked/evicted" {
				t.Errorf("%s = %s; want revoked/evicted", id, got)
			}
		}
	})
	t.Run("NoAbsoluteExpiry", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateSession(f.ctx, newSession("old")))
		s := sessionOf("new", "user-1", "app", t0)
		s.AbsoluteExpiresAt = time.Time{}
		for _, evict := range [][]string{nil, {"old"}} {
			wantErr(t, fmt.Sprintf("CreateSessionEvicting(no expiry, evict %v)", evict), f.CreateSessionEvicting(f.ctx, s, evict), errPlain)
		}
		want := map[string]string{"new": "absent", "old": "active"}
		if got := sessionStates(t, f, "new", "old"); !maps.Equal(got, want) {
			t.Errorf("sessions after = %v; want %v", got, want)
		}
	})
}

func testEvictCases(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		tests := []struct {
			name   string
			setup  func(f fixture) error // after s1..s3 of user-1 exist
			newID  string
			evict  []string
			want   error
			states map[string]string
		}{
			{name: "evicts the named sessions", newID: "new", evict: []string{"s1", "s2"},
				states: map[string]string{"new": "active", "s1": "revoked/evicted", "s2": "revoked/evicted", "s3": "active"}},
			{name: "nothing to evict", newID: "new",
				states: map[string]string{"new": "active", "s1": "active", "s2": "active", "s3": "active"}},
			{name: "taken id evicts nothing", newID: "s3", evict: []string{"s1"}, want: tokens.ErrAlreadyExists,
				states: map[string]string{"s1": "active", "s2": "active", "s3": "active"}},
			{name: "an eviction already revoked",
				setup: func(f fixture) error { return f.RevokeSession(f.ctx, "s1", tokens.ReasonRevoked, t0) },
				newID: "new", evict: []string{"s1", "s2"},
				states: map[string]string{"new": "active", "s1": "revoked/revoked", "s2": "revoked/evicted", "s3": "active"}},
			{name: "the only eviction already revoked",
				setup: func(f fixture) error { return f.RevokeSession(f.ctx, "s1", tokens.ReasonRevoked, t0) },
				newID: "new", evict: []string{"s1"},
				states: map[string]string{"new": "active", "s1": "revoked/revoked", "s2": "active", "s3": "active"}},
			{name: "unknown and foreign ids are not touched",
				setup: func(f fixture) error { return f.CreateSession(f.ctx, sessionOf("bob1", "user-2", "app", t0)) },
				newID: "new", evict: []string{"ghost", "bob1", "s1"},
				states: map[string]string{"new": "active", "ghost": "absent", "bob1": "active", "s1": "revoked/evicted"}},
			{name: "duplicates, blanks and its own id", newID: "new", evict: []string{"s1", "s1", "new", ""},
				states: map[string]string{"new": "active", "s1": "revoked/evicted", "s2": "active"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := setup(t, newStore)
				for _, id := range []string{"s1", "s2", "s3"} {
					must(t, f.CreateSession(f.ctx, sessionOf(id, "user-1", "app", t0)))
				}
				if tt.setup != nil {
					must(t, tt.setup(f))
				}
				err := f.CreateSessionEvicting(f.ctx, sessionOf(tt.newID, "user-1", "app", t0.Add(time.Hour)), tt.evict)
				wantErr(t, "CreateSessionEvicting", err, tt.want)
				got := sessionStates(t, f, slices.Collect(maps.Keys(tt.states))...)
				if !maps.Equal(got, tt.states) {
					t.Errorf("sessions after = %v; want %v", got, tt.states)
				}
			})
		}
	}
}
