package tokens

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Sign-in throttling (issue 11 §2). Attempts are counted per user and
// source (the caller's IPv4 address, or its IPv6 /64) in fixed windows:
// at most signInLimit attempts per window. An attempt is reserved with one
// conditional write before the password is hashed, so a burst of
// concurrent guesses gets no more hashing than a slow one, and a right
// password beyond the limit is refused like a wrong one.
//
// Counting per source bounds what one attacker can do to a victim: its
// guesses lock out its own source only, never the owner signing in from
// elsewhere, and `latchkey user unlock` clears every source's count. A
// distributed attacker gets signInLimit guesses per source per window;
// fixed windows allow at most twice that across a window boundary.
const (
	signInLimit  = 10
	signInWindow = 15 * time.Minute
)

// LoginAttempt names the window in which one user's sign-in attempts from
// one source are counted.
type LoginAttempt struct {
	// User is the HMAC of the username under the identifier key, in hex:
	// the table never holds what was typed into the username field, which
	// is sometimes a password.
	User string
	// Source is the caller's IPv4 address or IPv6 /64 prefix, or "" when
	// the caller is unknown.
	Source string
	// WindowEnd is when the window closes; its count lapses then (its ttl).
	WindowEnd time.Time
}

// loginAttempt returns the attempt window of username from source at now.
func (s *Service) loginAttempt(username, source string, now time.Time) LoginAttempt {
	end := now.Truncate(signInWindow).Add(signInWindow)
	return LoginAttempt{User: s.loginUserKey(username), Source: attemptSource(source), WindowEnd: end.UTC()}
}

// loginUserKey is the key a user's attempts are counted under.
func (s *Service) loginUserKey(username string) string {
	m := hmac.New(sha256.New, s.identKey)
	m.Write([]byte("login attempts\x00" + username))
	return hex.EncodeToString(m.Sum(nil))
}

// attemptSource reduces a caller's address to what one attacker controls:
// an IPv4 address, or the /64 of an IPv6 address (one host commonly holds
// a whole /64). Anything else counts as one unknown source.
func attemptSource(ip string) string {
	a, err := netip.ParseAddr(ip)
	switch {
	case err != nil:
		return ""
	case a.Is4() || a.Is4In6():
		return a.Unmap().String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// checkPassword is the one password check: the password grant and the
// login page both call it, so both have its throttling and give away
// nothing (issue 11 §2, §3). Every failure, whether the user is unknown,
// the password wrong, the source locked out or the user disabled, costs
// the same: one conditional write (the reservation), one read (the
// user), one argon2id hash, and the same answer. Only the right password
// costs one more write, which gives the attempt back. The check holds one
// of the bounded hashing slots throughout (hashslots.go).
func (s *Service) checkPassword(ctx context.Context, c Client, username, password, source string) (User, error) {
	release, err := s.hashSlots.acquire(ctx)
	if err != nil {
		return User{}, err
	}
	defer release()
	name, possible := canonicalUsername(username)
	if !possible {
		name = "" // no user has it: read as unknown, at the same cost
	}
	a := s.loginAttempt(name, source, s.now())
	count, err := s.store.ReserveLoginAttempt(ctx, a, signInLimit)
	locked := errors.Is(err, ErrConflict)
	if err != nil && !locked {
		return User{}, storeError(err)
	}
	u, err := s.store.GetUser(ctx, name)
	known := err == nil
	if err != nil && !notFound(err) {
		return User{}, storeError(err)
	}
	hash := s.dummyHash()
	if known && !locked {
		hash = u.PasswordHash
	}
	ok, err := s.passwords.Verify(hash, password)
	if err != nil {
		return User{}, oauth.ServerError(err)
	}
	return s.judgeSignIn(ctx, c, a, signIn{user: u, known: known, locked: locked, ok: ok, count: count, typed: username})
}

// signIn is what checkPassword found.
type signIn struct {
	user              User
	known, locked, ok bool
	count             int
	typed             string
}

// judgeSignIn answers a checked sign-in. A right password gives its
// attempt back, a disabled user's included: knowing the password is no
// failure (issue 11 §5).
func (s *Service) judgeSignIn(ctx context.Context, c Client, a LoginAttempt, in signIn) (User, error) {
	switch {
	case in.locked:
		return User{}, s.loginFailed(ctx, c, in, "locked")
	case !in.known:
		return User{}, s.loginFailed(ctx, c, in, "unknown_user")
	case !in.ok:
		if in.count >= signInLimit {
			s.audit(ctx, slog.LevelWarn, "account_locked", slog.String("client_id", c.ID), slog.String("sub", in.user.Subject),
				slog.String("source", a.Source), slog.Int("failures", in.count), slog.Time("locked_until", a.WindowEnd))
		}
		return User{}, s.loginFailed(ctx, c, in, "wrong_password")
	}
	if err := s.store.ResetLoginAttempts(ctx, a); err != nil {
		return User{}, storeError(err)
	}
	if in.user.Disabled {
		return User{}, s.loginFailed(ctx, c, in, "user_disabled")
	}
	return in.user, nil
}

// loginFailed logs a failed sign-in and returns its one answer. A known
// user is named by subject; what was typed is never logged, not even as
// a plain hash (it may be a password typed into the wrong field).
func (s *Service) loginFailed(ctx context.Context, c Client, in signIn, reason string) error {
	attr := slog.String("sub", in.user.Subject)
	if !in.known {
		attr = slog.String("username_hash", s.logID(in.typed))
	}
	s.audit(ctx, slog.LevelWarn, "login_failed", slog.String("client_id", c.ID), attr, slog.String("outcome", reason))
	return oauth.InvalidGrant(badCredentials)
}

// dummyHash returns a valid hash of a random password, made once from the
// configured hasher: an unknown username and a locked-out source are
// verified against it, so they cost the same time as a wrong password.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = s.passwords.Hash(NewID())
	})
	return s.dummy
}

// logID names an identifier that must not be logged as itself: an unknown
// client id or username, which is sometimes a secret or a password typed
// into the wrong field (issue 11 §6). It is the first 16 bytes of an
// HMAC-SHA256 under the identifier key, in hex: stable, so one caller's
// attempts can be followed through the logs, and no dictionary undoes it
// without the key, as one did the plain SHA-256 this replaced.
func (s *Service) logID(v string) string {
	m := hmac.New(sha256.New, s.identKey)
	m.Write([]byte("log\x00" + v))
	return hex.EncodeToString(m.Sum(nil)[:16])
}
