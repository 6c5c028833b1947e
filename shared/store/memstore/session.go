package memstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// sessionRecord is s as the DynamoDB store keeps it.
func sessionRecord(s tokens.Session) tokens.Session {
	s.Scopes, s.Audience, s.Claims = slices.Clone(s.Scopes), slices.Clone(s.Audience), maps.Clone(s.Claims)
	s.Act = s.Act.Clone()
	s.Salt, s.CurrentHash, s.PreviousHash = nilIfEmpty(s.Salt), nilIfEmpty(s.CurrentHash), nilIfEmpty(s.PreviousHash)
	for _, t := range []*time.Time{
		&s.CreatedAt, &s.AuthTime, &s.AbsoluteExpiresAt, &s.IdleExpiresAt,
		&s.LastUsedAt, &s.RotatedAt, &s.RevokedAt,
	} {
		*t = utc(*t)
	}
	return s
}

// sessionAt returns the session with id unless it is missing or its
// absolute expiry (its ttl) is not after now.
func (s *Store) sessionAt(id string, now time.Time) (tokens.Session, bool) {
	sess, ok := s.sessions[id]
	if !ok || !sess.AbsoluteExpiresAt.After(now) {
		return tokens.Session{}, false
	}
	return sess, true
}

// CreateSession stores sess; tokens.ErrAlreadyExists if the id is taken by
// another session, expired or not. A session must have an absolute expiry.
func (s *Store) CreateSession(ctx context.Context, sess tokens.Session) error {
	const op = "CreateSession"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.createSession(op, sess)
}

func (s *Store) createSession(op string, sess tokens.Session) error {
	if sess.AbsoluteExpiresAt.IsZero() {
		return fail(op, errors.New("no absolute expiry"))
	}
	return putNew(s.sessions, op, sess.ID, sessionRecord(sess))
}

// GetSession returns the session, or tokens.ErrNotFound when it is unknown
// or its absolute expiry is not after the store's clock.
func (s *Store) GetSession(ctx context.Context, id string) (tokens.Session, error) {
	const op = "GetSession"
	if err := s.enter(ctx, op); err != nil {
		return tokens.Session{}, err
	}
	defer s.mu.Unlock()
	sess, ok := s.sessionAt(id, s.now())
	if !ok {
		return tokens.Session{}, fail(op, tokens.ErrNotFound)
	}
	return sessionRecord(sess), nil
}

// UpdateSession writes the mutable fields of sess on condition that the
// stored session is present, active and of generation expectGeneration,
// and returns the session as written. When the condition fails it returns
// the session as stored and tokens.ErrConflict, or tokens.ErrNotFound if
// the session is missing or expired. Idle expiry is not part of the
// condition: the core decides it.
func (s *Store) UpdateSession(ctx context.Context, sess tokens.Session, expectGeneration int) (tokens.Session, error) {
	const op = "UpdateSession"
	if err := s.enter(ctx, op); err != nil {
		return tokens.Session{}, err
	}
	defer s.mu.Unlock()
	stored, ok := s.sessionAt(sess.ID, s.now())
	switch {
	case !ok:
		return tokens.Session{}, fail(op, tokens.ErrNotFound)
	case stored.Status != tokens.SessionActive || stored.Generation != expectGeneration:
		return sessionRecord(stored), fail(op, tokens.ErrConflict)
	}
	next := sessionRecord(sess)
	stored.Generation = next.Generation
	stored.PreviousHash, stored.CurrentHash = next.PreviousHash, next.CurrentHash
	stored.RotatedAt, stored.IdleExpiresAt, stored.LastUsedAt = next.RotatedAt, next.IdleExpiresAt, next.LastUsedAt
	stored.AccessJTI, stored.IP, stored.UserAgent = next.AccessJTI, next.IP, next.UserAgent
	s.sessions[sess.ID] = stored
	return sessionRecord(stored), nil
}

// RevokeSession marks a present, active session revoked for reason at at.
// An already revoked session gives tokens.ErrConflict; a missing or
// expired one tokens.ErrNotFound.
func (s *Store) RevokeSession(ctx context.Context, id, reason string, at time.Time) error {
	const op = "RevokeSession"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.revokeSession(op, id, reason, at)
}

func (s *Store) revokeSession(op, id, reason string, at time.Time) error {
	sess, ok := s.sessionAt(id, s.now())
	switch {
	case !ok:
		return fail(op, tokens.ErrNotFound)
	case sess.Status != tokens.SessionActive:
		return fail(op, tokens.ErrConflict)
	}
	s.sessions[id] = revoked(sess, reason, at)
	return nil
}

// revoked is sess revoked for reason at at.
func revoked(sess tokens.Session, reason string, at time.Time) tokens.Session {
	sess.Status, sess.RevokedReason, sess.RevokedAt = tokens.SessionRevoked, reason, utc(at)
	return sess
}
