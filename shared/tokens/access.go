package tokens

import (
	"context"
	"encoding/base64"
	"strings"
	"time"
)

// ReferenceTokenPrefix marks opaque access tokens (DESIGN.md §4).
const ReferenceTokenPrefix = "lk_at_"

// ReferenceToken is an opaque access token as stored: its claims under
// the SHA-256 of the token, never the token itself.
type ReferenceToken struct {
	Hash      []byte
	JTI       string
	ClientID  string
	Subject   string
	Scopes    []string
	Audience  []string
	SessionID string
	AuthTime  time.Time
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   bool
}

// AccessStateQuery names the items that decide whether an access token is
// active. Empty fields are not read.
type AccessStateQuery struct {
	// JTI is a JWT's id, looked up in the revocation list.
	JTI string
	// ReferenceHash is the hash of a reference token.
	ReferenceHash []byte
	// SessionID is the token's session.
	SessionID string
}

// AccessState is what a store found for an AccessStateQuery. Items whose
// ttl has passed are absent.
type AccessState struct {
	JTIRevoked bool
	Reference  *ReferenceToken
	Session    *Session
}

// AccessTokenStore persists what makes every access token revocable.
type AccessTokenStore interface {
	// CreateReferenceToken stores a reference token; ErrAlreadyExists if
	// the hash is taken.
	CreateReferenceToken(ctx context.Context, t ReferenceToken) error
	// RevokeReferenceToken marks the reference token with the given hash
	// revoked if clientID issued it; ErrNotFound when there is no such
	// token of that client, or it has expired.
	RevokeReferenceToken(ctx context.Context, hash []byte, clientID string) error
	// RevokeJTI denies a JWT's id until exp, when the entry expires.
	RevokeJTI(ctx context.Context, jti string, exp time.Time) error
	// AccessState reads everything the query names in one request
	// (a BatchGetItem), strongly consistent.
	AccessState(ctx context.Context, q AccessStateQuery) (AccessState, error)
}

// Verifier checks an access token's signature, issuer and lifetime.
type Verifier interface {
	Verify(ctx context.Context, token string) (AccessClaims, error)
}

// newReferenceToken returns a new reference token string. A session's
// tokens carry the session id, so introspection reads the token and its
// session in one request.
func newReferenceToken(sid string) string {
	secret := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	if sid == "" {
		return ReferenceTokenPrefix + secret
	}
	return ReferenceTokenPrefix + sid + "." + secret
}

// referenceSessionID returns the session id a reference token names, or "".
func referenceSessionID(token string) string {
	rest := strings.TrimPrefix(token, ReferenceTokenPrefix)
	sid, _, found := strings.Cut(rest, ".")
	if !found || !plausibleID(sid) {
		return ""
	}
	return sid
}
