package signing

import (
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// policy holds the lifecycle rules of docs/design.md §5. Its methods are pure:
// they compute a new key set and never touch the store.
type policy struct {
	rotation time.Duration // a current key older than this is rotated
	lifetime time.Duration // the longest lifetime of a token
	cacheTTL time.Duration // how long a container may sign with a stale set
	// algs are the key families kept: a current and a next key of each,
	// rotated together (ES256 for everything, RS256 for ID tokens).
	algs []string
}

// generator makes a fresh key record of alg in the given state.
type generator func(alg, state string, now time.Time) (tokens.KeyRecord, error)

// retention is how long a retired key stays published. A token signed just
// before retirement lives for the longest token lifetime; a container with
// a cached key set may still sign with the retired key for up to one cache
// period after another container rotated, so that period is added.
func (p policy) retention() time.Duration {
	return p.lifetime + p.cacheTTL
}

// published reports whether rec belongs in the JWKS at now: next and
// current keys always, retired keys until their retention has passed.
func (p policy) published(rec tokens.KeyRecord, now time.Time) bool {
	if rec.State != tokens.KeyRetired {
		return true
	}
	return now.Before(rec.RetiredAt.Add(p.retention()))
}

// current returns the index of the ES256 signing key: the current key
// activated last, or -1 when there is none.
func current(ks tokens.KeySet) int { return currentOf(ks, alg.String()) }

// currentOf returns the index of the current key of family a activated
// last, or -1 when there is none.
func currentOf(ks tokens.KeySet, a string) int {
	at := -1
	for i, rec := range ks.Keys {
		if rec.Alg == a && rec.State == tokens.KeyCurrent && (at < 0 || rec.ActivatedAt.After(ks.Keys[at].ActivatedAt)) {
			at = i
		}
	}
	return at
}

// rotationDue reports whether a family's current key has been current for
// a whole rotation period, or a family has no current key at all (a key
// set written before the family existed gets it this way).
func (p policy) rotationDue(ks tokens.KeySet, now time.Time) bool {
	for _, a := range p.algs {
		if i := currentOf(ks, a); i < 0 || !now.Before(ks.Keys[i].ActivatedAt.Add(p.rotation)) {
			return true
		}
	}
	return false
}

// pruneDue reports whether a retired key has outlived its retention.
func (p policy) pruneDue(ks tokens.KeySet, now time.Time) bool {
	for _, rec := range ks.Keys {
		if !p.published(rec, now) {
			return true
		}
	}
	return false
}

// due reports whether a signing instance should write a new key set.
func (p policy) due(ks tokens.KeySet, now time.Time) bool {
	return p.rotationDue(ks, now) || p.pruneDue(ks, now)
}

// initial returns the first key set: a current key and a next key.
func (p policy) initial(now time.Time, gen generator) (tokens.KeySet, error) {
	return p.rotate(tokens.KeySet{}, now, gen)
}

// maintain returns the key set that follows ks at now: rotated when the
// rotation is due, otherwise only pruned.
func (p policy) maintain(ks tokens.KeySet, now time.Time, gen generator) (tokens.KeySet, error) {
	if p.rotationDue(ks, now) {
		return p.rotate(ks, now, gen)
	}
	return p.prune(ks, now), nil
}

// prune returns ks at the next version without the retired keys whose
// retention has passed.
func (p policy) prune(ks tokens.KeySet, now time.Time) tokens.KeySet {
	out := tokens.KeySet{Version: ks.Version + 1}
	for _, rec := range ks.Keys {
		if p.published(rec, now) {
			out.Keys = append(out.Keys, rec)
		}
	}
	return out
}

// rotate returns ks at the next version with, in every family, the oldest
// next key promoted to current, every current key retired and a fresh
// next key; expired retired keys are dropped. If a family has no next key
// to promote (a hand-edited or empty set, or a new family), a fresh key
// becomes current.
func (p policy) rotate(ks tokens.KeySet, now time.Time, gen generator) (tokens.KeySet, error) {
	out := p.prune(ks, now)
	for _, a := range p.algs {
		var err error
		if out.Keys, err = rotateFamily(out.Keys, a, now, gen); err != nil {
			return tokens.KeySet{}, err
		}
	}
	return out, nil
}

// rotateFamily rotates the keys of family a in keys.
func rotateFamily(keys []tokens.KeyRecord, a string, now time.Time, gen generator) ([]tokens.KeyRecord, error) {
	promote := -1
	for i := range keys {
		rec := &keys[i]
		switch {
		case rec.Alg != a:
		case rec.State == tokens.KeyCurrent:
			rec.State, rec.RetiredAt = tokens.KeyRetired, now
		case rec.State == tokens.KeyNext && (promote < 0 || rec.CreatedAt.Before(keys[promote].CreatedAt)):
			promote = i
		}
	}
	if promote >= 0 {
		keys[promote].State, keys[promote].ActivatedAt = tokens.KeyCurrent, now
	} else {
		cur, err := gen(a, tokens.KeyCurrent, now)
		if err != nil {
			return nil, err
		}
		cur.ActivatedAt = now
		keys = append(keys, cur)
	}
	next, err := gen(a, tokens.KeyNext, now)
	if err != nil {
		return nil, err
	}
	return append(keys, next), nil
}
