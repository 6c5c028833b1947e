package tokens

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Options configure a Service. Store, Signer and Now are required for
// issuing; RefreshKey is required for anything that mints or checks
// refresh tokens.
type Options struct {
	// Store persists everything the Service owns, in every role.
	Store Store
	// Verifier checks JWTs for introspection, revocation and bearer
	// authentication; Signer signs them.
	Verifier  Verifier
	Signer    Signer
	Passwords PasswordHasher
	// RefreshKey is the HMAC key of refresh tokens, derived from the
	// key-encryption key. Functions that never see refresh tokens leave it nil.
	RefreshKey []byte
	// CursorKey authenticates the sessions page's cursors.
	CursorKey []byte
	// IdentifierKey keys the HMAC under which usernames are counted in
	// the sign-in throttle's table items and identifiers are logged
	// (signin.go). Every container of a deployment needs the same key,
	// derived from the key-encryption key; without one a Service makes
	// a random key of its own, good for one process.
	IdentifierKey []byte
	// HashConcurrency bounds the password hashes that run at once (0:
	// DefaultHashConcurrency); a sign-in waits up to HashQueueWait (0:
	// DefaultHashQueueWait) for a slot (hashslots.go).
	HashConcurrency int
	HashQueueWait   time.Duration
	// MaxLongLivedTTL bounds a minted token's lifetime; AllowNeverExpiring
	// permits expires_in 0 (no expiry).
	MaxLongLivedTTL    time.Duration
	AllowNeverExpiring bool
	// Issuer is the iss of every token and the aud of access tokens; when
	// empty, each request's own issuer (WithIssuer) is used.
	Issuer   string
	Defaults ClientDefaults
	// ClientCacheTTL is how long a client record is reused from memory.
	ClientCacheTTL time.Duration
	// LoginIdleTTL and LoginAbsoluteTTL bound a login session (single
	// sign-on); zero takes DefaultLoginIdleTTL and DefaultLoginAbsoluteTTL.
	LoginIdleTTL     time.Duration
	LoginAbsoluteTTL time.Duration
	// Registration is what self-registering clients may do (registration.go);
	// ClientMetadata fetches Client ID Metadata Documents when
	// Registration.MetadataDocuments is on (metadata.go).
	Registration   RegistrationPolicy
	ClientMetadata ClientMetadataFetcher
	Now            func() time.Time
	Log            *slog.Logger
}

// Service is Latchkey's core: every function calls one of its methods.
// Every error a public method returns is an *oauth.Error.
type Service struct {
	store      Store
	verifier   Verifier
	signer     Signer
	cursorKey  []byte
	identKey   []byte
	hashSlots  hashSlots
	mint       mintPolicy
	passwords  PasswordHasher
	refreshKey []byte
	issuer     string
	defaults   ClientDefaults
	now        func() time.Time
	log        *slog.Logger
	clients    *clientCache
	// registration is the self-registration policy (registration.go);
	// documents fetches Client ID Metadata Documents (metadata.go).
	registration RegistrationPolicy
	documents    ClientMetadataFetcher
	// loginIdle and loginAbsolute bound login sessions (login.go).
	loginIdle, loginAbsolute time.Duration
	dummyOnce                sync.Once
	dummy                    string
}

// New returns a Service for the options.
func New(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Defaults == (ClientDefaults{}) {
		o.Defaults = StandardClientDefaults
	}
	return &Service{
		store:      o.Store,
		verifier:   o.Verifier,
		signer:     o.Signer,
		cursorKey:  o.CursorKey,
		identKey:   orRandomKey(o.IdentifierKey),
		hashSlots:  newHashSlots(o.HashConcurrency, o.HashQueueWait),
		mint:       mintPolicy{maxTTL: orDefaultDuration(o.MaxLongLivedTTL, DefaultMaxLongLivedTTL), allowNever: o.AllowNeverExpiring},
		passwords:  o.Passwords,
		refreshKey: o.RefreshKey,
		issuer:     o.Issuer,
		defaults:   o.Defaults,
		now:        o.Now,
		log:        o.Log,
		clients:    newClientCache(o.ClientCacheTTL, o.Now),
		loginIdle:  o.LoginIdleTTL, loginAbsolute: o.LoginAbsoluteTTL,
		registration: o.Registration.withDefaults(),
		documents:    o.ClientMetadata,
	}
}

// orRandomKey returns key, or 32 random bytes when it is empty.
func orRandomKey(key []byte) []byte {
	if len(key) > 0 {
		return key
	}
	return randomBytes(32)
}

// issuerKey carries a per-request issuer in a context.
type issuerKey struct{}

// WithIssuer returns ctx carrying the issuer a request was addressed to.
// It is used only when the deployment configures no fixed issuer (the SAM
// template cannot name the API's own URL without a circular reference),
// so the issuer is https:// plus the host API Gateway answered on.
func WithIssuer(ctx context.Context, issuer string) context.Context {
	return context.WithValue(ctx, issuerKey{}, issuer)
}

// RequestIssuer returns the issuer WithIssuer put on ctx, or "".
func RequestIssuer(ctx context.Context) string {
	iss, _ := ctx.Value(issuerKey{}).(string)
	return iss
}

// HasFixedIssuer reports whether the issuer is configured rather than
// taken from each request.
func (s *Service) HasFixedIssuer() bool { return s.issuer != "" }

// Issuer returns the issuer identifier (RFC 8414 §2): the configured one,
// or the one WithIssuer put on ctx.
func (s *Service) Issuer(ctx context.Context) string {
	if s.issuer != "" {
		return s.issuer
	}
	return RequestIssuer(ctx)
}

// audit logs one security event with the fields docs/design.md names. It
// never receives a token, secret or password.
func (s *Service) audit(ctx context.Context, level slog.Level, event string, attrs ...slog.Attr) {
	s.log.LogAttrs(ctx, level, event, append([]slog.Attr{slog.String("event", event)}, attrs...)...)
}

func (s *Service) refreshAbsoluteTTL(c Client) time.Duration {
	if c.RefreshAbsoluteTTL > 0 {
		return c.RefreshAbsoluteTTL
	}
	return s.defaults.RefreshAbsoluteTTL
}

// refreshIdleTTL returns the client's idle window; 0 means none.
func (s *Service) refreshIdleTTL(c Client) time.Duration { return c.RefreshIdleTTL }
