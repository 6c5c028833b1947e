package resourceserver

import (
	"context"
	"slices"
	"time"
)

// Token is what an accepted access token stands for.
type Token struct {
	// Subject is the user (or, for client_credentials, the client) the
	// token acts for.
	Subject  string
	ClientID string
	Scopes   []string
	Audience []string
	Issuer   string
	// ID is the token's jti; SessionID its sid when it has a session.
	ID        string
	SessionID string
	IssuedAt  time.Time
	// ExpiresAt is zero for a token that never expires.
	ExpiresAt time.Time
	// Introspected reports that the authorization server vouched for the
	// token (RFC 7662), rather than its signature alone.
	Introspected bool
}

// HasScopes reports whether the token was granted every scope in want.
func (t Token) HasScopes(want ...string) bool {
	for _, s := range want {
		if !slices.Contains(t.Scopes, s) {
			return false
		}
	}
	return true
}

type tokenKey struct{}

// WithToken returns a context carrying t.
func WithToken(ctx context.Context, t Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

// TokenFrom returns the token the guard accepted for the request whose
// context is ctx.
func TokenFrom(ctx context.Context) (Token, bool) {
	t, ok := ctx.Value(tokenKey{}).(Token)
	return t, ok
}
