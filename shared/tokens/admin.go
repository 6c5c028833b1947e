package tokens

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
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
	AccessTokenFormat     string
	AccessTokenTTL        time.Duration
	RefreshAbsoluteTTL    time.Duration
	RefreshIdleTTL        time.Duration
	RefreshRotation       string
	RefreshReuseGrace     time.Duration
	MaxSessionsPerSubject int
}

// supportedGrants are the grants a client may be registered for.
var supportedGrants = []string{oauth.GrantClientCredentials, oauth.GrantPassword, oauth.GrantRefreshToken}

// CreateClient registers a client and returns it with its secret, which is
// shown this once and stored only as SHA-256 (DESIGN.md §2).
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
		return Client{}, "", fmt.Errorf("create client: %w", err)
	}
	return c, secret, nil
}

func (s *Service) clientFromSpec(spec ClientSpec) (Client, error) {
	c := Client{
		ID: NewID(), Name: spec.Name, AuthMethod: oauth.AuthClientSecretBasic,
		Grants: spec.Grants, Scopes: spec.Scopes, AllowOfflineAccess: spec.AllowOfflineAccess,
		Introspect: spec.Introspect, AllowSelfMint: spec.AllowSelfMint, AccessTokenFormat: orDefault(spec.AccessTokenFormat, FormatJWT),
		AccessTokenTTL:     orDefaultDuration(spec.AccessTokenTTL, s.defaults.AccessTokenTTL),
		RefreshAbsoluteTTL: orDefaultDuration(spec.RefreshAbsoluteTTL, s.defaults.RefreshAbsoluteTTL),
		RefreshIdleTTL:     spec.RefreshIdleTTL,
		RefreshRotation:    orDefault(spec.RefreshRotation, RotationRotate),
		RefreshReuseGrace:  spec.RefreshReuseGrace, MaxSessionsPerSubject: spec.MaxSessionsPerSubject,
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

// validate checks a client's settings against DESIGN.md §2's limits.
func (c Client) validate() error {
	var problems []string
	if strings.TrimSpace(c.Name) == "" {
		problems = append(problems, "a name is required")
	}
	if len(c.Grants) == 0 {
		problems = append(problems, "at least one grant is required")
	}
	for _, g := range c.Grants {
		if !slices.Contains(supportedGrants, g) {
			problems = append(problems, "unsupported grant "+g)
		}
	}
	if c.Public() && slices.Contains(c.Grants, oauth.GrantClientCredentials) {
		problems = append(problems, "a public client cannot use client_credentials")
	}
	if c.Public() && c.RefreshRotation == RotationReuse {
		problems = append(problems, "a public client must rotate its refresh tokens (RFC 9700 §4.14.2)")
	}
	for _, sc := range c.Scopes {
		if !oauth.ValidScopeToken(sc) {
			problems = append(problems, fmt.Sprintf("invalid scope %q", sc))
		}
	}
	problems = append(problems, c.lifetimeProblems()...)
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidSettings, strings.Join(problems, "; "))
	}
	return nil
}

func (c Client) lifetimeProblems() []string {
	var p []string
	if c.AccessTokenFormat != FormatJWT && c.AccessTokenFormat != FormatReference {
		p = append(p, "access token format must be jwt or reference")
	}
	if c.AccessTokenTTL <= 0 || c.AccessTokenTTL > MaxAccessTokenTTL {
		p = append(p, "access token ttl must be between 1s and 24h")
	}
	if c.RefreshAbsoluteTTL <= 0 || c.RefreshIdleTTL < 0 {
		p = append(p, "refresh lifetimes must be positive (idle 0 means no idle limit)")
	}
	if c.RefreshRotation != RotationRotate && c.RefreshRotation != RotationReuse {
		p = append(p, "refresh rotation must be rotate or reuse")
	}
	if c.RefreshReuseGrace < 0 || c.RefreshReuseGrace > MaxRefreshReuseGrace {
		p = append(p, "refresh reuse grace must be between 0 and 60s")
	}
	if c.MaxSessionsPerSubject < 0 {
		p = append(p, "max sessions per subject must not be negative")
	}
	return p
}

// ErrInvalidSettings reports client or user settings an operator must fix.
var ErrInvalidSettings = errors.New("invalid settings")

// ListClients returns every registered client.
func (s *Service) ListClients(ctx context.Context) ([]Client, error) {
	return s.store.ListClients(ctx)
}

// DisableClient stops a client from authenticating. Warm containers may
// accept it for up to the client cache TTL.
func (s *Service) DisableClient(ctx context.Context, id string) error {
	s.clients.forget(id)
	return s.store.DisableClient(ctx, id)
}

// CreateUser registers a user with an argon2id-hashed password and a new
// stable subject id.
func (s *Service) CreateUser(ctx context.Context, username, password string) (User, error) {
	switch {
	case strings.TrimSpace(username) == "" || len(username) > maxUsernameLen:
		return User{}, fmt.Errorf("%w: username must be 1 to 256 characters", ErrInvalidSettings)
	case len(password) < 8 || len(password) > 1024:
		return User{}, fmt.Errorf("%w: password must be 8 to 1024 characters", ErrInvalidSettings)
	}
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return User{}, err
	}
	u := User{Username: username, Subject: "usr_" + NewID(), PasswordHash: hash, CreatedAt: s.now().UTC()}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
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
