package signing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/latchkey/latchkey/shared/tokens"
)

// keyState is one immutable snapshot of the key set, ready to use: what
// Sign, Verify and JWKS read on every call without a lock.
type keyState struct {
	set      tokens.KeySet
	loadedAt time.Time
	verify   map[string]*verifyKey // the published keys by kid
	jwks     []byte                // RFC 7517 §5 JSON of the published keys
	signer   *signingKey           // the current key; nil when verify-only
	signErr  error                 // why signer is nil on a signing instance
	// idVerify holds every published key of every family, by kid, for
	// ID tokens; idSigners the current key of each family, by alg.
	idVerify  map[string]*idPublic
	idSigners map[string]*idKey
	idErr     error
}

// fresh returns the cached snapshot, reading the store again when it is
// older than the cache period.
func (k *Keys) fresh(ctx context.Context) (*keyState, error) {
	if st := k.state.Load(); k.isFresh(st) {
		return st, nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if st := k.state.Load(); k.isFresh(st) {
		return st, nil
	}
	return k.reload(ctx)
}

// refetch reads the store again unless another caller already replaced
// the stale snapshot.
func (k *Keys) refetch(ctx context.Context, stale *keyState) (*keyState, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if st := k.state.Load(); st != stale {
		return st, nil
	}
	return k.reload(ctx)
}

// isFresh reports whether st was loaded less than one cache period ago.
func (k *Keys) isFresh(st *keyState) bool {
	return st != nil && k.now().Sub(st.loadedAt) < k.policy.cacheTTL
}

// reload reads the key set and installs it. A signing instance that finds
// no key set creates the first one (docs/design.md §5); a verify-only instance
// installs an empty one. The caller holds k.mu.
func (k *Keys) reload(ctx context.Context) (*keyState, error) {
	ks, err := k.store.GetKeySet(ctx)
	switch {
	case errors.Is(err, tokens.ErrNotFound) && k.sealer != nil:
		return k.bootstrap(ctx)
	case errors.Is(err, tokens.ErrNotFound):
		return k.install(tokens.KeySet{})
	case err != nil:
		return nil, fmt.Errorf("signing: read key set: %w", err)
	}
	return k.install(ks)
}

// bootstrap writes the first key set on condition that none exists. When
// another container wins the race, its key set is read and used instead,
// so there is never more than one current key. The caller holds k.mu.
func (k *Keys) bootstrap(ctx context.Context) (*keyState, error) {
	ks, err := k.policy.initial(k.now(), k.generate)
	if err != nil {
		return nil, err
	}
	return k.write(ctx, ks, 0)
}

// write stores ks on condition that the stored version is expect and
// installs it. On a conflict it installs what the winner wrote. The caller
// holds k.mu.
func (k *Keys) write(ctx context.Context, ks tokens.KeySet, expect int) (*keyState, error) {
	err := k.store.PutKeySet(ctx, ks, expect)
	if errors.Is(err, tokens.ErrConflict) {
		won, err := k.store.GetKeySet(ctx)
		if err != nil {
			return nil, fmt.Errorf("signing: read key set after conflict: %w", err)
		}
		return k.install(won)
	}
	if err != nil {
		return nil, fmt.Errorf("signing: write key set: %w", err)
	}
	return k.install(ks)
}

// install builds a snapshot of ks and makes it the one in use. Parsed
// public keys and opened private keys are reused by kid, so a reload does
// no cryptography for keys already seen. The caller holds k.mu.
func (k *Keys) install(ks tokens.KeySet) (*keyState, error) {
	now := k.now()
	st := &keyState{set: ks, loadedAt: now, verify: map[string]*verifyKey{}, idVerify: map[string]*idPublic{}}
	keys := make([]jwk.Key, 0, len(ks.Keys))
	for _, rec := range ks.Keys {
		if !k.policy.published(rec, now) {
			continue
		}
		pub, err := k.publish(st, rec)
		if err != nil {
			return nil, err
		}
		keys = append(keys, pub)
	}
	jwks, err := json.Marshal(struct {
		Keys []jwk.Key `json:"keys"`
	}{keys})
	if err != nil {
		return nil, err
	}
	st.jwks = jwks
	k.openCurrent(st)
	k.openIDKeys(st)
	k.forget(st.verify)
	k.ids.forget(st.idVerify)
	k.state.Store(st)
	return st, nil
}

// parsed returns the verification key of rec, parsing it only once.
func (k *Keys) parsed(rec tokens.KeyRecord) (*verifyKey, error) {
	if vk, ok := k.public[rec.KID]; ok {
		return vk, nil
	}
	vk, err := parsePublic(rec)
	if err != nil {
		return nil, err
	}
	k.public[rec.KID] = vk
	return vk, nil
}

// openCurrent sets st.signer to the opened current key, opening it only
// once. A key that does not open (the wrong KEK) leaves st.signErr for
// Sign to report, while Verify and JWKS keep working. A verify-only
// instance opens nothing.
func (k *Keys) openCurrent(st *keyState) {
	if k.sealer == nil {
		return
	}
	i := current(st.set)
	if i < 0 {
		st.signErr = ErrNoSigningKey
		return
	}
	rec := st.set.Keys[i]
	sk, ok := k.opened[rec.KID]
	if !ok {
		var err error
		if sk, err = k.sealer.openPrivate(rec, st.verify[rec.KID]); err != nil {
			st.signErr = err
			return
		}
		k.opened[rec.KID] = sk
	}
	st.signer = sk
}

// forget drops cached keys that are no longer published.
func (k *Keys) forget(published map[string]*verifyKey) {
	for kid := range k.public {
		if published[kid] == nil {
			delete(k.public, kid)
		}
	}
	for kid := range k.opened {
		if published[kid] == nil {
			delete(k.opened, kid)
		}
	}
}
