package tokens

import (
	"context"
	"log/slog"
)

// UnlockUser clears the sign-in throttle of a user for every source, so
// that a user an attacker locked out can sign in again at once (issue 11
// §2). It returns how many windows held attempts; an unknown username
// unlocks nothing and is no error, as the throttle counts names, not users.
func (s *Service) UnlockUser(ctx context.Context, username string) (int, error) {
	name, ok := canonicalUsername(username)
	if !ok {
		return 0, nil
	}
	n, err := s.store.UnlockLogin(ctx, s.loginUserKey(name))
	if err != nil {
		return 0, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "user_unlocked", slog.Int("windows", n), slog.String("outcome", "ok"))
	return n, nil
}

// ReasonUserDisabled is the revocation reason of the sessions of a user
// an operator disabled.
const ReasonUserDisabled = "user_disabled"

// DisableUser stops a user at once (issue 11 §5): the password no longer
// signs it in, and every session and long-lived token of its subject is
// revoked, so refreshes answer invalid_grant and introspection inactive
// from this moment. Access tokens issued without a session (the password
// grant without offline_access) are not recorded anywhere and live until
// they expire, as a JWT does for a resource server that verifies offline.
// It returns how many sessions and tokens it revoked.
func (s *Service) DisableUser(ctx context.Context, username string) (int, error) {
	u, err := s.setUserDisabled(ctx, username, true)
	if err != nil {
		return 0, adminStoreError(err, "user")
	}
	n, err := s.signOut(ctx, u.Subject, ReasonUserDisabled, true)
	if err != nil {
		return n, err
	}
	s.audit(ctx, slog.LevelInfo, "user_disabled", slog.String("sub", u.Subject), slog.Int("revoked", n), slog.String("outcome", "ok"))
	return n, nil
}

// EnableUser lets a disabled user sign in again. What DisableUser revoked
// stays revoked.
func (s *Service) EnableUser(ctx context.Context, username string) error {
	u, err := s.setUserDisabled(ctx, username, false)
	if err != nil {
		return adminStoreError(err, "user")
	}
	s.audit(ctx, slog.LevelInfo, "user_enabled", slog.String("sub", u.Subject), slog.String("outcome", "ok"))
	return nil
}

// setUserDisabled sets the disabled flag of the user a username names, in
// its canonical form; a username no user can have is not found.
func (s *Service) setUserDisabled(ctx context.Context, username string, disabled bool) (User, error) {
	name, ok := canonicalUsername(username)
	if !ok {
		return User{}, ErrNotFound
	}
	return s.store.SetUserDisabled(ctx, name, disabled)
}
