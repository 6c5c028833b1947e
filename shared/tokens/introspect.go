package tokens

import (
	"context"
	"errors"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Introspect implements RFC 7662 §2 for an authenticated caller. A client
// may introspect the tokens issued to it; a client registered with
// Introspect (a resource server) may introspect any token. Every token
// that is bad, expired, revoked, of a revoked session or not the caller's
// to see is exactly {"active": false} (§2.2).
func (s *Service) Introspect(ctx context.Context, caller Client, token string) (oauth.IntrospectionResponse, error) {
	if caller.Public() {
		// A client_id alone proves nothing; RFC 7662 §2.1 wants the
		// caller authorized.
		return oauth.IntrospectionResponse{}, s.clientAuthFailed(ctx, caller.ID, "public_client_introspection")
	}
	info, err := s.inspect(ctx, token)
	if errors.Is(err, errInactive) {
		return oauth.IntrospectionResponse{}, nil
	}
	if err != nil {
		return oauth.IntrospectionResponse{}, err
	}
	if !caller.Introspect && info.ClientID != caller.ID {
		return oauth.IntrospectionResponse{}, nil
	}
	if info.Kind == KindLongLived {
		s.touchLongLived(ctx, info)
	}
	return oauth.IntrospectionResponse{
		Active: true, Scope: oauth.JoinScope(info.Scopes), ClientID: info.ClientID,
		TokenType: tokenTypeOf(info.Kind), Exp: unixOrZero(info.ExpiresAt), Iat: unixOrZero(info.IssuedAt),
		Sub: info.Subject, Aud: info.Audience, Iss: s.Issuer(ctx), Jti: info.JTI, Sid: info.SessionID,
	}, nil
}

// tokenTypeOf names a kind in RFC 7662's token_type: access tokens are
// Bearer tokens (RFC 6750); the others say what they are.
func tokenTypeOf(kind string) string {
	if kind == KindAccess || kind == KindLongLived {
		return oauth.TokenTypeBearer
	}
	return kind
}

// Principal is who a bearer token speaks for.
type Principal struct {
	Subject  string
	ClientID string
	Scopes   []string
}

// Scope names that grant administrative operations (DESIGN.md §2).
const (
	ScopeAdmin          = "latchkey:admin"
	ScopeTokensMint     = "tokens:mint"
	ScopeSessionsRead   = "sessions:read"
	ScopeSessionsRevoke = "sessions:revoke"
)

// Can reports whether the principal holds latchkey:admin or the given
// fine-grained scope.
func (p Principal) Can(scope string) bool {
	return slices.Contains(p.Scopes, ScopeAdmin) || slices.Contains(p.Scopes, scope)
}

// Authenticate checks a bearer token (RFC 6750) with the same verdict as
// introspection: revoked tokens and tokens of revoked sessions do not
// authenticate. Refresh tokens are not bearer credentials.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, oauth.BearerRequired()
	}
	info, err := s.inspect(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	if info.Kind == KindRefresh {
		return Principal{}, errInactive
	}
	if info.Kind == KindLongLived {
		s.touchLongLived(ctx, info)
	}
	return Principal{Subject: info.Subject, ClientID: info.ClientID, Scopes: info.Scopes}, nil
}

func unixOrZero(t interface{ Unix() int64 }) int64 {
	if u := t.Unix(); u > 0 {
		return u
	}
	return 0
}
