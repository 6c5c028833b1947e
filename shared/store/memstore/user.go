package memstore

import (
	"context"
	"maps"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// userRecord is u as the DynamoDB store keeps it.
func userRecord(u tokens.User) tokens.User {
	u.Claims = maps.Clone(u.Claims)
	u.LastFailedAt, u.CreatedAt = utc(u.LastFailedAt), utc(u.CreatedAt)
	return u
}

// CreateUser stores u; tokens.ErrAlreadyExists if the username is taken
// by another user.
func (s *Store) CreateUser(ctx context.Context, u tokens.User) error {
	const op = "CreateUser"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return putNew(s.users, op, u.Username, userRecord(u))
}

// GetUser returns the user, or tokens.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, username string) (tokens.User, error) {
	const op = "GetUser"
	if err := s.enter(ctx, op); err != nil {
		return tokens.User{}, err
	}
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return tokens.User{}, fail(op, tokens.ErrNotFound)
	}
	return userRecord(u), nil
}

// RecordLoginFailure adds one to the user's failure count and sets
// LastFailedAt to at, atomically; it returns the updated user, or
// tokens.ErrNotFound for an unknown username.
func (s *Store) RecordLoginFailure(ctx context.Context, username string, at time.Time) (tokens.User, error) {
	const op = "RecordLoginFailure"
	if err := s.enter(ctx, op); err != nil {
		return tokens.User{}, err
	}
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return tokens.User{}, fail(op, tokens.ErrNotFound)
	}
	u.FailedLogins++
	u.LastFailedAt = utc(at)
	s.users[username] = u
	return userRecord(u), nil
}

// ResetLoginFailures sets the user's failure count to zero and leaves
// LastFailedAt as it is; tokens.ErrNotFound for an unknown username.
func (s *Store) ResetLoginFailures(ctx context.Context, username string) error {
	const op = "ResetLoginFailures"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return fail(op, tokens.ErrNotFound)
	}
	u.FailedLogins = 0
	s.users[username] = u
	return nil
}
