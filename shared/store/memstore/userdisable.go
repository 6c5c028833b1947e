package memstore

import (
	"context"

	"github.com/latchkey/latchkey/shared/tokens"
)

// SetUserDisabled sets the user's disabled flag and returns the user as
// updated, or tokens.ErrNotFound for an unknown username.
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) (tokens.User, error) {
	const op = "SetUserDisabled"
	if err := s.enter(ctx, op); err != nil {
		return tokens.User{}, err
	}
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return tokens.User{}, fail(op, tokens.ErrNotFound)
	}
	u.Disabled = disabled
	s.users[username] = u
	return userRecord(u), nil
}
