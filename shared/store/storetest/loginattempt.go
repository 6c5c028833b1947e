package storetest

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// testLoginAttempts pins the sign-in throttle's counts (issue 11 §2): one
// conditional reservation per attempt, at most limit per window, even
// when racing; windows are apart per user, source and end; a reset and
// an unlock set counts to zero.
func testLoginAttempts(t *testing.T, newStore NewStore) {
	const limit = 3
	end := t0.Truncate(time.Minute).Add(15 * time.Minute) // windows end on whole seconds

	alice := tokens.LoginAttempt{User: "u-alice", Source: "192.0.2.1", WindowEnd: end}
	t.Run("ReserveUpToTheLimit", func(t *testing.T) {
		f := setup(t, newStore)
		for want := 1; want <= limit; want++ {
			if n, err := f.ReserveLoginAttempt(f.ctx, alice, limit); n != want || err != nil {
				t.Fatalf("ReserveLoginAttempt #%d = %d, %v; want %d, nil", want, n, err, want)
			}
		}
		n, err := f.ReserveLoginAttempt(f.ctx, alice, limit)
		wantErr(t, "ReserveLoginAttempt beyond the limit", err, tokens.ErrConflict)
		if n != limit {
			t.Errorf("ReserveLoginAttempt beyond the limit = %d; want the stored count %d", n, limit)
		}
		for name, other := range map[string]tokens.LoginAttempt{
			"another source":  {User: alice.User, Source: "192.0.2.2", WindowEnd: end},
			"another user":    {User: "u-bob", Source: alice.Source, WindowEnd: end},
			"the next window": {User: alice.User, Source: alice.Source, WindowEnd: end.Add(15 * time.Minute)},
			"no source":       {User: alice.User, WindowEnd: end},
		} {
			if n, err := f.ReserveLoginAttempt(f.ctx, other, limit); n != 1 || err != nil {
				t.Errorf("ReserveLoginAttempt (%s) = %d, %v; want 1, nil: windows are apart", name, n, err)
			}
		}
	})
	t.Run("Reset", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.ResetLoginAttempts(f.ctx, alice)) // no window yet: no error
		for range limit {
			_, err := f.ReserveLoginAttempt(f.ctx, alice, limit)
			must(t, err)
		}
		must(t, f.ResetLoginAttempts(f.ctx, alice))
		if n, err := f.ReserveLoginAttempt(f.ctx, alice, limit); n != 1 || err != nil {
			t.Errorf("ReserveLoginAttempt after a reset = %d, %v; want 1, nil", n, err)
		}
	})
	t.Run("Unlock", func(t *testing.T) {
		f := setup(t, newStore)
		other := tokens.LoginAttempt{User: alice.User, Source: "2001:db8::/64", WindowEnd: end}
		closed := tokens.LoginAttempt{User: alice.User, Source: alice.Source, WindowEnd: t0.Truncate(time.Minute)}
		bob := tokens.LoginAttempt{User: "u-bob", Source: alice.Source, WindowEnd: end}
		for _, a := range []tokens.LoginAttempt{alice, alice, other, closed, bob} {
			_, err := f.ReserveLoginAttempt(f.ctx, a, limit)
			must(t, err)
		}
		if n, err := f.UnlockLogin(f.ctx, alice.User); n != 2 || err != nil {
			t.Errorf("UnlockLogin = %d, %v; want 2 open windows unlocked, nil", n, err)
		}
		for name, a := range map[string]tokens.LoginAttempt{"alice": alice, "alice elsewhere": other} {
			if n, err := f.ReserveLoginAttempt(f.ctx, a, limit); n != 1 || err != nil {
				t.Errorf("ReserveLoginAttempt (%s) after unlock = %d, %v; want 1, nil", name, n, err)
			}
		}
		if n, err := f.ReserveLoginAttempt(f.ctx, bob, limit); n != 2 || err != nil {
			t.Errorf("ReserveLoginAttempt (another user) after unlock = %d, %v; want 2, nil: untouched", n, err)
		}
		if n, err := f.UnlockLogin(f.ctx, "u-nobody"); n != 0 || err != nil {
			t.Errorf("UnlockLogin(unknown) = %d, %v; want 0, nil", n, err)
		}
	})
	t.Run("RaceToTheLimit", func(t *testing.T) {
		f := setup(t, newStore)
		const limit = 10
		counts := make([]int, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Go(func() {
				<-start
				n, err := f.ReserveLoginAttempt(f.ctx, alice, limit)
				switch {
				case err == nil:
					counts[i] = n
				case !isSentinel(err):
					t.Errorf("ReserveLoginAttempt = %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		sort.Ints(counts)
		won := counts[racers-limit:]
		for i, c := range won {
			if c != i+1 || counts[racers-limit-1] != 0 {
				t.Fatalf("counts seen by %d racing callers = %v; want exactly %d winners seeing 1..%d", racers, counts, limit, limit)
			}
		}
	})
}
