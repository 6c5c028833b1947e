package tokens

import (
	"crypto/sha256"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Refresh rotation modes (DESIGN.md §2).
const (
	RotationRotate = "rotate"
	RotationReuse  = "reuse"
)

// Access token formats (DESIGN.md §4).
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
	// enough (DESIGN.md §2).
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
	AllowSelfMint         bool
	AccessTokenTTL        time.Duration
	AccessTokenFormat     string
	RefreshAbsoluteTTL    time.Duration
	RefreshIdleTTL        time.Duration
	RefreshRotation       string
	RefreshReuseGrace     time.Duration
	MaxSessionsPerSubject int
	ClaimSizeLimits       map[string]int
	Disabled              bool
	CreatedAt             time.Time
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

// StandardClientDefaults are DESIGN.md §2's numbers.
var StandardClientDefaults = ClientDefaults{
	AccessTokenTTL:     15 * time.Minute,
	RefreshAbsoluteTTL: 30 * 24 * time.Hour,
	RefreshIdleTTL:     7 * 24 * time.Hour,
	RefreshReuseGrace:  30 * time.Second,
}
