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
	n, err := s.store.UnlockLogin(ctx, s.loginUserKey(username))
	if err != nil {
		return 0, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "user_unlocked", slog.Int("windows", n), slog.String("outcome", "ok"))
	return n, nil
}
