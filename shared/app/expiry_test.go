package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Expiry with an injected clock (docs/design.md §3): absolute, idle, the
// sliding idle window, and the ttl read filter (invariant 6).
func TestExpiry(t *testing.T) {
	spec := tokens.ClientSpec{RefreshAbsoluteTTL: 10 * time.Hour, RefreshIdleTTL: 2 * time.Hour, RefreshReuseGrace: 0}
	for _, tc := range []struct {
		name  string
		steps []time.Duration // refresh after each wait
		last  time.Duration   // final wait before the checked refresh
		ok    bool
	}{
		{"within idle", nil, 119 * time.Minute, true},
		{"idle elapsed", nil, 2 * time.Hour, false},
		{"idle slides with each use", []time.Duration{90 * time.Minute, 90 * time.Minute, 90 * time.Minute}, 90 * time.Minute, true},
		{"absolute is never extended", []time.Duration{110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute, 110 * time.Minute}, 60 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, spec)
			token := f.login("read offline_access").Str("refresh_token")
			for _, wait := range tc.steps {
				f.Clock.Advance(wait)
				r := f.refresh(token)
				if r.Status != 200 {
					t.Fatalf("refresh after %v = %d %s; want 200", wait, r.Status, r.Body)
				}
				token = r.Str("refresh_token")
			}
			f.Clock.Advance(tc.last)
			r := f.refresh(token)
			if ok := r.Status == 200; ok != tc.ok {
				t.Errorf("refresh = %d %s; want ok=%v", r.Status, r.Body, tc.ok)
			}
			if !tc.ok && r.Str("error") != "invalid_grant" {
				t.Errorf("error = %q; want invalid_grant", r.Str("error"))
			}
		})
	}
}

func TestIdleNeverPassesAbsoluteAndAccessTokenStopsAtAbsolute(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshAbsoluteTTL: time.Hour, RefreshIdleTTL: 2 * time.Hour, AccessTokenTTL: 15 * time.Minute})
	token := f.login("read offline_access").Str("refresh_token")
	s := f.session(token)
	if !s.IdleExpiresAt.Equal(s.AbsoluteExpiresAt) {
		t.Errorf("idle expiry = %v; want capped at absolute %v", s.IdleExpiresAt, s.AbsoluteExpiresAt)
	}
	f.Clock.Advance(50 * time.Minute)
	r := f.refresh(token)
	if got := r.JSON["expires_in"]; got != float64(600) {
		t.Errorf("expires_in 10 minutes before the absolute expiry = %v; want 600", got)
	}
}

// Invariant 6: an item whose ttl has passed is absent on every read, even
// though DynamoDB has not deleted it.
func TestExpiredSessionIsAbsentOnRead(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshAbsoluteTTL: time.Hour, RefreshIdleTTL: 0})
	token := f.login("read offline_access").Str("refresh_token")
	sid := f.session(token).ID
	f.Clock.Advance(time.Hour)
	if _, err := f.App.Store.GetSession(context.Background(), sid); !errors.Is(err, tokens.ErrNotFound) {
		t.Errorf("GetSession at ttl = %v; want ErrNotFound", err)
	}
	wantError(t, f.refresh(token), 400, "invalid_grant")
}
