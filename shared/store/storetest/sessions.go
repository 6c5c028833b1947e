package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func testSessions(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", testSessionRoundTrip(newStore))
	t.Run("Errors", testSessionErrors(newStore))
	t.Run("UpdateWins", func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s))
		next := rotated(s, t0.Add(time.Minute))
		next.PreviousHash = nil // a cleared field is cleared, not kept
		next.IP, next.UserAgent = "198.51.100.7", ""
		attempt := next // fields outside the port's list are not written
		attempt.Subject, attempt.Scopes, attempt.Status, attempt.ClientID = "mallory", []string{"admin"}, tokens.SessionRevoked, "evil"
		attempt.Salt, attempt.AbsoluteExpiresAt = []byte("other salt"), t0.AddDate(9, 0, 0)
		got, err := f.UpdateSession(f.ctx, attempt, 1)
		if err != nil || !reflect.DeepEqual(got, next) {
			t.Errorf("UpdateSession = %+v, %v; want %+v", got, err, next)
		}
		if stored, err := f.GetSession(f.ctx, s.ID); err != nil || !reflect.DeepEqual(stored, next) {
			t.Errorf("GetSession after update = %+v, %v; want %+v", stored, err, next)
		}
	})
	t.Run("UpdateLosesAndReturnsStored", func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s))
		winner := rotated(s, t0.Add(time.Minute))
		if _, err := f.UpdateSession(f.ctx, winner, 1); err != nil {
			t.Fatal(err)
		}
		got, err := f.UpdateSession(f.ctx, rotated(s, t0.Add(2*time.Minute)), 1)
		if !errors.Is(err, tokens.ErrConflict) || !reflect.DeepEqual(got, winner) {
			t.Errorf("UpdateSession with a stale generation = %+v, %v; want the stored %+v, ErrConflict", got, err, winner)
		}
		got, err = f.UpdateSession(f.ctx, rotated(winner, t0.Add(3*time.Minute)), 5)
		if !errors.Is(err, tokens.ErrConflict) || !reflect.DeepEqual(got, winner) {
			t.Errorf("UpdateSession with a future generation = %+v, %v; want the stored %+v, ErrConflict", got, err, winner)
		}
	})
	t.Run("UpdateRevokedLoses", func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s), f.RevokeSession(f.ctx, s.ID, tokens.ReasonRevoked, t0))
		want := s
		want.Status, want.RevokedReason, want.RevokedAt = tokens.SessionRevoked, tokens.ReasonRevoked, t0
		got, err := f.UpdateSession(f.ctx, rotated(s, t0), s.Generation)
		if !errors.Is(err, tokens.ErrConflict) || !reflect.DeepEqual(got, want) {
			t.Errorf("UpdateSession of a revoked session = %+v, %v; want the stored %+v, ErrConflict", got, err, want)
		}
	})
	t.Run("UpdateIgnoresIdleExpiry", func(t *testing.T) {
		// The condition is generation, status and absolute expiry; the
		// idle window is the core's to judge.
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s))
		f.clock.Set(s.IdleExpiresAt.Add(time.Hour))
		if _, err := f.UpdateSession(f.ctx, rotated(s, s.IdleExpiresAt.Add(time.Hour)), 1); err != nil {
			t.Errorf("UpdateSession after the idle expiry = %v; want nil", err)
		}
	})
	t.Run("RevokeTwice", func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s))
		at := t0.Add(time.Hour)
		wantErr(t, "RevokeSession", f.RevokeSession(f.ctx, s.ID, tokens.ReasonReuseDetected, at), nil)
		wantErr(t, "RevokeSession again", f.RevokeSession(f.ctx, s.ID, tokens.ReasonRevoked, at.Add(time.Second)), tokens.ErrConflict)
		want := s
		want.Status, want.RevokedReason, want.RevokedAt = tokens.SessionRevoked, tokens.ReasonReuseDetected, at
		if got, err := f.GetSession(f.ctx, s.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetSession after two revocations = %+v, %v; want the first one's %+v", got, err, want)
		}
	})
}

func testSessionRoundTrip(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		minimal := tokens.Session{ID: "min", ClientID: "app", Subject: "s", Generation: 1,
			Status: tokens.SessionActive, AbsoluteExpiresAt: t0.Add(time.Hour)}
		empty := newSession("empty")
		empty.Scopes, empty.Audience, empty.Salt, empty.CurrentHash = []string{}, []string{}, []byte{}, []byte{}
		emptyWant := empty
		emptyWant.Salt, emptyWant.CurrentHash = nil, nil // an empty hash or salt reads back as none
		zoned := newSession("zoned")
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		zoned.CreatedAt, zoned.AbsoluteExpiresAt = time.Now().In(zone), t0.In(zone).Add(time.Hour)
		zonedWant := zoned
		zonedWant.CreatedAt, zonedWant.AbsoluteExpiresAt = zoned.CreatedAt.Round(0).UTC(), zoned.AbsoluteExpiresAt.UTC()
		tests := []struct {
			name     string
			in, want tokens.Session
		}{
			{"every field", newSession("full"), newSession("full")},
			{"minimal", minimal, minimal},
			{"empty scopes, salt and hash", empty, emptyWant},
			{"times in UTC without a monotonic reading", zoned, zonedWant},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, f.CreateSession(f.ctx, tt.in))
				got, err := f.GetSession(f.ctx, tt.in.ID)
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("GetSession = %#v, %v; want %#v", got, err, tt.want)
				}
			})
		}
	}
}

func testSessionErrors(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		s := newSession("s1")
		must(t, f.CreateSession(f.ctx, s))
		noExpiry := newSession("s2")
		noExpiry.AbsoluteExpiresAt = time.Time{}
		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"create taken id", func() error { other := s; other.Subject = "someone-else"; return f.CreateSession(f.ctx, other) }, tokens.ErrAlreadyExists},
			{"create the same session again", func() error { return f.CreateSession(f.ctx, s) }, nil},
			{"create without absolute expiry", func() error { return f.CreateSession(f.ctx, noExpiry) }, errPlain},
			{"get unknown", func() error { _, err := f.GetSession(f.ctx, "nope"); return err }, tokens.ErrNotFound},
			{"update unknown", func() error { _, err := f.UpdateSession(f.ctx, rotated(newSession("nope"), t0), 1); return err }, tokens.ErrNotFound},
			{"revoke unknown", func() error { return f.RevokeSession(f.ctx, "nope", tokens.ReasonRevoked, t0) }, tokens.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.want) })
		}
		for _, id := range []string{"s2", "nope"} {
			if _, err := f.GetSession(f.ctx, id); !errors.Is(err, tokens.ErrNotFound) {
				t.Errorf("GetSession(%s) after failed writes = %v; want ErrNotFound (nothing created)", id, err)
			}
		}
		if got, err := f.GetSession(f.ctx, s.ID); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("GetSession(s1) after the failed create = %+v, %v; want the first session", got, err)
		}
	}
}
