package storetest

import (
	"errors"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func testClients(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		loose := newClient("loose")
		loose.Grants, loose.Scopes, loose.SecretHash, loose.ClaimSizeLimits = nil, []string{}, []byte{}, map[string]int{}
		loose.Resources, loose.AccessTokenClaims = []string{}, nil
		ms := newClient("ms")
		ms.AccessTokenTTL, ms.RefreshReuseGrace = 1500*time.Microsecond, 2*time.Second+999*time.Microsecond
		msWant := ms
		msWant.AccessTokenTTL, msWant.RefreshReuseGrace = time.Millisecond, 2*time.Second
		tests := []struct {
			name     string
			in, want tokens.Client
		}{
			{"confidential with every setting", newClient("full"), newClient("full")},
			{"public with defaults only", tokens.Client{ID: "spa", AuthMethod: "none"}, tokens.Client{ID: "spa", AuthMethod: "none"}},
			{"nil and empty slices and maps kept apart", loose, loose},
			{"durations in whole milliseconds", ms, msWant},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, f.CreateClient(f.ctx, tt.in))
				got, err := f.GetClient(f.ctx, tt.in.ID)
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("GetClient = %#v, %v; want %#v", got, err, tt.want)
				}
			})
		}
	})
	t.Run("Errors", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateClient(f.ctx, newClient("taken")))
		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"create taken id", func() error { c := newClient("taken"); c.Name = "another"; return f.CreateClient(f.ctx, c) }, tokens.ErrAlreadyExists},
			{"create the same client again", func() error { return f.CreateClient(f.ctx, newClient("taken")) }, nil},
			{"create with an empty id", func() error { return f.CreateClient(f.ctx, tokens.Client{Name: "no id"}) }, errPlain},
			{"get unknown", func() error { _, err := f.GetClient(f.ctx, "nope"); return err }, tokens.ErrNotFound},
			{"disable unknown", func() error { return f.DisableClient(f.ctx, "nope") }, tokens.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.want) })
		}
		if got, err := f.GetClient(f.ctx, "taken"); err != nil || !reflect.DeepEqual(got, newClient("taken")) {
			t.Errorf("GetClient(taken) after the failed creates = %+v, %v; want the first client", got, err)
		}
		if _, err := f.GetClient(f.ctx, "nope"); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("GetClient(nope) after DisableClient(nope) = %v; want ErrNotFound (nothing created)", err)
		}
	})
	t.Run("Disable", func(t *testing.T) {
		f := setup(t, newStore)
		c := newClient("app")
		must(t, f.CreateClient(f.ctx, c))
		for i := range 2 { // twice: disabling a disabled client is no error
			if err := f.DisableClient(f.ctx, c.ID); err != nil {
				t.Fatalf("DisableClient #%d = %v", i+1, err)
			}
		}
		want := c
		want.Disabled = true
		if got, err := f.GetClient(f.ctx, c.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetClient after disable = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("List", func(t *testing.T) {
		f := setup(t, newStore)
		got, err := f.ListClients(f.ctx)
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("ListClients of an empty store = %#v, %v; want an empty list", got, err)
		}
		// Other kinds of item must not be listed.
		must(t, f.CreateUser(f.ctx, newUser("alice")), f.CreateSession(f.ctx, newSession("s1")))
		for _, id := range []string{"c", "a", "B", "b"} {
			must(t, f.CreateClient(f.ctx, newClient(id)))
		}
		want := []tokens.Client{newClient("B"), newClient("a"), newClient("b"), newClient("c")}
		if got, err = f.ListClients(f.ctx); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ListClients = %+v, %v; want clients B, a, b, c", got, err)
		}
	})
}

func testUsers(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		full := newUser("alice")
		full.FailedLogins, full.LastFailedAt, full.Disabled = 2, t0.Add(-time.Second), true
		tests := []struct {
			name string
			user tokens.User
		}{
			{"every field", full},
			{"minimal", tokens.User{Username: "bob", Subject: "sub-bob"}},
			{"empty claims", tokens.User{Username: "carol", Subject: "sub-carol", Claims: map[string]any{}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, f.CreateUser(f.ctx, tt.user))
				got, err := f.GetUser(f.ctx, tt.user.Username)
				if err != nil || !reflect.DeepEqual(got, tt.user) {
					t.Errorf("GetUser = %#v, %v; want %#v", got, err, tt.user)
				}
			})
		}
	})
	t.Run("Errors", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateUser(f.ctx, newUser("alice")))
		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"create taken username", func() error { u := newUser("alice"); u.Subject = "another"; return f.CreateUser(f.ctx, u) }, tokens.ErrAlreadyExists},
			{"create the same user again", func() error { return f.CreateUser(f.ctx, newUser("alice")) }, nil},
			{"get unknown", func() error { _, err := f.GetUser(f.ctx, "nobody"); return err }, tokens.ErrNotFound},
			{"record failure of unknown", func() error { _, err := f.RecordLoginFailure(f.ctx, "nobody", t0); return err }, tokens.ErrNotFound},
			{"reset unknown", func() error { return f.ResetLoginFailures(f.ctx, "nobody") }, tokens.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.want) })
		}
		if _, err := f.GetUser(f.ctx, "nobody"); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("GetUser(nobody) after failed writes = %v; want ErrNotFound (nothing created)", err)
		}
	})
	t.Run("LoginFailures", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateUser(f.ctx, newUser("alice")))
		last := t0
		for i := 1; i <= 3; i++ {
			last = t0.Add(time.Duration(i) * time.Second)
			u, err := f.RecordLoginFailure(f.ctx, "alice", last)
			if err != nil || u.FailedLogins != i || !u.LastFailedAt.Equal(last) || u.Subject != "sub-alice" {
				t.Errorf("RecordLoginFailure #%d = %d at %v, subject %q, %v; want %d at %v, sub-alice",
					i, u.FailedLogins, u.LastFailedAt, u.Subject, err, i, last)
			}
		}
		must(t, f.ResetLoginFailures(f.ctx, "alice"))
		want := newUser("alice")
		want.LastFailedAt = last // a reset clears the count, not the time of the last failure
		if u, err := f.GetUser(f.ctx, "alice"); err != nil || !reflect.DeepEqual(u, want) {
			t.Errorf("GetUser after reset = %+v, %v; want %+v", u, err, want)
		}
	})
	t.Run("LoginFailuresConcurrent", func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateUser(f.ctx, newUser("alice")))
		counts := make([]int, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Go(func() {
				<-start
				u, err := f.RecordLoginFailure(f.ctx, "alice", t0)
				if err != nil {
					t.Errorf("RecordLoginFailure = %v", err)
				}
				counts[i] = u.FailedLogins
			})
		}
		close(start)
		wg.Wait()
		sort.Ints(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("counts seen by %d concurrent callers = %v; want 1..%d, each once", racers, counts, racers)
			}
		}
		if u, err := f.GetUser(f.ctx, "alice"); err != nil || u.FailedLogins != racers {
			t.Errorf("FailedLogins = %d, %v; want %d", u.FailedLogins, err, racers)
		}
	})
}
