package tokens

import (
	"context"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ClaimLatchkeyScopes is the user claim that lists the administrative
// scopes a user holds (set with `latchkey user set-claims`).
const ClaimLatchkeyScopes = "latchkey_scopes"

// adminScopes grant administrative operations (principal.go). A client
// may list them, so that one client (the console, say) serves users and
// administrators alike; a user's tokens carry one only when the user
// holds it. Without this, any user of such a client could ask for them.
var adminScopes = []string{ScopeAdmin, ScopeTokensMint, ScopeSessionsRead, ScopeSessionsRevoke}

// asksForAdmin reports whether scopes name an administrative scope.
func asksForAdmin(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(adminScopes, s) })
}

// heldScopes returns scopes without the administrative scopes u does not
// hold. Narrowing a grant is the server's right (RFC 6749 §3.3); the
// answer's scope says what was granted.
func heldScopes(u User, scopes []string) []string {
	if !asksForAdmin(scopes) {
		return scopes
	}
	held := userAdminScopes(u)
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool {
		return slices.Contains(adminScopes, s) && !slices.Contains(held, s)
	})
}

// userAdminScopes reads the latchkey_scopes claim: a list of strings, or
// one space-separated string.
func userAdminScopes(u User) []string {
	switch v := u.Claims[ClaimLatchkeyScopes].(type) {
	case string:
		return oauth.ParseScope(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// userGrant reads, with at most one user read, what a signed-in user
// brings to a code's tokens: the scopes the user may hold and the claims
// the scopes and the client ask for.
func (s *Service) userGrant(ctx context.Context, c Client, subject string, scopes []string) ([]string, map[string]any, error) {
	if !asksForAdmin(scopes) {
		claims, err := s.userClaims(ctx, c, subject, scopes)
		return scopes, claims, err
	}
	u, err := s.store.GetUserBySubject(ctx, subject)
	switch {
	case notFound(err):
		return heldScopes(User{}, scopes), nil, nil
	case err != nil:
		return nil, nil, storeError(err)
	}
	held := heldScopes(u, scopes)
	if len(c.AccessTokenClaims) == 0 && !asksForClaims(held) {
		return held, nil, nil
	}
	return held, u.Claims, nil
}
