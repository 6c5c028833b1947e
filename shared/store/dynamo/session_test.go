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

func TestSessionRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	minimal := tokens.Session{
		ID: "min", ClientID: "app", Subject: "s", Generation: 1,
		Status: tokens.SessionActive, AbsoluteExpiresAt: t0.Add(time.Hour),
	}
	tests := []struct {
		name    string
		session tokens.Session
	}{
		{"every field", newSession("full")},
		{"minimal", minimal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.CreateSession(ctx, tt.session); err != nil {
				t.Fatalf("CreateSession = %v", err)
			}
			got, err := f.GetSession(ctx, tt.session.ID)
			if err != nil {
				t.Fatalf("GetSession = %v", err)
			}
			if !reflect.DeepEqual(got, tt.session) {
				t.Errorf("GetSession = %+v; want %+v", got, tt.session)
			}
		})
	}
}

func TestSessionErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	noExpiry := newSession("s2")
	noExpiry.AbsoluteExpiresAt = time.Time{}
	tests := []struct {
		name string
		call func() error
		want error // nil: any error that is not a sentinel
	}{
		{"create taken id", func() error { other := s; other.Subject = "someone-else"; return f.CreateSession(ctx, other) }, tokens.ErrAlreadyExists},
		{"get unknown", func() error { _, err := f.GetSession(ctx, "nope"); return err }, tokens.ErrNotFound},
		{"update unknown", func() error {
			_, err := f.UpdateSession(ctx, rotated(newSession("nope"), t0), 1)
			return err
		}, tokens.ErrNotFound},
		{"revoke unknown", func() error { return f.RevokeSession(ctx, "nope", tokens.ReasonRevoked, t0) }, tokens.ErrNotFound},
		{"create without absolute expiry", func() error { return f.CreateSession(ctx, noExpiry) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.want == nil && (err == nil || isSentinel(err)) {
				t.Errorf("err = %v; want a plain error", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v; want %v", err, tt.want)
			}
		})
	}
}

func isSentinel(err error) bool {
	return errors.Is(err, tokens.ErrNotFound) || errors.Is(err, tokens.ErrConflict) || errors.Is(err, tokens.ErrAlreadyExists)
}

func TestSessionIndexAndTTLAttributes(t *testing.T) {
	f := newFixture(t)
	s := newSession("sid-1")
	if err := f.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	item := f.raw(t, "SESSION#sid-1")
	wantS := map[string]string{
		"GSI1PK": "SUB#user-1",
		"GSI1SK": "2031-05-06T07:08:09.123456789Z#sid-1",
	}
	for name, want := range wantS {
		if got, ok := item[name].(*types.AttributeValueMemberS); !ok || got.Value != want {
			t.Errorf("attribute %s = %#v; want S %q", name, item[name], want)
		}
	}
	// ttl is a Number of epoch seconds (rounded up), never a string or millis.
	wantTTL := s.AbsoluteExpiresAt.Unix() + 1
	got, ok := item["ttl"].(*types.AttributeValueMemberN)
	if !ok {
		t.Fatalf("ttl = %#v; want a Number", item["ttl"])
	}
	if got.Value != strconv.FormatInt(wantTTL, 10) {
		t.Errorf("ttl = %s; want %d (epoch seconds)", got.Value, wantTTL)
	}
}

func TestUpdateSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	next := rotated(s, t0.Add(time.Minute))
	next.PreviousHash = nil // a removed field must be removed, not kept
	next.IP, next.UserAgent = "198.51.100.7", ""
	// Fields outside the port's list must not be written.
	attempt := next
	attempt.Subject, attempt.Scopes, attempt.Status = "mallory", []string{"admin"}, tokens.SessionRevoked
	got, err := f.UpdateSession(ctx, attempt, 1)
	if err != nil {
		t.Fatalf("UpdateSession = %v", err)
	}
	if !reflect.DeepEqual(got, next) {
		t.Errorf("UpdateSession = %+v; want %+v", got, next)
	}
	stored, err := f.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, next) {
		t.Errorf("GetSession after update = %+v; want %+v", stored, next)
	}
}

func TestUpdateSessionConflictReturnsCurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	winner := rotated(s, t0.Add(time.Minute))
	if _, err := f.UpdateSession(ctx, winner, 1); err != nil {
		t.Fatal(err)
	}
	loser := rotated(s, t0.Add(2*time.Minute))
	got, err := f.UpdateSession(ctx, loser, 1)
	if !errors.Is(err, tokens.ErrConflict) {
		t.Fatalf("UpdateSession with a stale generation = %v; want ErrConflict", err)
	}
	if !reflect.DeepEqual(got, winner) {
		t.Errorf("UpdateSession conflict returned %+v; want the stored session %+v", got, winner)
	}
}

func TestRevokeSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Hour)
	tests := []struct {
		name string
		want error
	}{
		{"active session", nil},
		{"already revoked", tokens.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.RevokeSession(ctx, s.ID, tokens.ReasonReuseDetected, at)
			if !errors.Is(err, tt.want) {
				t.Errorf("RevokeSession = %v; want %v", err, tt.want)
			}
		})
	}
	got, err := f.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := s
	want.Status, want.RevokedReason, want.RevokedAt = tokens.SessionRevoked, tokens.ReasonReuseDetected, at
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetSession after revoke = %+v; want %+v", got, want)
	}
}

func TestUpdateRevokedSessionConflicts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	s := newSession("s1")
	if err := f.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := f.RevokeSession(ctx, s.ID, tokens.ReasonRevoked, t0); err != nil {
		t.Fatal(err)
	}
	got, err := f.UpdateSession(ctx, rotated(s, t0), s.Generation)
	if !errors.Is(err, tokens.ErrConflict) {
		t.Fatalf("UpdateSession of a revoked session = %v; want ErrConflict", err)
	}
	if got.Status != tokens.SessionRevoked || got.Generation != s.Generation {
		t.Errorf("UpdateSession conflict returned status %q generation %d; want %q %d",
			got.Status, got.Generation, tokens.SessionRevoked, s.Generation)
	}
}
