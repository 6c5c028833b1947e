package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// racers is how many goroutines race one conditional write.
const racers = 32

// race runs call(i) for i in [0, racers) at once, released together, and
// returns the index of the one that won (err nil) or fails t unless
// exactly one won and every other lost with lose.
func race(t *testing.T, lose error, call func(i int) error) int {
	t.Helper()
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = call(i)
		})
	}
	close(start)
	wg.Wait()
	winner, wins, losses := -1, 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			winner, wins = i, wins+1
		case errors.Is(err, lose):
			losses++
		default:
			t.Errorf("racer %d = %v; want nil or %v", i, err, lose)
		}
	}
	if wins != 1 || losses != racers-1 {
		t.Fatalf("%d racers: %d won, %d lost with %v; want 1, %d", racers, wins, losses, lose, racers-1)
	}
	return winner
}

func testRaces(t *testing.T, newStore NewStore) {
	t.Run("UpdateSession", func(t *testing.T) {
		// Invariant 1 (docs/design.md §7) at the store: of the refreshes that
		// present one generation at once, exactly one rotates, and every
		// loser sees the winner's session.
		f := setup(t, newStore)
		s := newSession("race")
		must(t, f.CreateSession(f.ctx, s))
		for round := range 3 {
			next := make([]tokens.Session, racers)
			seen := make([]tokens.Session, racers)
			for i := range next {
				next[i] = rotated(s, t0.Add(time.Duration(round*racers+i+1)*time.Millisecond))
			}
			w := race(t, tokens.ErrConflict, func(i int) (err error) {
				seen[i], err = f.UpdateSession(f.ctx, next[i], s.Generation)
				return err
			})
			for i, got := range seen {
				if !reflect.DeepEqual(got, next[w]) {
					t.Fatalf("round %d: racer %d got %+v; want the winner's %+v", round, i, got, next[w])
				}
			}
			s = next[w]
		}
		if got, err := f.GetSession(f.ctx, s.ID); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("GetSession after the races = %+v, %v; want the last winner's %+v", got, err, s)
		}
	})
	t.Run("PutKeySet", func(t *testing.T) {
		// Two containers rotating from the same version cannot both win.
		f := setup(t, newStore)
		for expect := range 3 {
			sets := make([]tokens.KeySet, racers)
			for i := range sets {
				sets[i] = keySet(expect+1, fmt.Sprintf("k%d-%d", expect, i))
			}
			w := race(t, tokens.ErrConflict, func(i int) error { return f.PutKeySet(f.ctx, sets[i], expect) })
			if got, err := f.GetKeySet(f.ctx); err != nil || !reflect.DeepEqual(got, sets[w]) {
				t.Fatalf("GetKeySet after race %d = %+v, %v; want the winner's %+v", expect, got, err, sets[w])
			}
		}
	})
	t.Run("Create", testCreateRaces(newStore))
	t.Run("RevokeSession", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateSession(f.ctx, newSession("s1")))
		w := race(t, tokens.ErrConflict, func(i int) error {
			return f.RevokeSession(f.ctx, "s1", fmt.Sprintf("reason-%d", i), t0)
		})
		if got, err := f.GetSession(f.ctx, "s1"); err != nil || got.RevokedReason != fmt.Sprintf("reason-%d", w) {
			t.Errorf("revocation reason = %q, %v; want the winner's reason-%d", got.RevokedReason, err, w)
		}
	})
	t.Run("TouchLongLived", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateLongLived(f.ctx, newLongLived("lt", "user-1", t0)))
		at := t0.Add(time.Hour)
		race(t, tokens.ErrConflict, func(int) error { return f.TouchLongLived(f.ctx, "lt", at, time.Minute) })
	})
	t.Run("EvictOneSession", func(t *testing.T) {
		// Sessions created at once that all evict the same old one: every
		// one is created, the old one is evicted once.
		f := setup(t, newStore)
		must(t, f.CreateSession(f.ctx, newSession("old")))
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				s := sessionOf(fmt.Sprintf("new-%02d", i), "user-1", "app", t0.Add(time.Duration(i+1)*time.Second))
				errs[i] = f.CreateSessionEvicting(f.ctx, s, []string{"old"})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("CreateSessionEvicting = %v; want every session created", err)
		}
		active, err := f.ActiveSessions(f.ctx, "user-1", "app")
		if err != nil || len(active) != racers {
			t.Errorf("ActiveSessions = %d, %v; want the %d new sessions", len(active), err, racers)
		}
		old, err := f.GetSession(f.ctx, "old")
		if err != nil || old.RevokedReason != tokens.ReasonEvicted || old.RevokedAt.Before(t0.Add(time.Second)) {
			t.Errorf("old session = %s/%s at %v, %v; want evicted by one of the new ones", old.Status, old.RevokedReason, old.RevokedAt, err)
		}
	})
}

// testCreateRaces races creates of one id with different items: exactly
// one is stored, the others are ErrAlreadyExists.
func testCreateRaces(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		tests := []struct {
			name   string
			create func(i int) error
			stored func() (string, error) // the winner's mark
		}{
			{"session", func(i int) error {
				s := newSession("s1")
				s.UserAgent = fmt.Sprint(i)
				return f.CreateSession(f.ctx, s)
			}, func() (string, error) { s, err := f.GetSession(f.ctx, "s1"); return s.UserAgent, err }},
			{"session evicting", func(i int) error {
				s := newSession("s2")
				s.UserAgent = fmt.Sprint(i)
				return f.CreateSessionEvicting(f.ctx, s, []string{"s1"})
			}, func() (string, error) { s, err := f.GetSession(f.ctx, "s2"); return s.UserAgent, err }},
			{"client", func(i int) error {
				c := newClient("c1")
				c.Name = fmt.Sprint(i)
				return f.CreateClient(f.ctx, c)
			}, func() (string, error) { c, err := f.GetClient(f.ctx, "c1"); return c.Name, err }},
			{"user", func(i int) error {
				u := newUser("alice")
				u.Subject = fmt.Sprint(i)
				return f.CreateUser(f.ctx, u)
			}, func() (string, error) { u, err := f.GetUser(f.ctx, "alice"); return u.Subject, err }},
			{"long-lived token", func(i int) error {
				lt := newLongLived("lt1", "user-1", t0)
				lt.Name = fmt.Sprint(i)
				return f.CreateLongLived(f.ctx, lt)
			}, func() (string, error) { lt, err := f.GetLongLived(f.ctx, "lt1"); return lt.Name, err }},
			{"reference token", func(i int) error {
				r := newReference("tok")
				r.JTI = fmt.Sprint(i)
				return f.CreateReferenceToken(f.ctx, r)
			}, func() (string, error) {
				st, err := f.AccessState(f.ctx, tokens.AccessStateQuery{ReferenceHash: hash("tok")})
				if st.Reference == nil {
					return "", err
				}
				return st.Reference.JTI, err
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := race(t, tokens.ErrAlreadyExists, tt.create)
				if got, err := tt.stored(); err != nil || got != fmt.Sprint(w) {
					t.Errorf("stored item is racer %q's, %v; want the winner's, %d", got, err, w)
				}
			})
		}
	}
}
