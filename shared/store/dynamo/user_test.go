package dynamo_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func TestUserRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tests := []struct {
		name string
		user tokens.User
	}{
		{"every field", func() tokens.User {
			u := newUser("alice")
			u.FailedLogins, u.LastFailedAt, u.Disabled = 2, t0.Add(-time.Second), true
			return u
		}()},
		{"minimal", tokens.User{Username: "bob", Subject: "sub-bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.CreateUser(ctx, tt.user); err != nil {
				t.Fatalf("CreateUser = %v", err)
			}
			got, err := f.GetUser(ctx, tt.user.Username)
			if err != nil {
				t.Fatalf("GetUser = %v", err)
			}
			if !reflect.DeepEqual(got, tt.user) {
				t.Errorf("GetUser = %+v; want %+v", got, tt.user)
			}
		})
	}
}

func TestUserErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.CreateUser(ctx, newUser("alice")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"create taken username", func() error { u := newUser("alice"); u.Subject = "another"; return f.CreateUser(ctx, u) }, tokens.ErrAlreadyExists},
		{"get unknown", func() error { _, err := f.GetUser(ctx, "nobody"); return err }, tokens.ErrNotFound},
		{"record failure of unknown", func() error {
			_, err := f.RecordLoginFailure(ctx, "nobody", t0)
			return err
		}, tokens.ErrNotFound},
		{"reset unknown", func() error { return f.ResetLoginFailures(ctx, "nobody") }, tokens.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
	if _, err := f.GetUser(ctx, "nobody"); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("GetUser(nobody) after failed writes = %v; want ErrNotFound (no item created)", err)
	}
}

func TestRecordAndResetLoginFailures(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.CreateUser(ctx, newUser("alice")); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		u, err := f.RecordLoginFailure(ctx, "alice", at)
		if err != nil {
			t.Fatalf("RecordLoginFailure #%d = %v", i, err)
		}
		if u.FailedLogins != i || !u.LastFailedAt.Equal(at) || u.Subject != "sub-alice" {
			t.Errorf("RecordLoginFailure #%d = %d failures at %v, subject %q; want %d at %v, sub-alice",
				i, u.FailedLogins, u.LastFailedAt, u.Subject, i, at)
		}
	}
	if err := f.ResetLoginFailures(ctx, "alice"); err != nil {
		t.Fatalf("ResetLoginFailures = %v", err)
	}
	u, err := f.GetUser(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.FailedLogins != 0 {
		t.Errorf("FailedLogins after reset = %d; want 0", u.FailedLogins)
	}
}

// TestRecordLoginFailureConcurrent checks that the failure count is an
// atomic ADD: 16 concurrent failures count 16, each caller seeing its own.
func TestRecordLoginFailureConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.CreateUser(ctx, newUser("alice")); err != nil {
		t.Fatal(err)
	}
	const n = 16
	counts := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u, err := f.RecordLoginFailure(ctx, "alice", t0)
			if err != nil {
				t.Errorf("RecordLoginFailure = %v", err)
			}
			counts[i] = u.FailedLogins
		})
	}
	wg.Wait()
	sort.Ints(counts)
	for i, c := range counts {
		if c != i+1 {
			t.Fatalf("counts seen by the callers = %v; want 1..%d, each once", counts, n)
		}
	}
	u, err := f.GetUser(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.FailedLogins != n {
		t.Errorf("FailedLogins = %d; want %d", u.FailedLogins, n)
	}
}
