package memstore

import (
	"context"
	"maps"

	"github.com/latchkey/latchkey/shared/tokens"
)

// SetUserClaims replaces the user's claims and makes it findable by
// subject; tokens.ErrNotFound for an unknown username. Empty claims
// remove them.
func (s *Store) SetUserClaims(ctx context.Context, username string, claims map[string]any) (tokens.User, error) {
	const op = "SetUserClaims"
	if err := s.enter(ctx, op); err != nil {
		return tokens.User{}, err
	}
	defer s.mu.Unlock()
	u, ok := s.users[username]
	if !ok {
		return tokens.User{}, fail(op, tokens.ErrNotFound)
	}
	u.Claims = maps.Clone(claims)
	if len(u.Claims) == 0 {
		u.Claims = nil
	}
	s.users[username] = u
	if s.userSubjects == nil {
		s.userSubjects = map[string]string{}
	}
	s.userSubjects[u.Subject] = username
	return userRecord(u), nil
}

// GetUserBySubject returns the username, subject and claims of the user
// with subject; tokens.ErrNotFound when its claims were never set, as the
// DynamoDB store finds only users with a subject item.
func (s *Store) GetUserBySubject(ctx context.Context, subject string) (tokens.User, error) {
	const op = "GetUserBySubject"
	if err := s.enter(ctx, op); err != nil {
		return tokens.User{}, err
	}
	defer s.mu.Unlock()
	username, ok := s.userSubjects[subject]
	u, found := s.users[username]
	if !ok || !found || u.Subject != subject {
		return tokens.User{}, fail(op, tokens.ErrNotFound)
	}
	return tokens.User{Username: u.Username, Subject: u.Subject, Claims: maps.Clone(u.Claims)}, nil
}
