package memstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// longLivedRecord is t as the DynamoDB store keeps it.
func longLivedRecord(t tokens.LongLivedToken) tokens.LongLivedToken {
	t.Hash, t.Scopes, t.Audience = nilIfEmpty(t.Hash), slices.Clone(t.Scopes), slices.Clone(t.Audience)
	t.CreatedAt, t.ExpiresAt = utc(t.CreatedAt), utc(t.ExpiresAt)
	t.LastUsedAt, t.RevokedAt = utc(t.LastUsedAt), utc(t.RevokedAt)
	return t
}

// expiredAt reports whether t has an expiry that is not after now.
func expiredAt(t tokens.LongLivedToken, now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(now)
}

// longLivedAt returns the token with id unless it is missing or has
// expired at now.
func (s *Store) longLivedAt(id string, now time.Time) (tokens.LongLivedToken, bool) {
	t, ok := s.longLived[id]
	if !ok || expiredAt(t, now) {
		return tokens.LongLivedToken{}, false
	}
	return t, true
}

// CreateLongLived stores t; tokens.ErrAlreadyExists if the id is taken by
// another token. A zero ExpiresAt never expires.
func (s *Store) CreateLongLived(ctx context.Context, t tokens.LongLivedToken) error {
	const op = "CreateLongLived"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if t.ID == "" {
		return fail(op, errors.New("no id"))
	}
	return putNew(s.longLived, op, t.ID, longLivedRecord(t))
}

// GetLongLived returns the token, or tokens.ErrNotFound when it is unknown
// or has expired at the store's clock.
func (s *Store) GetLongLived(ctx context.Context, id string) (tokens.LongLivedToken, error) {
	const op = "GetLongLived"
	if err := s.enter(ctx, op); err != nil {
		return tokens.LongLivedToken{}, err
	}
	defer s.mu.Unlock()
	t, ok := s.longLivedAt(id, s.now())
	if !ok {
		return tokens.LongLivedToken{}, fail(op, tokens.ErrNotFound)
	}
	return longLivedRecord(t), nil
}

// TouchLongLived sets LastUsedAt to at if the token is present and active
// and was last used before at-minInterval, or never. Any other case,
// an unknown id included, is tokens.ErrConflict.
func (s *Store) TouchLongLived(ctx context.Context, id string, at time.Time, minInterval time.Duration) error {
	const op = "TouchLongLived"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := s.longLivedAt(id, s.now())
	threshold := at.Add(-minInterval)
	if !ok || t.Status != tokens.SessionActive || !(t.LastUsedAt.IsZero() || t.LastUsedAt.Before(threshold)) {
		return fail(op, tokens.ErrConflict)
	}
	t.LastUsedAt = utc(at)
	s.longLived[id] = t
	return nil
}

// RevokeLongLived marks a present, active token revoked at at: an already
// revoked one is tokens.ErrConflict, a missing or expired one
// tokens.ErrNotFound.
func (s *Store) RevokeLongLived(ctx context.Context, id string, at time.Time) error {
	const op = "RevokeLongLived"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := s.longLivedAt(id, s.now())
	switch {
	case !ok:
		return fail(op, tokens.ErrNotFound)
	case t.Status != tokens.SessionActive:
		return fail(op, tokens.ErrConflict)
	}
	t.Status, t.RevokedAt = tokens.SessionRevoked, utc(at)
	s.longLived[id] = t
	return nil
}
