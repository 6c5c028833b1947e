package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func testLongLived(t *testing.T, newStore NewStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		f := setup(t, newStore)
		never, used, empty := newLongLived("never", "user-1", t0), newLongLived("used", "user-1", t0), newLongLived("empty", "user-1", t0)
		never.ExpiresAt, used.LastUsedAt = time.Time{}, t0.Add(time.Hour)
		empty.Scopes, empty.Hash = []string{}, []byte{}
		emptyWant := empty
		emptyWant.Hash = nil
		tests := []struct {
			name     string
			in, want tokens.LongLivedToken
		}{
			{"expires", newLongLived("lt1", "user-1", t0), newLongLived("lt1", "user-1", t0)},
			{"never expires", never, never},
			{"used before", used, used},
			{"empty scopes and hash", empty, emptyWant},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				must(t, f.CreateLongLived(f.ctx, tt.in))
				got, err := f.GetLongLived(f.ctx, tt.in.ID)
				if err != nil || !reflect.DeepEqual(got, tt.want) {
					t.Errorf("GetLongLived = %#v, %v; want %#v", got, err, tt.want)
				}
			})
		}
	})
	t.Run("Errors", func(t *testing.T) {
		f := setup(t, newStore)
		lt := newLongLived("lt1", "user-1", t0)
		must(t, f.CreateLongLived(f.ctx, lt))
		tests := []struct {
			name string
			call func() error
			want error
		}{
			{"create taken id", func() error { other := lt; other.Name = "another"; return f.CreateLongLived(f.ctx, other) }, tokens.ErrAlreadyExists},
			{"create the same token again", func() error { return f.CreateLongLived(f.ctx, lt) }, nil},
			{"create without id", func() error { return f.CreateLongLived(f.ctx, newLongLived("", "user-1", t0)) }, errPlain},
			{"get unknown", func() error { _, err := f.GetLongLived(f.ctx, "nope"); return err }, tokens.ErrNotFound},
			{"revoke unknown", func() error { return f.RevokeLongLived(f.ctx, "nope", t0) }, tokens.ErrNotFound},
			{"touch unknown", func() error { return f.TouchLongLived(f.ctx, "nope", t0, time.Minute) }, tokens.ErrConflict},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { wantErr(t, tt.name, tt.call(), tt.want) })
		}
		if _, err := f.GetLongLived(f.ctx, "nope"); !errors.Is(err, tokens.ErrNotFound) {
			t.Errorf("GetLongLived(nope) after failed writes = %v; want ErrNotFound (nothing created)", err)
		}
		if got, err := f.GetLongLived(f.ctx, lt.ID); err != nil || !reflect.DeepEqual(got, lt) {
			t.Errorf("GetLongLived(lt1) after the failed create = %+v, %v; want the first token", got, err)
		}
	})
	t.Run("Touch", func(t *testing.T) {
		// At most one write per interval; a refused touch leaves
		// LastUsedAt as it was.
		f := setup(t, newStore)
		lt := newLongLived("lt1", "user-1", t0)
		must(t, f.CreateLongLived(f.ctx, lt))
		first := t0.Add(time.Hour)
		tests := []struct {
			name     string
			at       time.Time
			want     error
			wantUsed time.Time
		}{
			{"never used", first, nil, first},
			{"30 s later", first.Add(30 * time.Second), tokens.ErrConflict, first},
			{"exactly a minute later", first.Add(time.Minute), tokens.ErrConflict, first},
			{"a minute and 1 ns later", first.Add(time.Minute + time.Nanosecond), nil, first.Add(time.Minute + time.Nanosecond)},
			{"earlier than the last use", first, tokens.ErrConflict, first.Add(time.Minute + time.Nanosecond)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clock.Set(tt.at)
				wantErr(t, "TouchLongLived", f.TouchLongLived(f.ctx, lt.ID, tt.at, time.Minute), tt.want)
				if got, err := f.GetLongLived(f.ctx, lt.ID); err != nil || !got.LastUsedAt.Equal(tt.wantUsed) {
					t.Errorf("LastUsedAt = %v, %v; want %v", got.LastUsedAt, err, tt.wantUsed)
				}
			})
		}
	})
	t.Run("TouchRefused", func(t *testing.T) {
		f := setup(t, newStore)
		revoked, expired := newLongLived("revoked", "user-1", t0), newLongLived("expired", "user-1", t0)
		revoked.Status = tokens.SessionRevoked
		must(t, f.CreateLongLived(f.ctx, revoked), f.CreateLongLived(f.ctx, expired))
		tests := []struct {
			name string
			id   string
			now  time.Time
		}{
			{"revoked", revoked.ID, t0.Add(time.Hour)},
			{"expired", expired.ID, expired.ExpiresAt},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clock.Set(tt.now)
				wantErr(t, "TouchLongLived", f.TouchLongLived(f.ctx, tt.id, tt.now, time.Minute), tokens.ErrConflict)
				f.clock.Set(t0)
				if got, err := f.GetLongLived(f.ctx, tt.id); err != nil || !got.LastUsedAt.IsZero() {
					t.Errorf("LastUsedAt = %v, %v; want never", got.LastUsedAt, err)
				}
			})
		}
	})
	t.Run("RevokeTwice", func(t *testing.T) {
		f := setup(t, newStore)
		lt, expiring := newLongLived("lt1", "user-1", t0), newLongLived("lt2", "user-1", t0)
		expiring.ExpiresAt = t0.Add(time.Hour)
		must(t, f.CreateLongLived(f.ctx, lt), f.CreateLongLived(f.ctx, expiring))
		at := t0.Add(time.Minute)
		tests := []struct {
			name string
			id   string
			now  time.Time
			want error
		}{
			{"active", lt.ID, t0, nil},
			{"already revoked", lt.ID, t0, tokens.ErrConflict},
			{"expired", expiring.ID, expiring.ExpiresAt, tokens.ErrNotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clock.Set(tt.now)
				wantErr(t, "RevokeLongLived", f.RevokeLongLived(f.ctx, tt.id, at), tt.want)
			})
		}
		f.clock.Set(t0)
		want := lt
		want.Status, want.RevokedAt = tokens.SessionRevoked, at
		if got, err := f.GetLongLived(f.ctx, lt.ID); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("GetLongLived after revoke = %+v, %v; want %+v", got, err, want)
		}
	})
}
