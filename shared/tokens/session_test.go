package tokens

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestIdleExpiry(t *testing.T) {
	abs := t0.Add(10 * time.Hour)
	for _, tc := range []struct {
		name string
		now  time.Time
		idle time.Duration
		want time.Time
	}{
		{"slides", t0, 2 * time.Hour, t0.Add(2 * time.Hour)},
		{"capped at absolute", t0.Add(9 * time.Hour), 2 * time.Hour, abs},
		{"no idle limit", t0, 0, abs},
	} {
		if got := IdleExpiry(tc.now, tc.idle, abs); !got.Equal(tc.want) {
			t.Errorf("%s: IdleExpiry() = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestSessionUsable(t *testing.T) {
	s := Session{Status: SessionActive, AbsoluteExpiresAt: t0.Add(10 * time.Hour), IdleExpiresAt: t0.Add(time.Hour)}
	for _, tc := range []struct {
		name string
		s    Session
		now  time.Time
		want bool
	}{
		{"fresh", s, t0, true},
		{"just before idle", s, t0.Add(time.Hour - time.Nanosecond), true},
		{"at idle", s, t0.Add(time.Hour), false},
		{"revoked", Session{Status: SessionRevoked, AbsoluteExpiresAt: s.AbsoluteExpiresAt}, t0, false},
		{"at absolute, no idle", Session{Status: SessionActive, AbsoluteExpiresAt: t0}, t0, false},
	} {
		if got := tc.s.Usable(tc.now); got != tc.want {
			t.Errorf("%s: Usable() = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestUserLockout(t *testing.T) {
	for _, tc := range []struct {
		failures int
		after    time.Duration
		want     bool
	}{
		{2, 0, false},
		{3, 0, true},
		{3, time.Second, false},
		{5, 3 * time.Second, true},
		{5, 4 * time.Second, false},
		{10, 14 * time.Minute, true},
		{10, 15 * time.Minute, false},
		{50, 14 * time.Minute, true},
	} {
		u := User{FailedLogins: tc.failures, LastFailedAt: t0}
		if got := u.Locked(t0.Add(tc.after)); got != tc.want {
			t.Errorf("%d failures, %v later: Locked() = %v; want %v", tc.failures, tc.after, got, tc.want)
		}
	}
}
