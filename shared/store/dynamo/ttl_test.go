package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// TestExpiredSessionIsAbsent is invariant 6 (docs/design.md §7): once the
// store's clock reaches a session's absolute expiry, every path treats the
// session as absent, although DynamoDB still holds it.
func TestExpiredSessionIsAbsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	paths := map[string]func(id string) error{
		"GetSession": func(id string) error { _, err := f.GetSession(ctx, id); return err },
		"UpdateSession": func(id string) error {
			_, err := f.UpdateSession(ctx, rotated(newSession(id), t0), 1)
			return err
		},
		"RevokeSession": func(id string) error { return f.RevokeSession(ctx, id, tokens.ReasonRevoked, t0) },
	}
	abs := newSession("x").AbsoluteExpiresAt
	clocks := []struct {
		name string
		now  time.Time
		want error
	}{
		{"a nanosecond before expiry", abs.Add(-time.Nanosecond), nil},
		{"at expiry", abs, tokens.ErrNotFound},
		{"a nanosecond after", abs.Add(time.Nanosecond), tokens.ErrNotFound},
		{"a year after", abs.AddDate(1, 0, 0), tokens.ErrNotFound},
	}
	for _, c := range clocks {
		for path, call := range paths {
			t.Run(c.name+"/"+path, func(t *testing.T) {
				id := c.name + "/" + path
				f.clock.Set(t0)
				if err := f.CreateSession(ctx, newSession(id)); err != nil {
					t.Fatal(err)
				}
				f.clock.Set(c.now)
				if err := call(id); !errors.Is(err, c.want) {
					t.Errorf("%s at %v = %v; want %v", path, c.now, err, c.want)
				}
			})
		}
	}
}

// TestExpiredItemIsAbsent writes items of every kind with a ttl in the past
// behind the Store's back: every read and update path must skip them.
func TestExpiredItemIsAbsent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	past := t0.Add(-time.Second).Unix()
	f.putRaw(t, map[string]any{"PK": "CLIENT#old", "SK": "META", "GSI1PK": "CLIENTS", "GSI1SK": "old", "id": "old", "ttl": past})
	f.putRaw(t, map[string]any{"PK": "USER#old", "SK": "META", "username": "old", "subject": "s", "ttl": past})
	f.putRaw(t, map[string]any{"PK": "KEYSET", "SK": "META", "version": 1, "keys": []any{}, "ttl": past})
	tests := []struct {
		name string
		call func() error
	}{
		{"GetClient", func() error { _, err := f.GetClient(ctx, "old"); return err }},
		{"DisableClient", func() error { return f.DisableClient(ctx, "old") }},
		{"GetUser", func() error { _, err := f.GetUser(ctx, "old"); return err }},
		{"RecordLoginFailure", func() error { _, err := f.RecordLoginFailure(ctx, "old", t0); return err }},
		{"ResetLoginFailures", func() error { return f.ResetLoginFailures(ctx, "old") }},
		{"GetKeySet", func() error { _, err := f.GetKeySet(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("%s = %v; want ErrNotFound", tt.name, err)
			}
		})
	}
	t.Run("ListClients", func(t *testing.T) {
		got, err := f.ListClients(ctx)
		if err != nil || len(got) != 0 {
			t.Errorf("ListClients = %+v, %v; want none", got, err)
		}
	})
}
