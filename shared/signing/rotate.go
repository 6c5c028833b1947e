package signing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// rotateAttempts bounds how often an explicit Rotate retries after losing
// a conditional write.
const rotateAttempts = 3

// KeyInfo describes one stored key for `latchkey keys list`. It holds no
// private material.
type KeyInfo struct {
	KID         string    `json:"kid"`
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatedAt time.Time `json:"activated_at,omitzero"` // zero for a key that was never current
	RetiredAt   time.Time `json:"retired_at,omitzero"`   // zero unless retired
	// PublishedUntil is when a retired key leaves the JWKS; zero otherwise.
	PublishedUntil time.Time `json:"published_until,omitzero"`
}

// signing returns a snapshot with a current key, first rotating or pruning
// the key set when that is due (docs/design.md §5: a key older than the
// rotation period is rotated on use).
func (k *Keys) signing(ctx context.Context) (*keyState, error) {
	if k.sealer == nil {
		return nil, ErrVerifyOnly
	}
	st, err := k.fresh(ctx)
	if err != nil {
		return nil, err
	}
	if k.policy.due(st.set, k.now()) {
		if st, err = k.maintain(ctx); err != nil {
			return nil, err
		}
	}
	if st.signer == nil {
		return nil, st.signErr
	}
	return st, nil
}

// maintain writes the rotated or pruned key set with one conditional write
// on the version it was computed from. If another container wrote first,
// what it wrote is used; should a rotation still be due, the next call
// tries again.
func (k *Keys) maintain(ctx context.Context) (*keyState, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	st, now := k.state.Load(), k.now()
	if !k.policy.due(st.set, now) {
		return st, nil
	}
	ks, err := k.policy.maintain(st.set, now, k.generate)
	if err != nil {
		return nil, err
	}
	return k.write(ctx, ks, st.set.Version)
}

// Rotate rotates the key set now, whatever the age of the current key: the
// next key becomes current, the current key is retired, a fresh next key
// is made and expired retired keys are dropped. It reads the stored set
// afresh and retries a few times if another writer gets in between. On an
// empty store it creates the first key set.
func (k *Keys) Rotate(ctx context.Context) error {
	if k.sealer == nil {
		return ErrVerifyOnly
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for range rotateAttempts {
		done, err := k.rotateOnce(ctx)
		if done || err != nil {
			return err
		}
	}
	return fmt.Errorf("signing: rotate: %w", tokens.ErrConflict)
}

// rotateOnce makes one read-rotate-write attempt and reports whether it
// was stored. The caller holds k.mu.
func (k *Keys) rotateOnce(ctx context.Context) (bool, error) {
	ks, err := k.store.GetKeySet(ctx)
	if errors.Is(err, tokens.ErrNotFound) {
		_, err = k.bootstrap(ctx)
		return err == nil, err
	}
	if err != nil {
		return false, fmt.Errorf("signing: read key set: %w", err)
	}
	next, err := k.policy.rotate(ks, k.now(), k.generate)
	if err != nil {
		return false, err
	}
	err = k.store.PutKeySet(ctx, next, ks.Version)
	if errors.Is(err, tokens.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("signing: write key set: %w", err)
	}
	_, err = k.install(next)
	return err == nil, err
}

// List returns the stored keys, read afresh, for display. An empty store
// gives an empty list.
func (k *Keys) List(ctx context.Context) ([]KeyInfo, error) {
	ks, err := k.store.GetKeySet(ctx)
	if errors.Is(err, tokens.ErrNotFound) {
		return []KeyInfo{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("signing: read key set: %w", err)
	}
	out := make([]KeyInfo, 0, len(ks.Keys))
	for _, rec := range ks.Keys {
		info := KeyInfo{
			KID: rec.KID, Alg: rec.Alg, State: rec.State,
			CreatedAt: rec.CreatedAt, ActivatedAt: rec.ActivatedAt, RetiredAt: rec.RetiredAt,
		}
		if rec.State == tokens.KeyRetired {
			info.PublishedUntil = rec.RetiredAt.Add(k.policy.retention())
		}
		out = append(out, info)
	}
	return out, nil
}
