package tokens

import (
	"context"
	"encoding/base64"
	"errors"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ClientSpec is what an operator asks for when registering a client.
// A zero access or absolute refresh lifetime takes the deployment's
// default; a zero idle window or reuse grace means none (the CLI's flags
// default to the deployment's values).
type ClientSpec struct {
	Name                  string
	Public                bool
	Grants                []string
	Scopes                []string
	AllowOfflineAccess    bool
	Introspect            bool
	AllowSelfMint         bool
	MayExchange           bool
	AccessTokenFormat     string
	AccessTokenTTL        time.Duration
	RefreshAbsoluteTTL    time.Duration
	RefreshIdleTTL        time.Duration
	RefreshRotation       string
	RefreshReuseGrace     time.Duration
	MaxSessionsPerSubject int
	// RedirectURIs and FirstParty serve the authorization_code grant.
	RedirectURIs []string
	FirstParty   bool
	// Resources (RFC 8707), IDTokenAlg, AccessTokenClaims and
	// ClaimSizeLimits are the Client fields of the same names.
	Resources         []string
	IDTokenAlg        string
	AccessTokenClaims []string
	ClaimSizeLimits   map[string]int
}

// supportedGrants are the grants a client may be registered for.
var supportedGrants = []string{
	oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken, oauth.GrantAuthorizationCode,
	oauth.GrantDeviceCode,
}

// CreateClient registers a client and returns it with its secret, which is
// shown this once and stored only as SHA-256 (docs/design.md §2).
func (s *Service) CreateClient(ctx context.Context, spec ClientSpec) (Client, string, error) {
	c, err := s.clientFromSpec(spec)
	if err != nil {
		return Client{}, "", err
	}
	var secret string
	if !spec.Public {
		secret = clientSecretPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(clientSecretByteCount))
		c.SecretHash = HashToken(secret)
	}
	if err := s.store.CreateClient(ctx, c); err != nil {
		return Client{}, "", adminStoreError(err, "client")
	}
	return c, secret, nil
}

func (s *Service) clientFromSpec(spec ClientSpec) (Client, error) {
	c := Client{
		ID: NewID(), Name: spec.Name, AuthMethod: oauth.AuthClientSecretBasic,
		Grants: spec.Grants, Scopes: spec.Scopes, AllowOfflineAccess: spec.AllowOfflineAccess,
		Introspect: spec.Introspect, AllowSelfMint: spec.AllowSelfMint, MayExchange: spec.MayExchange, AccessTokenFormat: orDefault(spec.AccessTokenFormat, FormatJWT),
		AccessTokenTTL:     orDefaultDuration(spec.AccessTokenTTL, s.defaults.AccessTokenTTL),
		RefreshAbsoluteTTL: orDefaultDuration(spec.RefreshAbsoluteTTL, s.defaults.RefreshAbsoluteTTL),
		RefreshIdleTTL:     spec.RefreshIdleTTL,
		RefreshRotation:    orDefault(spec.RefreshRotation, RotationRotate),
		RefreshReuseGrace:  spec.RefreshReuseGrace, MaxSessionsPerSubject: spec.MaxSessionsPerSubject,
		RedirectURIs: spec.RedirectURIs, FirstParty: spec.FirstParty,
		Resources: spec.Resources, IDTokenAlg: spec.IDTokenAlg, AccessTokenClaims: spec.AccessTokenClaims, ClaimSizeLimits: spec.ClaimSizeLimits,
		CreatedAt: s.now().UTC(),
	}
	if spec.Public {
		c.AuthMethod = oauth.AuthNone
	}
	if c.MaxSessionsPerSubject == 0 {
		c.MaxSessionsPerSubject = DefaultMaxSessions
	}
	return c, c.validate()
}

// ErrInvalidSettings is the cause of every invalid_request about client or
// user settings an operator must fix.
var ErrInvalidSettings = errors.New("invalid settings")

// ListClients returns every registered client.
func (s *Service) ListClients(ctx context.Context) ([]Client, error) {
	clients, err := s.store.ListClients(ctx)
	if err != nil {
		return nil, storeError(err)
	}
	return clients, nil
}

// DisableClient stops a client from authenticating. Warm containers may
// accept it for up to the client cache TTL.
func (s *Service) DisableClient(ctx context.Context, id string) error {
	s.clients.forget(id)
	if err := s.store.DisableClient(ctx, id); err != nil {
		return adminStoreError(err, "client")
	}
	return nil
}

// CreateUser registers a user with an argon2id-hashed password and a new
// stable subject id, under its username's canonical form (username.go).
func (s *Service) CreateUser(ctx context.Context, username, password string) (User, error) {
	name, ok := canonicalUsername(username)
	switch {
	case !ok:
		return User{}, invalidSettings("username must be 1 to 256 characters: letters, digits and symbols, no spaces (RFC 8265)")
	case len(password) < 8 || len(password) > 1024:
		return User{}, invalidSettings("password must be 8 to 1024 characters")
	}
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return User{}, oauth.ServerError(err)
	}
	u := User{Username: name, Subject: "usr_" + NewID(), PasswordHash: hash, CreatedAt: s.now().UTC()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return User{}, adminStoreError(err, "user")
	}
	return u, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDefaultDuration(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}
