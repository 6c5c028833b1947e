package memstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// maxTransactItems is DynamoDB's limit of actions in one transaction: the
// DynamoDB store evicts the first 99 ids with the new session and the rest
// one by one afterwards, and so does this store.
const maxTransactItems = 100

// CreateSessionEvicting stores sess and revokes the sessions named in evict
// (reason evicted, at sess.CreatedAt, or the store's clock when that is
// zero) in one atomic step. Blank, repeated ids and sess's own id are
// dropped; with nothing left it is CreateSession.
//
// As in the DynamoDB store's transaction, each of the first 99 ids is
// revoked only if it exists, belongs to sess.Subject and is active (its
// expiry is not checked); others are left alone and the session is still
// created. A taken id is tokens.ErrAlreadyExists and evicts nothing,
// unless exactly sess is stored (a repeated call). Ids beyond the first
// 99 are revoked as RevokeSession does, which checks expiry but not the
// subject.
func (s *Store) CreateSessionEvicting(ctx context.Context, sess tokens.Session, evict []string) error {
	const op = "CreateSessionEvicting"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	evict = evictable(sess.ID, evict)
	if len(evict) == 0 {
		return s.createSession(op, sess)
	}
	if sess.AbsoluteExpiresAt.IsZero() {
		return fail(op, errors.New("no absolute expiry"))
	}
	at := sess.CreatedAt
	if at.IsZero() {
		at = s.now()
	}
	inTx, rest := evict, []string(nil)
	if len(evict) > maxTransactItems-1 {
		inTx, rest = evict[:maxTransactItems-1], evict[maxTransactItems-1:]
	}
	if err := s.createEvicting(op, sess, inTx, at); err != nil {
		return err
	}
	for _, id := range rest {
		_ = s.revokeSession(op, id, tokens.ReasonEvicted, at) // ErrConflict and ErrNotFound are expected
	}
	return nil
}

// createEvicting is the transaction: the create, then each eviction whose
// condition holds.
func (s *Store) createEvicting(op string, sess tokens.Session, evict []string, at time.Time) error {
	if _, taken := s.sessions[sess.ID]; taken {
		// nil only when exactly sess is stored: the call was repeated.
		return putNew(s.sessions, op, sess.ID, sessionRecord(sess))
	}
	s.sessions[sess.ID] = sessionRecord(sess)
	for _, id := range evict {
		old, ok := s.sessions[id]
		if ok && old.Subject == sess.Subject && old.Status == tokens.SessionActive {
			s.sessions[id] = revoked(old, tokens.ReasonEvicted, at)
		}
	}
	return nil
}

// evictable returns evict without blanks, duplicates and the new session's
// own id.
func evictable(newID string, evict []string) []string {
	var out []string
	for _, id := range evict {
		if id != "" && id != newID && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
