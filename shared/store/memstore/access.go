package memstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// referenceRecord is t as the DynamoDB store keeps it.
func referenceRecord(t tokens.ReferenceToken) tokens.ReferenceToken {
	t.Hash = nilIfEmpty(t.Hash)
	t.Scopes, t.Audience = slices.Clone(t.Scopes), slices.Clone(t.Audience)
	t.Act = t.Act.Clone()
	t.AuthTime, t.IssuedAt, t.ExpiresAt = utc(t.AuthTime), utc(t.IssuedAt), utc(t.ExpiresAt)
	return t
}

// referenceAt returns the reference token with hash unless it is missing
// or has expired at now.
func (s *Store) referenceAt(hash []byte, now time.Time) (tokens.ReferenceToken, bool) {
	t, ok := s.refs[string(hash)]
	if !ok || !t.ExpiresAt.After(now) {
		return tokens.ReferenceToken{}, false
	}
	return t, true
}

// CreateReferenceToken stores t under its hash; tokens.ErrAlreadyExists if
// the hash is taken by another token. t must have a hash and an expiry.
func (s *Store) CreateReferenceToken(ctx context.Context, t tokens.ReferenceToken) error {
	const op = "CreateReferenceToken"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	switch {
	case len(t.Hash) == 0:
		return fail(op, errors.New("no hash"))
	case t.ExpiresAt.IsZero():
		return fail(op, errors.New("no expiry"))
	}
	return putNew(s.refs, op, string(t.Hash), referenceRecord(t))
}

// RevokeReferenceToken marks the token revoked if it is present and
// clientID issued it; otherwise tokens.ErrNotFound, whatever the cause.
// Revoking a revoked token again succeeds.
func (s *Store) RevokeReferenceToken(ctx context.Context, hash []byte, clientID string) error {
	const op = "RevokeReferenceToken"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	t, ok := s.referenceAt(hash, s.now())
	if !ok || t.ClientID != clientID {
		return fail(op, tokens.ErrNotFound)
	}
	t.Revoked = true
	s.refs[string(hash)] = t
	return nil
}

// RevokeJTI denies the JWT id until exp. Like the DynamoDB store's
// unconditional put, the last call's exp replaces an earlier one.
func (s *Store) RevokeJTI(ctx context.Context, jti string, exp time.Time) error {
	const op = "RevokeJTI"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	switch {
	case jti == "":
		return fail(op, errors.New("no jti"))
	case exp.IsZero():
		return fail(op, errors.New("no expiry"))
	}
	s.jtis[jti] = utc(exp)
	return nil
}

// AccessState reads everything q names at once. Items that are missing or
// have expired at the store's clock are absent; a session is returned
// whatever its status.
func (s *Store) AccessState(ctx context.Context, q tokens.AccessStateQuery) (tokens.AccessState, error) {
	if err := s.enter(ctx, "AccessState"); err != nil {
		return tokens.AccessState{}, err
	}
	defer s.mu.Unlock()
	now := s.now()
	var st tokens.AccessState
	if exp, ok := s.jtis[q.JTI]; ok && q.JTI != "" {
		st.JTIRevoked = exp.After(now)
	}
	if t, ok := s.referenceAt(q.ReferenceHash, now); ok && len(q.ReferenceHash) > 0 {
		t = referenceRecord(t)
		st.Reference = &t
	}
	if sess, ok := s.sessionAt(q.SessionID, now); ok && q.SessionID != "" {
		sess = sessionRecord(sess)
		st.Session = &sess
	}
	return st, nil
}
