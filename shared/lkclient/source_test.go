package lkclient

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// step is a time on the clock and what Token hands out then.
type step struct {
	at       time.Duration // since start
	want     string        // access token handed out
	requests int           // refresh requests so far
}

// TestProactiveRefresh walks the injected clock through the access
// token's life: no request while it is fresh, one refresh once within
// the margin of its expiry, then the new token until its own margin.
func TestProactiveRefresh(t *testing.T) {
	for _, tc := range []struct {
		name   string
		margin time.Duration
		steps  []step
	}{
		{name: "default margin 60 s", steps: []step{
			{0, "at-0", 0},
			{14*time.Minute - time.Second, "at-0", 0},
			{14 * time.Minute, "at-1", 1},
			{28*time.Minute - time.Second, "at-1", 1}, // at-1 expires at 29 min
			{28 * time.Minute, "at-2", 2},
		}},
		{name: "margin 5 min", margin: 5 * time.Minute, steps: []step{
			{10*time.Minute - time.Second, "at-0", 0},
			{10 * time.Minute, "at-1", 1},
			{20*time.Minute - time.Second, "at-1", 1},
			{20 * time.Minute, "at-2", 2},
		}},
		{name: "margin longer than half the lifetime", margin: time.Hour, steps: []step{
			{0, "at-1", 1}, // at-0 came from the store: no known lifetime, whole margin
			{7*time.Minute + 29*time.Second, "at-1", 1}, // at-1 lives 900 s: refreshed at 450 s
			{7*time.Minute + 30*time.Second, "at-2", 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, Options{Margin: tc.margin})
			for _, s := range tc.steps {
				r.clock.Set(start.Add(s.at))
				tok, err := r.ts.Token()
				if err != nil {
					t.Fatalf("at %v: Token: %v", s.at, err)
				}
				if n, _ := r.srv.counts(); tok.AccessToken != s.want || n != s.requests {
					t.Errorf("at %v: Token = %s after %d requests; want %s after %d", s.at, tok.AccessToken, n, s.want, s.requests)
				}
			}
		})
	}
}

// TestRefreshedExpiryOnInjectedClock pins that a refreshed token's
// expiry is the injected clock at sending plus expires_in.
func TestRefreshedExpiryOnInjectedClock(t *testing.T) {
	r := newRig(t, Options{})
	r.clock.Set(start.Add(20 * time.Minute))
	tok, err := r.ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if want := start.Add(35 * time.Minute); !tok.Expiry.Equal(want) {
		t.Errorf("Expiry = %v; want %v", tok.Expiry, want)
	}
}

// TestOneRefreshForManyGoroutines holds the refresh request at the
// server until 31 more goroutines have asked for a token: they wait for
// the one request in flight, and all 32 get its token.
func TestOneRefreshForManyGoroutines(t *testing.T) {
	const n = 32
	r := newRig(t, Options{})
	r.srv.arrived, r.srv.release = make(chan struct{}, 1), make(chan struct{})
	release := sync.OnceFunc(func() { close(r.srv.release) })
	t.Cleanup(release)
	r.clock.Set(start.Add(15 * time.Minute))
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tok, err := r.ts.Token()
			if err != nil {
				t.Errorf("goroutine %d: %v", i, err)
				return
			}
			got[i] = tok.AccessToken
		})
	}
	<-r.srv.arrived
	for deadline := time.Now().Add(30 * time.Second); r.waiters() < n-1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waiters = %d after 30 s; want %d waiting for the one refresh", r.waiters(), n-1)
		}
	}
	release()
	wg.Wait()
	if reqs, _ := r.srv.counts(); reqs != 1 {
		t.Errorf("refresh requests = %d; want 1", reqs)
	}
	if want := slices.Repeat([]string{"at-1"}, n); !slices.Equal(got, want) {
		t.Errorf("tokens = %v; want at-1 for all", got)
	}
	if r.store.saves != 1 {
		t.Errorf("saves = %d; want 1", r.store.saves)
	}
}

func (r rig) waiters() int {
	r.ts.mu.Lock()
	defer r.ts.mu.Unlock()
	if r.ts.flight == nil {
		return 0
	}
	return r.ts.flight.waiters
}

// TestPersistBeforeHandOut: when the store refuses the rotated token,
// the new access token is not handed out; the next call saves the token
// it kept, without presenting the spent refresh token again.
func TestPersistBeforeHandOut(t *testing.T) {
	r := newRig(t, Options{})
	r.clock.Set(start.Add(16 * time.Minute)) // at-0 has expired
	diskFull := errors.New("disk full")
	r.store.failSave = diskFull

	tok, err := r.ts.Token()
	var pe *PersistError
	if tok != nil || !errors.As(err, &pe) || !errors.Is(err, diskFull) {
		t.Fatalf("Token with a failing store = %v, %v; want nil and a *PersistError wrapping %v", tok, err, diskFull)
	}
	if got := r.store.refreshToken(); got != "rt-0" {
		t.Errorf("stored refresh token = %s; want rt-0 (nothing saved)", got)
	}

	r.store.failSave = nil
	tok, err = r.ts.Token()
	if err != nil || tok.AccessToken != "at-1" {
		t.Fatalf("Token once the store works = %v, %v; want at-1", tok, err)
	}
	reqs, presented := r.srv.counts()
	if reqs != 1 || !slices.Equal(presented, []string{"rt-0"}) {
		t.Errorf("requests = %d presenting %v; want 1 presenting [rt-0]", reqs, presented)
	}
	if got := r.store.refreshToken(); got != "rt-1" {
		t.Errorf("stored refresh token = %s; want rt-1", got)
	}
}

// TestPersistFailureNotMaskedByValidToken: a proactive refresh whose
// save fails reports it even though the old access token is still valid.
func TestPersistFailureNotMaskedByValidToken(t *testing.T) {
	r := newRig(t, Options{})
	r.clock.Set(start.Add(14*time.Minute + 30*time.Second))
	r.store.failSave = errors.New("read-only file system")
	var pe *PersistError
	if _, err := r.ts.Token(); !errors.As(err, &pe) {
		t.Errorf("Token = %v; want a *PersistError", err)
	}
}

// TestInvalidGrantIsSignInRequired: a refused refresh token is a typed
// error, found with errors.Is and errors.As, and is not retried.
func TestInvalidGrantIsSignInRequired(t *testing.T) {
	r := newRig(t, Options{})
	r.srv.script = []answer{{status: 400, code: "invalid_grant"}}
	r.clock.Set(start.Add(14*time.Minute + 30*time.Second)) // at-0 still valid: no fallback either
	_, err := r.ts.Token()
	var se *SignInRequiredError
	if !errors.Is(err, ErrSignInRequired) || !errors.As(err, &se) {
		t.Fatalf("Token = %v; want ErrSignInRequired", err)
	}
	if se.Code != "invalid_grant" || se.Description != "the fake says invalid_grant" {
		t.Errorf("SignInRequiredError = %q %q; want invalid_grant and the server's description", se.Code, se.Description)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Errorf("errors.As(%v, *oauth2.RetrieveError) = false; want the server's answer", err)
	}
	if reqs, _ := r.srv.counts(); reqs != 1 || len(r.sleeps.got) != 0 {
		t.Errorf("requests, sleeps = %d, %v; want 1, none", reqs, r.sleeps.got)
	}
}

// TestNewWithoutStoredToken: nothing to refresh is a sign-in too.
func TestNewWithoutStoredToken(t *testing.T) {
	for name, s := range map[string]Store{
		"empty store":      &memStore{},
		"no refresh token": &memStore{tok: &oauth2.Token{AccessToken: "at"}},
		"missing file":     FileStore{Path: t.TempDir() + "/token.json"},
	} {
		_, err := New(context.Background(), &oauth2.Config{}, s, Options{})
		if !errors.Is(err, ErrSignInRequired) || !errors.Is(err, ErrNoToken) {
			t.Errorf("%s: New = %v; want ErrSignInRequired wrapping ErrNoToken", name, err)
		}
	}
}

// TestTokenContextEnds: a caller waiting for someone else's refresh
// leaves when its own context ends.
func TestTokenContextEnds(t *testing.T) {
	r := newRig(t, Options{})
	r.srv.arrived, r.srv.release = make(chan struct{}, 1), make(chan struct{})
	r.clock.Set(start.Add(15 * time.Minute))
	done := make(chan error)
	go func() { _, err := r.ts.Token(); done <- err }()
	<-r.srv.arrived
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.ts.TokenContext(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("TokenContext(cancelled) = %v; want context.Canceled", err)
	}
	close(r.srv.release)
	if err := <-done; err != nil {
		t.Errorf("the leader's Token = %v; want the new token", err)
	}
}
