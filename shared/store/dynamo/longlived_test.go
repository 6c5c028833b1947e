package dynamo_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

func TestLongLivedRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	never := newLongLived("never", "user-1", t0)
	never.ExpiresAt = time.Time{}
	used := newLongLived("used", "user-1", t0)
	used.LastUsedAt = t0.Add(time.Hour)
	tests := []struct {
		name    string
		token   tokens.LongLivedToken
		wantTTL string // "" : no ttl attribute
	}{
		{"expires", newLongLived("lt1", "user-1", t0), strconv.FormatInt(t0.AddDate(1, 0, 0).Unix()+1, 10)},
		{"never expires", never, ""},
		{"used before", used, strconv.FormatInt(t0.AddDate(1, 0, 0).Unix()+1, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.CreateLongLived(ctx, tt.token); err != nil {
				t.Fatalf("CreateLongLived = %v", err)
			}
			got, err := f.GetLongLived(ctx, tt.token.ID)
			if err != nil {
				t.Fatalf("GetLongLived = %v", err)
			}
			if !reflect.DeepEqual(got, tt.token) {
				t.Errorf("GetLongLived = %+v; want %+v", got, tt.token)
			}
			item := f.raw(t, "LT#"+tt.token.ID)
			ttl, hasTTL := item["ttl"].(*types.AttributeValueMemberN)
			switch {
			case tt.wantTTL == "" && item["ttl"] != nil:
				t.Errorf("ttl = %#v; want none for a token that never expires", item["ttl"])
			case tt.wantTTL != "" && (!hasTTL || ttl.Value != tt.wantTTL):
				t.Errorf("ttl = %#v; want N %s", item["ttl"], tt.wantTTL)
			}
			wantS := map[string]string{
				"type": "long_lived", "GSI1PK": "SUB#user-1",
				"GSI1SK": "2031-05-06T07:08:09.123456789Z#" + tt.token.ID,
			}
			for name, want := range wantS {
				if got, ok := item[name].(*types.AttributeValueMemberS); !ok || got.Value != want {
					t.Errorf("attribute %s = %#v; want S %q", name, item[name], want)
				}
			}
		})
	}
}

func TestLongLivedErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lt := newLongLived("lt1", "user-1", t0)
	if err := f.CreateLongLived(ctx, lt); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"create taken id", func() error { other := lt; other.Name = "another"; return f.CreateLongLived(ctx, other) }, tokens.ErrAlreadyExists},
		{"get unknown", func() error { _, err := f.GetLongLived(ctx, "nope"); return err }, tokens.ErrNotFound},
		{"revoke unknown", func() error { return f.RevokeLongLived(ctx, "nope", t0) }, tokens.ErrNotFound},
		{"touch unknown", func() error { return f.TouchLongLived(ctx, "nope", t0, time.Minute) }, tokens.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
	if item := f.raw(t, "LT#nope"); len(item) != 0 {
		t.Errorf("writes to an unknown id created %v", item)
	}
}

// TestTouchLongLived: at most one write per interval; a refused touch
// leaves last_used_at as it was.
func TestTouchLongLived(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lt := newLongLived("lt1", "user-1", t0)
	if err := f.CreateLongLived(ctx, lt); err != nil {
		t.Fatal(err)
	}
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
			f.env.Counter.Reset()
			if err := f.TouchLongLived(ctx, lt.ID, tt.at, time.Minute); !errors.Is(err, tt.want) {
				t.Errorf("TouchLongLived(%v) = %v; want %v", tt.at, err, tt.want)
			}
			if w := f.env.Counter.Writes(); w != 1 {
				t.Errorf("TouchLongLived sent %d writes (%v); want 1", w, f.env.Counter.Ops())
			}
			got, err := f.GetLongLived(ctx, lt.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.LastUsedAt.Equal(tt.wantUsed) {
				t.Errorf("LastUsedAt = %v; want %v", got.LastUsedAt, tt.wantUsed)
			}
		})
	}
}

func TestTouchLongLivedRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	revoked, expired := newLongLived("revoked", "user-1", t0), newLongLived("expired", "user-1", t0)
	revoked.Status = tokens.SessionRevoked
	for _, lt := range []tokens.LongLivedToken{revoked, expired} {
		if err := f.CreateLongLived(ctx, lt); err != nil {
			t.Fatal(err)
		}
	}
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
			if err := f.TouchLongLived(ctx, tt.id, tt.now, time.Minute); !errors.Is(err, tokens.ErrConflict) {
				t.Errorf("TouchLongLived = %v; want ErrConflict", err)
			}
			if used := f.raw(t, "LT#"+tt.id)["last_used_at"]; used != nil {
				t.Errorf("last_used_at = %#v; want none", used)
			}
		})
	}
}

func TestRevokeLongLived(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lt, expiring := newLongLived("lt1", "user-1", t0), newLongLived("lt2", "user-1", t0)
	expiring.ExpiresAt = t0.Add(time.Hour)
	for _, tok := range []tokens.LongLivedToken{lt, expiring} {
		if err := f.CreateLongLived(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
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
			if err := f.RevokeLongLived(ctx, tt.id, at); !errors.Is(err, tt.want) {
				t.Errorf("RevokeLongLived = %v; want %v", err, tt.want)
			}
		})
	}
	f.clock.Set(t0)
	got, err := f.GetLongLived(ctx, lt.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := lt
	want.Status, want.RevokedAt = tokens.SessionRevoked, at
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetLongLived after revoke = %+v; want %+v", got, want)
	}
}
