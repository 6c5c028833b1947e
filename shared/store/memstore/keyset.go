package memstore

import (
	"context"
	"fmt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// keySetRecord is ks as the DynamoDB store keeps it: no keys is nil.
func keySetRecord(ks tokens.KeySet) tokens.KeySet {
	out := tokens.KeySet{Version: ks.Version}
	for _, k := range ks.Keys {
		k.PublicJWK, k.SealedPrivateJWK = nilIfEmpty(k.PublicJWK), nilIfEmpty(k.SealedPrivateJWK)
		k.CreatedAt, k.ActivatedAt, k.RetiredAt = utc(k.CreatedAt), utc(k.ActivatedAt), utc(k.RetiredAt)
		out.Keys = append(out.Keys, k)
	}
	return out
}

// GetKeySet returns the key set, or tokens.ErrNotFound when none has been
// written yet.
func (s *Store) GetKeySet(ctx context.Context) (tokens.KeySet, error) {
	const op = "GetKeySet"
	if err := s.enter(ctx, op); err != nil {
		return tokens.KeySet{}, err
	}
	defer s.mu.Unlock()
	if s.keySet == nil {
		return tokens.KeySet{}, fail(op, tokens.ErrNotFound)
	}
	return keySetRecord(*s.keySet), nil
}

// PutKeySet replaces the key set if the stored version is expectVersion,
// or if none exists when expectVersion is 0; tokens.ErrConflict otherwise.
// ks.Version must be expectVersion+1. Unlike a create, it is not
// idempotent: a repeated put conflicts with itself, as in the DynamoDB
// store.
func (s *Store) PutKeySet(ctx context.Context, ks tokens.KeySet, expectVersion int) error {
	const op = "PutKeySet"
	if err := s.enter(ctx, op); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if ks.Version != expectVersion+1 {
		return fail(op, fmt.Errorf("version %d after %d, want %d", ks.Version, expectVersion, expectVersion+1))
	}
	switch {
	case expectVersion == 0 && s.keySet != nil,
		expectVersion != 0 && (s.keySet == nil || s.keySet.Version != expectVersion):
		return fail(op, tokens.ErrConflict)
	}
	rec := keySetRecord(ks)
	s.keySet = &rec
	return nil
}
