package tokens

import (
	"context"
	"time"
)

// User is a resource owner who signs in with a password.
type User struct {
	Username string
	// Subject is the stable id used as the tokens' sub claim.
	Subject      string
	PasswordHash string
	// Claims are the user's claims (OpenID Connect Core §5.1 and any
	// others, such as groups): JSON values, served by userinfo and copied
	// into tokens as the scopes and the client allow.
	Claims       map[string]any
	FailedLogins int
	LastFailedAt time.Time
	Disabled     bool
	CreatedAt    time.Time
}

// maxUsernameLen bounds usernames, in bytes.
const maxUsernameLen = 256

// Lockout policy: the first failures cost nothing, then each failure
// doubles a waiting period, and from lockoutFailures on the account is
// locked for lockoutPeriod after the last failure.
const (
	freeFailures    = 3
	lockoutFailures = 10
	lockoutPeriod   = 15 * time.Minute
)

// LockedUntil returns when the user may try again, or the zero time when
// the user is not locked.
func (u User) LockedUntil() time.Time {
	switch {
	case u.FailedLogins < freeFailures:
		return time.Time{}
	case u.FailedLogins >= lockoutFailures:
		return u.LastFailedAt.Add(lockoutPeriod)
	default:
		return u.LastFailedAt.Add(time.Second << (u.FailedLogins - freeFailures))
	}
}

// Locked reports whether the user may not sign in at now.
func (u User) Locked(now time.Time) bool { return now.Before(u.LockedUntil()) }

// getUser reads a user; a username no user can have is unknown without a read.
func (s *Service) getUser(ctx context.Context, username string) (User, error) {
	if len(username) > maxUsernameLen {
		return User{}, ErrNotFound
	}
	return s.store.GetUser(ctx, username)
}
