package signing

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Defaults for the zero values of Options.
const (
	DefaultRotationPeriod   = 720 * time.Hour
	DefaultMaxTokenLifetime = 24 * time.Hour
	DefaultCacheTTL         = 5 * time.Minute
)

// ErrVerifyOnly is returned by Sign and Rotate on a Keys built without a
// key-encryption key.
var ErrVerifyOnly = errors.New("signing: verify-only keys (no key-encryption key) cannot sign or rotate")

// ErrNoSigningKey reports a stored key set that has no usable current key.
var ErrNoSigningKey = errors.New("signing: no current signing key")

// Options configure a Keys.
type Options struct {
	// Store holds the versioned key set. Required.
	Store tokens.KeyStore
	// KEK is the 32-byte key-encryption key that seals private keys at
	// rest. Nil (or empty) builds a verify-only Keys: Verify and JWKS work,
	// Sign and Rotate return ErrVerifyOnly.
	KEK []byte
	// Issuer is the "iss" of every token signed and the only one Verify
	// accepts. Empty means the deployment names its issuer per request
	// (after the host that was reached): Sign then takes the issuer from the
	// claims, and Verify requires an iss but does not pin it. Only this
	// deployment's keys verify either way.
	Issuer string
	// RotationPeriod is how long a key stays current before it is rotated
	// on use. Default 720h.
	RotationPeriod time.Duration
	// MaxTokenLifetime bounds exp − iat of every token signed, and so how
	// long a retired key stays published. Default 24h.
	MaxTokenLifetime time.Duration
	// CacheTTL is how long the key set is kept in memory before it is read
	// again. Default 5m.
	CacheTTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// IDTokenRS256 keeps a second key family, RS256, beside the ES256
	// keys: the default ID token algorithm, which every relying party
	// must support (OpenID Connect Core §15.1). Its keys are sealed,
	// rotated and published exactly like the ES256 keys.
	IDTokenRS256 bool
	// GenerateRSA makes a fresh RSA key for the RS256 family. Default: an
	// RSA-2048 key from crypto/rand (about 0.4 s each on a small machine;
	// tests hand out keys made in advance).
	GenerateRSA func() (*rsa.PrivateKey, error)
}

// Keys signs and verifies access tokens with the stored ES256 key set and
// publishes its public keys. It is safe for concurrent use.
type Keys struct {
	store    tokens.KeyStore
	sealer   *sealer // nil when verify-only
	issuer   string
	policy   policy
	now      func() time.Time
	signer   jws.Signer
	validate []jwt.ValidateOption
	genRSA   func() (*rsa.PrivateKey, error)
	// idSigners sign ID tokens, by algorithm.
	idSigners map[string]jws.Signer

	state atomic.Pointer[keyState]

	mu     sync.Mutex // serialises store reads and writes; guards the caches
	public map[string]*verifyKey
	opened map[string]*signingKey
	ids    idKeyCache
}

var _ tokens.Signer = (*Keys)(nil)

// New checks opts, fills in defaults and returns Keys. It does not touch
// the store: the key set is read, or created, on first use.
func New(opts Options) (*Keys, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	k := &Keys{
		store:  outageMarking{opts.Store},
		issuer: opts.Issuer,
		policy: policy{rotation: opts.RotationPeriod, lifetime: opts.MaxTokenLifetime, cacheTTL: opts.CacheTTL, algs: opts.algs()},
		now:    opts.Now,
		public: map[string]*verifyKey{},
		opened: map[string]*signingKey{},
		genRSA: opts.GenerateRSA,
		ids:    newIDKeyCache(),
	}
	if len(opts.KEK) > 0 {
		s, err := newSealer(opts.KEK)
		if err != nil {
			return nil, err
		}
		k.sealer = s
	}
	signer, err := jws.NewSigner(alg)
	if err != nil {
		return nil, err
	}
	k.signer = signer
	if k.idSigners, err = newIDSigners(); err != nil {
		return nil, err
	}
	k.validate = validateOptions(opts.Issuer, opts.Now)
	return k, nil
}

// fill validates opts and applies the defaults.
func (o *Options) fill() error {
	switch {
	case o.Store == nil:
		return errors.New("signing: Options.Store is required")
	case o.RotationPeriod < 0, o.MaxTokenLifetime < 0, o.CacheTTL < 0:
		return errors.New("signing: durations in Options must not be negative")
	}
	if o.RotationPeriod == 0 {
		o.RotationPeriod = DefaultRotationPeriod
	}
	if o.MaxTokenLifetime == 0 {
		o.MaxTokenLifetime = DefaultMaxTokenLifetime
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.GenerateRSA == nil {
		o.GenerateRSA = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, rsaBits) }
	}
	if len(o.KEK) > 0 && len(o.KEK) != KEKSize {
		return fmt.Errorf("%w: got %d bytes, want %d", ErrBadKEK, len(o.KEK), KEKSize)
	}
	return nil
}
