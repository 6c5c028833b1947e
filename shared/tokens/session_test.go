package tokens

import (
	"strings"
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

// The sign-in throttle's windows and sources (issue 11 §2): fixed
// 15-minute windows named by their end; an IPv4 address or an IPv6 /64
// is one source; usernames are keyed by HMAC, never written.
func TestLoginAttemptWindows(t *testing.T) {
	s := New(Options{IdentifierKey: []byte("k")})
	for _, tc := range []struct {
		at   time.Duration
		want time.Duration // the window's end, after t0
	}{
		{0, 15 * time.Minute},
		{14*time.Minute + 59*time.Second, 15 * time.Minute},
		{15 * time.Minute, 30 * time.Minute},
		{16 * time.Minute, 30 * time.Minute},
	} {
		if got := s.loginAttempt("alice", "", t0.Add(tc.at)).WindowEnd; !got.Equal(t0.Add(tc.want)) {
			t.Errorf("window at t0+%v ends %v; want t0+%v", tc.at, got, tc.want)
		}
	}
	for _, tc := range []struct{ ip, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"", ""},
		{"not an address", ""},
	} {
		if got := attemptSource(tc.ip); got != tc.want {
			t.Errorf("attemptSource(%q) = %q; want %q", tc.ip, got, tc.want)
		}
	}
	a, b := s.loginAttempt("alice", "", t0), New(Options{IdentifierKey: []byte("other")}).loginAttempt("alice", "", t0)
	if a.User == b.User || strings.Contains(a.User, "alice") || len(a.User) != 64 {
		t.Errorf("user keys %q and %q; want 64 hex digits that depend on the key and hide the name", a.User, b.User)
	}
}
