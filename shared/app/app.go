package app

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/latchkey/latchkey/shared/clientmetadata"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/lambdahttp"
	"github.com/latchkey/latchkey/shared/password"
	"github.com/latchkey/latchkey/shared/signing"
	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Store is what a process persists through: every role of the core and
// the signing key set. The DynamoDB store is production's; tests may pass
// the in-memory store (shared/store/memstore), which the conformance
// suite pins to DynamoDB's semantics.
type Store interface {
	tokens.Store
	tokens.KeyStore
}

// App is a wired Latchkey process.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Store   Store
	Keys    *signing.Keys
	Service *tokens.Service
	API     *httpapi.API
}

// Options override what tests need to control. The zero value is production.
type Options struct {
	// Now is the clock of every component; time.Now when nil.
	Now func() time.Time
	// LogOutput receives the JSON logs; os.Stderr when nil.
	LogOutput io.Writer
	// Passwords hashes user passwords; argon2id at OWASP's cost when nil.
	Passwords tokens.PasswordHasher
	// DynamoDB is the client to use instead of building one from Config.
	DynamoDB dynamo.API
	// Store, when set, is used instead of a DynamoDB store (tests).
	Store Store
	// GenerateRSA makes the RSA keys of ID tokens; RSA-2048 from
	// crypto/rand when nil (tests hand out keys made in advance).
	GenerateRSA func() (*rsa.PrivateKey, error)
	// ClientMetadata, when set, fetches Client ID Metadata Documents
	// instead of a fetcher on the public network (tests: a local TLS
	// server with a throw-away CA).
	ClientMetadata tokens.ClientMetadataFetcher
}

// New builds the process described by cfg.
func New(ctx context.Context, cfg config.Config, o Options) (*App, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LogOutput == nil {
		o.LogOutput = os.Stderr
	}
	if o.Passwords == nil {
		o.Passwords = password.OWASP
	}
	// JSON lines; in a Lambda each names the Lambda and API request ids.
	log := slog.New(lambdahttp.RequestIDs(slog.NewJSONHandler(o.LogOutput, &slog.HandlerOptions{Level: cfg.LogLevel})))
	store, err := newStore(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	kek, err := loadKEK(ctx, cfg)
	if err != nil {
		return nil, err
	}
	keys, err := signing.New(signing.Options{
		Store: store, KEK: kek, Issuer: cfg.Issuer, RotationPeriod: cfg.KeyRotationPeriod,
		MaxTokenLifetime: tokens.MaxAccessTokenTTL, CacheTTL: cfg.KeyCacheTTL, Now: o.Now,
		IDTokenRS256: true, GenerateRSA: o.GenerateRSA,
	})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	refreshKey, err := refreshKeyOf(kek)
	if err != nil {
		return nil, err
	}
	cursorKey, err := loadCursorKey(ctx, cfg, kek)
	if err != nil {
		return nil, err
	}
	identKey, err := identifierKey(kek)
	if err != nil {
		return nil, err
	}
	svc := tokens.New(tokens.Options{
		Store: store, Verifier: keys, Signer: keys,
		Passwords: o.Passwords, HashConcurrency: hashConcurrency(o.Passwords),
		RefreshKey: refreshKey, CursorKey: cursorKey, IdentifierKey: identKey,
		MaxLongLivedTTL: cfg.MaxLongLivedTTL, AllowNeverExpiring: cfg.AllowNeverExpiring,
		Issuer: cfg.Issuer, Defaults: defaults(cfg), ClientCacheTTL: cfg.ClientCacheTTL,
		LoginIdleTTL: cfg.LoginIdleTTL, LoginAbsoluteTTL: cfg.LoginAbsoluteTTL, Now: o.Now, Log: log,
		Registration: registrationPolicy(cfg.Registration), ClientMetadata: metadataFetcher(cfg.Registration, o),
	})
	return &App{Config: cfg, Log: log, Store: store, Keys: keys, Service: svc, API: httpapi.New(svc, log)}, nil
}

// newStore returns o.Store, or the DynamoDB store cfg names.
func newStore(ctx context.Context, cfg config.Config, o Options) (Store, error) {
	if o.Store != nil {
		return o.Store, nil
	}
	api := o.DynamoDB
	if api == nil {
		client, err := dynamo.NewClient(ctx, cfg.Region, cfg.DynamoDBEndpoint)
		if err != nil {
			return nil, fmt.Errorf("dynamodb client: %w", err)
		}
		api = client
	}
	return dynamo.New(api, cfg.TableName, o.Now), nil
}

// Handler returns the HTTP handler for the named functions' routes, or
// for every route when none is named.
func (a *App) Handler(functions ...string) http.Handler { return a.API.Handler(functions...) }

// refreshKeyOf returns the refresh-token MAC key, or nil for a function
// without the key-encryption key.
func refreshKeyOf(kek []byte) ([]byte, error) {
	if kek == nil {
		return nil, nil
	}
	return signing.RefreshKey(kek)
}

// hashConcurrency is how many password hashes may run at once: as many
// as fit in memory at the hasher's cost (issue 11 §11).
func hashConcurrency(h tokens.PasswordHasher) int {
	if a, ok := h.(password.Argon2id); ok {
		return a.Concurrency()
	}
	return password.OWASP.Concurrency()
}

// identifierKey returns the key the core names usernames and identifiers
// by, or nil (a random key per process) for a function without the
// key-encryption key, which signs no one in.
func identifierKey(kek []byte) ([]byte, error) {
	if kek == nil {
		return nil, nil
	}
	return signing.IdentifierKey(kek)
}

func defaults(cfg config.Config) tokens.ClientDefaults {
	return tokens.ClientDefaults{
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshAbsoluteTTL: cfg.RefreshAbsoluteTTL,
		RefreshIdleTTL: cfg.RefreshIdleTTL, RefreshReuseGrace: cfg.RefreshReuseGrace,
	}
}

// FromEnv reads the configuration with lookup (the process environment in a Lambda)
// and builds the production process: what every function's main does.
func FromEnv(ctx context.Context, lookup config.Lookup) (*App, error) {
	cfg, err := config.FromEnv(lookup)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return New(ctx, cfg, Options{})
}

// metadataFetcher fetches Client ID Metadata Documents when the deployment
// accepts them: o.ClientMetadata (tests), else one on the public network.
func metadataFetcher(r config.Registration, o Options) tokens.ClientMetadataFetcher {
	switch {
	case !r.MetadataDocuments:
		return nil
	case o.ClientMetadata != nil:
		return o.ClientMetadata
	}
	return clientmetadata.New(clientmetadata.Options{Now: o.Now})
}

// registrationPolicy is the deployment's self-registration settings as
// the core takes them.
func registrationPolicy(r config.Registration) tokens.RegistrationPolicy {
	return tokens.RegistrationPolicy{
		Dynamic: r.Dynamic, MetadataDocuments: r.MetadataDocuments, MetadataHosts: r.MetadataHosts,
		Scopes: r.Scopes, Resources: r.Resources, UnusedTTL: r.UnusedTTL, Limit: r.Limit,
	}
}
