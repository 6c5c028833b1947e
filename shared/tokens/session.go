package tokens

import "time"

// Session statuses.
const (
	SessionActive  = "active"
	SessionRevoked = "revoked"
)

// Revocation reasons recorded on a session.
const (
	ReasonReuseDetected = "refresh_token_reuse_detected"
	ReasonRevoked       = "revoked"
	ReasonEvicted       = "evicted"
)

// Session is one grant of refresh-capable tokens to one client for one
// subject (DESIGN.md §3).
type Session struct {
	ID                string
	ClientID          string
	Subject           string
	Scopes            []string
	CreatedAt         time.Time
	AuthTime          time.Time
	AbsoluteExpiresAt time.Time
	IdleExpiresAt     time.Time
	LastUsedAt        time.Time
	// Generation is the generation of the current refresh token, from 1.
	Generation int
	// Salt is random per session and enters every refresh token's MAC.
	Salt []byte
	// RotatedAt is when the current generation replaced the previous one.
	RotatedAt time.Time
	// CurrentHash and PreviousHash are SHA-256 of the current and the
	// previous refresh token: enough to recognise them, useless to present.
	CurrentHash   []byte
	PreviousHash  []byte
	AccessJTI     string
	Status        string
	RevokedReason string
	RevokedAt     time.Time
	IP            string
	UserAgent     string
}

// ExpiresAt is when the session's refresh token stops working: the
// earlier of the absolute and the idle expiry.
func (s Session) ExpiresAt() time.Time {
	if !s.IdleExpiresAt.IsZero() && s.IdleExpiresAt.Before(s.AbsoluteExpiresAt) {
		return s.IdleExpiresAt
	}
	return s.AbsoluteExpiresAt
}

// Usable reports whether the session may be refreshed at now: it is
// active and now is before both expiries (DESIGN.md §3).
func (s Session) Usable(now time.Time) bool {
	return s.Status == SessionActive && now.Before(s.ExpiresAt())
}

// IdleExpiry returns the idle expiry a use at now sets:
// min(now + idle, absolute), or absolute when idle is 0 (no idle limit).
func IdleExpiry(now time.Time, idle time.Duration, absolute time.Time) time.Time {
	if idle <= 0 {
		return absolute
	}
	if t := now.Add(idle); t.Before(absolute) {
		return t
	}
	return absolute
}
