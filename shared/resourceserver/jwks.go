package resourceserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// errUnknownKID: no published key has the token's kid, even after the
// bounded refresh.
var errUnknownKID = errors.New("unknown kid")

// keyCache holds the issuer's ES256 public keys by kid (RFC 7517 §5). It
// fetches them on first use, again once they are JWKSCacheTTL old, and
// early when a token names a kid it does not know, but never more often
// than JWKSMinRefresh: a key the issuer has just started publishing is
// found, and a flood of made-up kids costs the issuer nothing. Concurrent
// misses wait for one fetch.
type keyCache struct {
	url        string
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	now        func() time.Time

	mu        sync.Mutex
	keys      map[string]*ecdsa.PublicKey
	fetchedAt time.Time // last successful fetch
	triedAt   time.Time // last attempt, successful or not
}

func newKeyCache(c Config) *keyCache {
	return &keyCache{url: c.JWKSURL, client: c.HTTPClient, ttl: c.JWKSCacheTTL, minRefresh: c.JWKSMinRefresh, now: c.Now}
}

// key returns the public key named kid. A fetch failure with no usable
// key is returned as is (the caller answers 503); a kid still unknown
// after the bounded refresh is errUnknownKID.
func (k *keyCache) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	key, known := k.keys[kid]
	stale := k.keys == nil || now.Sub(k.fetchedAt) >= k.ttl
	mayRefresh := k.triedAt.IsZero() || now.Sub(k.triedAt) >= k.minRefresh
	if (stale || !known) && mayRefresh {
		err := k.fetch(ctx, now)
		if err != nil && k.keys == nil {
			return nil, err
		}
		key, known = k.keys[kid]
	}
	if !known {
		return nil, errUnknownKID
	}
	return key, nil
}

// fetch replaces the keys with the published set; on failure the keys
// already held stay in use.
func (k *keyCache) fetch(ctx context.Context, now time.Time) error {
	k.triedAt = now
	body, err := getBounded(ctx, k.client, k.url)
	if err != nil {
		return fmt.Errorf("resourceserver: fetch JWKS: %w", err)
	}
	keys, err := es256Keys(body)
	if err != nil {
		return fmt.Errorf("resourceserver: JWKS: %w", err)
	}
	k.keys, k.fetchedAt = keys, now
	return nil
}

// es256Keys keeps the P-256 signing keys of a JWK set that name a kid;
// keys for other algorithms or uses are ignored, so they can never verify.
func es256Keys(body []byte) (map[string]*ecdsa.PublicKey, error) {
	set, err := jwk.Parse(body)
	if err != nil {
		return nil, err
	}
	keys := map[string]*ecdsa.PublicKey{}
	for i := 0; i < set.Len(); i++ {
		key, _ := set.Key(i)
		if !signingES256(key) {
			continue
		}
		var pub ecdsa.PublicKey
		if err := key.Raw(&pub); err != nil || pub.Curve != elliptic.P256() {
			continue
		}
		keys[key.KeyID()] = &pub
	}
	return keys, nil
}

func signingES256(key jwk.Key) bool {
	alg := key.Algorithm().String()
	use := key.KeyUsage()
	return key.KeyType() == "EC" && key.KeyID() != "" &&
		(alg == "" || alg == jwa.ES256.String()) && (use == "" || use == string(jwk.ForSignature))
}

// getBounded GETs url and returns a 200 body of at most maxResponseBytes.
func getBounded(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	return readBounded(res)
}

func readBounded(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", res.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err == nil && len(body) > maxResponseBytes {
		err = errors.New("response too large")
	}
	return body, err
}
