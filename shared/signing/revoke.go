package signing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// ErrUnknownKey reports a kid that the key set does not hold.
var ErrUnknownKey = errors.New("signing: no such key")

// Revoke pulls a compromised key (issue 11 §18): the key set is written
// without it in one conditional write, so it leaves the JWKS and no
// verifier accepts a token it signed once that verifier's key cache
// reloads (CacheTTL, 5 minutes by default); it never signs again. When it
// was its family's current key, the next key is promoted at once (a fresh
// one made when there is none) and a fresh next key made; when it was the
// next key, a fresh one takes its place. This Keys stops using it at
// once; another warm container signs with it until its cache reloads, at
// most CacheTTL, and what it signs meanwhile is refused wherever the key
// set has been reloaded. A retired key is simply dropped.
func (k *Keys) Revoke(ctx context.Context, kid string) error {
	if k.sealer == nil {
		return ErrVerifyOnly
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for range rotateAttempts {
		done, err := k.revokeOnce(ctx, kid)
		if done || err != nil {
			return err
		}
	}
	return fmt.Errorf("signing: revoke: %w", tokens.ErrConflict)
}

// revokeOnce makes one read-revoke-write attempt and reports whether it
// was stored. The caller holds k.mu.
func (k *Keys) revokeOnce(ctx context.Context, kid string) (bool, error) {
	ks, err := k.store.GetKeySet(ctx)
	if errors.Is(err, tokens.ErrNotFound) {
		return false, fmt.Errorf("%w: %s", ErrUnknownKey, kid)
	}
	if err != nil {
		return false, fmt.Errorf("signing: read key set: %w", err)
	}
	next, err := k.policy.revoke(ks, kid, k.now(), k.generate)
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

// revoke returns ks at the next version without the key kid, its family
// given a current and a next key again.
func (p policy) revoke(ks tokens.KeySet, kid string, now time.Time, gen generator) (tokens.KeySet, error) {
	i := slices.IndexFunc(ks.Keys, func(rec tokens.KeyRecord) bool { return rec.KID == kid })
	if i < 0 {
		return tokens.KeySet{}, fmt.Errorf("%w: %s", ErrUnknownKey, kid)
	}
	gone := ks.Keys[i]
	out := tokens.KeySet{Version: ks.Version + 1, Keys: slices.Delete(slices.Clone(ks.Keys), i, i+1)}
	switch gone.State {
	case tokens.KeyCurrent:
		keys, err := rotateFamily(out.Keys, gone.Alg, now, gen)
		if err != nil {
			return tokens.KeySet{}, err
		}
		out.Keys = keys
	case tokens.KeyNext:
		next, err := gen(gone.Alg, tokens.KeyNext, now)
		if err != nil {
			return tokens.KeySet{}, err
		}
		out.Keys = append(out.Keys, next)
	}
	return out, nil
}
