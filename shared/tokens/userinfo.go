package tokens

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// UserClaimsStore changes users' claims and finds users by subject.
type UserClaimsStore interface {
	// SetUserClaims replaces the user's claims (none removes them) and
	// makes the user findable by subject; ErrNotFound for an unknown
	// username.
	SetUserClaims(ctx context.Context, username string, claims map[string]any) (User, error)
	// GetUserBySubject returns the Username, Subject and Claims of the
	// user with subject; ErrNotFound when its claims were never set.
	GetUserBySubject(ctx context.Context, subject string) (User, error)
}

// maxClaimsBytes bounds a user's claims, JSON-encoded.
const maxClaimsBytes = 32 << 10

// SetUserClaims replaces a user's claims: JSON values under names that
// are not Latchkey's own (sub, iss, ...). Tokens issued afterwards carry
// them; sessions keep the values they were signed in with.
func (s *Service) SetUserClaims(ctx context.Context, username string, claims map[string]any) (User, error) {
	if err := validateClaims(claims); err != nil {
		return User{}, err
	}
	name, ok := canonicalUsername(username)
	if !ok {
		return User{}, noSuch("user")
	}
	u, err := s.store.SetUserClaims(ctx, name, claims)
	if err != nil {
		return User{}, adminStoreError(err, "user")
	}
	return u, nil
}

func validateClaims(claims map[string]any) error {
	var problems []string
	for name := range claims {
		if !ValidClaimName(name) || slices.Contains(reservedClaims, name) {
			problems = append(problems, fmt.Sprintf("claim %q is not a name a user claim may have", name))
		}
	}
	if b, err := json.Marshal(claims); err != nil || len(b) > maxClaimsBytes {
		problems = append(problems, "claims must be JSON values of at most 32 KiB in all")
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return invalidSettings(problems...)
	}
	return nil
}

// UserInfo implements the UserInfo endpoint (OpenID Connect Core §5.3)
// for a bearer token: sub, the standard claims the token's scopes allow
// (§5.4) and the claims its client puts in access tokens, always in full
// (a token may carry them cut to size). The token must be active and hold
// openid; otherwise the answer is invalid_token or insufficient_scope
// (RFC 6750 §3.1). A user whose claims were never set has only sub.
func (s *Service) UserInfo(ctx context.Context, token string) (map[string]any, error) {
	if token == "" {
		return nil, oauth.BearerRequired()
	}
	info, err := s.inspect(ctx, token)
	if err != nil {
		return nil, err
	}
	switch {
	case info.Kind == KindRefresh:
		return nil, errInactive()
	case !wantsIDToken(info.Scopes):
		return nil, oauth.InsufficientScope("the token lacks the openid scope")
	}
	if info.Kind == KindLongLived {
		s.touchLongLived(ctx, info)
	}
	u, err := s.store.GetUserBySubject(ctx, info.Subject)
	if err != nil && !notFound(err) {
		return nil, storeError(err)
	}
	out := ClaimsForScopes(u.Claims, info.Scopes)
	if out == nil {
		out = map[string]any{}
	}
	extra, err := s.clientClaims(ctx, info.ClientID, u.Claims)
	if err != nil {
		return nil, err
	}
	for n, v := range extra {
		out[n] = v
	}
	out["sub"] = info.Subject
	return out, nil
}

// clientClaims returns the user claims the client puts in its access
// tokens, uncut; none when the token has no client (a long-lived token)
// or the client is gone.
func (s *Service) clientClaims(ctx context.Context, clientID string, claims map[string]any) (map[string]any, error) {
	if clientID == "" || len(claims) == 0 {
		return nil, nil
	}
	c, err := s.client(ctx, clientID)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	return pick(claims, c.AccessTokenClaims), nil
}
