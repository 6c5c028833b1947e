package memstore_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/store/memstore"
	"github.com/latchkey/latchkey/shared/store/storetest"
	"github.com/latchkey/latchkey/shared/tokens"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		return memstore.New(now)
	})
}

// TestOps: each port call counts once under its method's name, whatever
// its outcome, until ResetOps.
func TestOps(t *testing.T) {
	s := memstore.New(nil)
	ctx := context.Background()
	_, _ = s.GetSession(ctx, "nope")
	_, _ = s.GetSession(ctx, "nope")
	_ = s.RevokeSession(ctx, "nope", tokens.ReasonRevoked, time.Now())
	_, _ = s.AccessState(ctx, tokens.AccessStateQuery{})
	want := map[string]int{"GetSession": 2, "RevokeSession": 1, "AccessState": 1}
	if got := s.Ops(); !maps.Equal(got, want) {
		t.Errorf("Ops() = %v; want %v", got, want)
	}
	s.ResetOps()
	if got := s.Ops(); len(got) != 0 {
		t.Errorf("Ops() after ResetOps = %v; want none", got)
	}
}

// TestCancelledContext: a call with an ended context fails as an outage
// (no sentinel) and changes nothing, as an SDK request would.
func TestCancelledContext(t *testing.T) {
	s := memstore.New(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.CreateUser(ctx, tokens.User{Username: "alice"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("CreateUser with a cancelled context = %v; want context.Canceled", err)
	}
	if _, err := s.GetUser(context.Background(), "alice"); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("GetUser after the cancelled create = %v; want ErrNotFound", err)
	}
}
