package memstore

import (
	"context"

	"github.com/latchkey/latchkey/shared/tokens"
)

// attemptKey names one window of one user's sign-in attempts from one
// source, as the DynamoDB store's key does (LOGINATTEMPT#<user>,
// <source>#<window end>).
type attemptKey struct {
	user, source string
	windowEnd    int64 // Unix nanoseconds
}

func keyOfAttempt(a tokens.LoginAttempt) attemptKey {
	return attemptKey{user: a.User, source: a.Source, windowEnd: a.WindowEnd.UnixNano()}
}

// ReserveLoginAttempt counts one attempt in a's window on condition that
// fewer than limit are counted there; when limit are, it counts nothing
// and returns the count and tokens.ErrConflict. Like the DynamoDB store's
// condition, it looks at the named window whatever the clock says.
func (s *Store) ReserveLoginAttempt(ctx context.Context, a tokens.LoginAttempt, limit int) (int, error) {
	const op = "ReserveLoginAttempt"
	if err := s.enter(ctx, op); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if s.attempts == nil {
		s.attempts = map[attemptKey]int{}
	}
	k := keyOfAttempt(a)
	if n := s.attempts[k]; n >= limit {
		return n, fail(op, tokens.ErrConflict)
	}
	s.attempts[k]++
	return s.attempts[k], nil
}

// ResetLoginAttempts sets the count of a's window to zero.
func (s *Store) ResetLoginAttempts(ctx context.Context, a tokens.LoginAttempt) error {
	const op = "ResetLoginAttempts"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.attempts[keyOfAttempt(a)]; ok {
		s.attempts[keyOfAttempt(a)] = 0
	}
	return nil
}

// UnlockLogin sets the count of every window of user that has not closed
// at the store's clock to zero and returns how many held attempts.
func (s *Store) UnlockLogin(ctx context.Context, user string) (int, error) {
	const op = "UnlockLogin"
	if err := s.enter(ctx, op); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	now, n := s.now().UnixNano(), 0
	for k, count := range s.attempts {
		if k.user == user && k.windowEnd > now && count > 0 {
			s.attempts[k] = 0
			n++
		}
	}
	return n, nil
}
