package tokens

import (
	"context"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Principal is who a bearer token speaks for.
type Principal struct {
	Subject  string
	ClientID string
	Scopes   []string
}

// Scope names that grant administrative operations (docs/design.md §2).
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
		return Principal{}, errInactive()
	}
	if info.Kind == KindLongLived {
		s.touchLongLived(ctx, info)
	}
	return Principal{Subject: info.Subject, ClientID: info.ClientID, Scopes: info.Scopes}, nil
}
