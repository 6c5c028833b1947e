package tokens

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Refresh rotation modes (docs/design.md §2).
const (
	RotationRotate = "rotate"
	RotationReuse  = "reuse"
)

// Access token formats (docs/design.md §4).
const (
	FormatJWT       = "jwt"
	FormatReference = "reference"
)

// Limits on per-client settings.
const (
	MaxAccessTokenTTL     = 24 * time.Hour
	MaxRefreshReuseGrace  = 60 * time.Second
	DefaultMaxSessions    = 50
	clientSecretPrefix    = "lk_cs_"
	clientSecretByteCount = 32
)

// Client is a registered OAuth client and its per-client settings.
type Client struct {
	ID   string
	Name string
	// SecretHash is SHA-256 of the server-generated secret; empty for a
	// public client. Secrets have 256 bits of entropy, so a fast hash is
	// enough (docs/design.md §2).
	SecretHash []byte
	// AuthMethod is client_secret_basic (default), client_secret_post or none.
	AuthMethod         string
	Grants             []string
	Scopes             []string
	AllowOfflineAccess bool
	// Introspect lets a resource server introspect any client's tokens.
	Introspect bool
	// AllowSelfMint lets this client's users mint long-lived tokens for
	// themselves with their bearer tokens.
	AllowSelfMint bool
	// MayExchange lets a confidential client exchange a user's access
	// token for one that acts for the user (RFC 8693, exchange.go).
	MayExchange           bool
	AccessTokenTTL        time.Duration
	AccessTokenFormat     string
	RefreshAbsoluteTTL    time.Duration
	RefreshIdleTTL        time.Duration
	RefreshRotation       string
	RefreshReuseGrace     time.Duration
	MaxSessionsPerSubject int
	ClaimSizeLimits       map[string]int
	// Resources are the resource indicators (RFC 8707) the client may ask
	// for; an access token for them has them as its aud.
	Resources []string
	// IDTokenAlg signs the client's ID tokens: RS256 (the default, every
	// relying party supports it) or ES256 (OpenID Connect Core §3.1.3.7).
	IDTokenAlg string
	// AccessTokenClaims names user claims copied into the client's access
	// tokens, cut to ClaimSizeLimits.
	AccessTokenClaims []string
	// RedirectURIs are where the authorization endpoint may send the
	// browser back, matched exactly (RFC 9700 §4.1.3).
	RedirectURIs []string
	// FirstParty clients belong to the deployment: the user is not asked
	// to consent to them.
	FirstParty bool
	Disabled   bool
	CreatedAt  time.Time
	// Registration is set for a client that registered itself
	// (registration.go): by RFC 7591 or a Client ID Metadata Document.
	Registration Registration
}

// Public reports whether the client has no secret (token_endpoint_auth_method none).
func (c Client) Public() bool { return c.AuthMethod == oauth.AuthNone }

// AllowsGrant reports whether the client may use grant.
func (c Client) AllowsGrant(grant string) bool { return slices.Contains(c.Grants, grant) }

// VerifySecret compares secret with the stored hash in constant time.
func (c Client) VerifySecret(secret string) bool {
	if len(c.SecretHash) != sha256.Size {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	return subtle.ConstantTimeCompare(sum[:], c.SecretHash) == 1
}

// ClientDefaults are the settings a new client gets where it names none.
type ClientDefaults struct {
	AccessTokenTTL     time.Duration
	RefreshAbsoluteTTL time.Duration
	RefreshIdleTTL     time.Duration
	RefreshReuseGrace  time.Duration
}

// StandardClientDefaults are docs/design.md §2's numbers.
var StandardClientDefaults = ClientDefaults{
	AccessTokenTTL:     15 * time.Minute,
	RefreshAbsoluteTTL: 30 * 24 * time.Hour,
	RefreshIdleTTL:     7 * 24 * time.Hour,
	RefreshReuseGrace:  30 * time.Second,
}

// validate checks a client's settings against docs/design.md §2's limits.
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
	if c.Public() && c.MayExchange {
		problems = append(problems, "a public client cannot exchange tokens (RFC 8693 §2.1 wants the actor authenticated)")
	}
	if c.Public() && c.RefreshRotation == RotationReuse {
		problems = append(problems, "a public client must rotate its refresh tokens (RFC 9700 §4.14.2)")
	}
	for _, sc := range c.Scopes {
		if !oauth.ValidScopeToken(sc) {
			problems = append(problems, fmt.Sprintf("invalid scope %q", sc))
		}
	}
	problems = append(problems, resourceProblems(c.Resources)...)
	problems = append(problems, redirectURIProblems(c)...)
	problems = append(problems, c.claimProblems()...)
	problems = append(problems, c.lifetimeProblems()...)
	if len(problems) > 0 {
		return invalidSettings(problems...)
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
