package dynamo_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// TestRequestCounts pins each call to its request budget (docs/design.md §6):
// the core's budgets (refresh = 1 read + 1 conditional write, …) are sums
// of these.
func TestRequestCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	seed := []error{
		f.CreateSession(ctx, s), f.CreateSession(ctx, newSession("s2")),
		f.CreateClient(ctx, newClient("app")), f.CreateUser(ctx, newUser("alice")),
		f.PutKeySet(ctx, keySet(1, "k1"), 0),
	}
	for _, err := range seed {
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name               string
		call               func() error
		wantReads, wantWrs int
	}{
		{"GetSession", func() error { _, err := f.GetSession(ctx, "s1"); return err }, 1, 0},
		{"UpdateSession", func() error { _, err := f.UpdateSession(ctx, rotated(s, t0), 1); return err }, 0, 1},
		{"UpdateSession conflict", func() error {
			_, err := f.UpdateSession(ctx, rotated(s, t0), 1)
			return ignore(err, tokens.ErrConflict)
		}, 0, 1},
		{"RevokeSession", func() error { return f.RevokeSession(ctx, "s2", tokens.ReasonRevoked, t0) }, 0, 1},
		{"RevokeSession again", func() error {
			return ignore(f.RevokeSession(ctx, "s2", tokens.ReasonRevoked, t0), tokens.ErrConflict)
		}, 0, 1},
		{"CreateSession", func() error { return f.CreateSession(ctx, newSession("s3")) }, 0, 1},
		{"GetClient", func() error { _, err := f.GetClient(ctx, "app"); return err }, 1, 0},
		{"ListClients", func() error { _, err := f.ListClients(ctx); return err }, 1, 0},
		{"DisableClient", func() error { return f.DisableClient(ctx, "app") }, 0, 1},
		{"GetUser", func() error { _, err := f.GetUser(ctx, "alice"); return err }, 1, 0},
		{"RecordLoginFailure", func() error { _, err := f.RecordLoginFailure(ctx, "alice", t0.Add(time.Second)); return err }, 0, 1},
		{"ResetLoginFailures", func() error { return f.ResetLoginFailures(ctx, "alice") }, 0, 1},
		{"GetKeySet", func() error { _, err := f.GetKeySet(ctx); return err }, 1, 0},
		{"PutKeySet", func() error { return f.PutKeySet(ctx, keySet(2, "k1", "k2"), 1) }, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.env.Counter.Reset()
			if err := tt.call(); err != nil {
				t.Fatalf("%s = %v", tt.name, err)
			}
			if r, w := f.env.Counter.Reads(), f.env.Counter.Writes(); r != tt.wantReads || w != tt.wantWrs {
				t.Errorf("%s: %d reads, %d writes (%v); want %d, %d", tt.name, r, w, f.env.Counter.Ops(), tt.wantReads, tt.wantWrs)
			}
		})
	}
}

// ignore returns nil when err is want, else err.
func ignore(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return err
}

// TestAccessAndIndexRequestCounts pins the access, long-lived and index
// ports to their budgets, operation by operation: introspection is one
// BatchGetItem however many items it reads, a sessions page one Query, a
// capped session one transaction.
func TestAccessAndIndexRequestCounts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ref := newReference("tok")
	seed := []error{
		f.CreateSession(ctx, newSession("s1")), f.CreateSession(ctx, newSession("s2")),
		f.CreateReferenceToken(ctx, ref), f.CreateLongLived(ctx, newLongLived("lt1", "user-1", t0)),
	}
	for _, err := range seed {
		if err != nil {
			t.Fatal(err)
		}
	}
	at := t0.Add(time.Hour)
	one := func(op string) map[string]int { return map[string]int{op: 1} }
	tests := []struct {
		name string
		call func() error
		want map[string]int
	}{
		{"CreateReferenceToken", func() error { return f.CreateReferenceToken(ctx, newReference("tok2")) }, one("PutItem")},
		{"RevokeReferenceToken", func() error { return f.RevokeReferenceToken(ctx, ref.Hash, "app") }, one("UpdateItem")},
		{"RevokeReferenceToken of another client", func() error {
			return ignore(f.RevokeReferenceToken(ctx, ref.Hash, "web"), tokens.ErrNotFound)
		}, one("UpdateItem")},
		{"RevokeJTI", func() error { return f.RevokeJTI(ctx, "jti-1", at) }, one("PutItem")},
		{"AccessState of three items", func() error {
			_, err := f.AccessState(ctx, tokens.AccessStateQuery{JTI: "jti-1", ReferenceHash: ref.Hash, SessionID: "s1"})
			return err
		}, one("BatchGetItem")},
		{"CreateLongLived", func() error { return f.CreateLongLived(ctx, newLongLived("lt2", "user-1", t0)) }, one("PutItem")},
		{"GetLongLived", func() error { _, err := f.GetLongLived(ctx, "lt1"); return err }, one("GetItem")},
		{"TouchLongLived", func() error { return f.TouchLongLived(ctx, "lt1", at, time.Minute) }, one("UpdateItem")},
		{"TouchLongLived again within a minute", func() error {
			return ignore(f.TouchLongLived(ctx, "lt1", at.Add(time.Second), time.Minute), tokens.ErrConflict)
		}, one("UpdateItem")},
		{"RevokeLongLived", func() error { return f.RevokeLongLived(ctx, "lt1", at) }, one("UpdateItem")},
		{"RevokeLongLived again", func() error {
			return ignore(f.RevokeLongLived(ctx, "lt1", at), tokens.ErrConflict)
		}, one("UpdateItem")},
		{"ListSubject", func() error {
			_, err := f.ListSubject(ctx, tokens.ListQuery{Subject: "user-1", ActiveOnly: true, Limit: 50})
			return err
		}, one("Query")},
		{"ActiveSessions", func() error { _, err := f.ActiveSessions(ctx, "user-1", "app"); return err }, one("Query")},
		{"CreateSessionEvicting", func() error {
			return f.CreateSessionEvicting(ctx, newSession("s3"), []string{"s1", "s2"})
		}, one("TransactWriteItems")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.env.Counter.Reset()
			if err := tt.call(); err != nil {
				t.Fatalf("%s = %v", tt.name, err)
			}
			if ops := f.env.Counter.Ops(); !maps.Equal(ops, tt.want) {
				t.Errorf("%s: requests %v; want %v", tt.name, ops, tt.want)
			}
		})
	}
}
