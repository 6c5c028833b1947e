package tokens

import (
	"fmt"
	"slices"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ID token signature algorithms (OpenID Connect Core §3.1.3.7, §15.1):
// RS256 is the default because every relying party must support it.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
)

// ClaimLimitReached names the claims a token carries cut to their size
// limit (docs/design.md §2).
const ClaimLimitReached = "claim_type_limit_reached"

// reservedClaims are set by Latchkey itself: a user claim of one of these
// names is never copied into a token.
var reservedClaims = []string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "client_id", "scope", "sid",
	"auth_time", "nonce", "at_hash", "c_hash", "azp", "acr", "amr", "cnf", "act", "may_act",
	ClaimLimitReached,
}

// maxClaimNameLen bounds a claim name, in bytes.
const maxClaimNameLen = 64

// ValidClaimName reports whether name may name a user claim: 1 to 64
// bytes of letters, digits and _ - . :
func ValidClaimName(name string) bool {
	if name == "" || len(name) > maxClaimNameLen {
		return false
	}
	for _, r := range name {
		ok := r == '_' || r == '-' || r == '.' || r == ':' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// claimProblems lists what is wrong with a client's ID token and claim
// settings.
func (c Client) claimProblems() []string {
	var p []string
	if c.IDTokenAlg != "" && c.IDTokenAlg != AlgRS256 && c.IDTokenAlg != AlgES256 {
		p = append(p, "id token alg must be RS256 or ES256")
	}
	for _, name := range c.AccessTokenClaims {
		if !ValidClaimName(name) || slices.Contains(reservedClaims, name) {
			p = append(p, fmt.Sprintf("access token claim %q is not a claim a user may have", name))
		}
	}
	for name, limit := range c.ClaimSizeLimits {
		if !ValidClaimName(name) || limit <= 0 {
			p = append(p, fmt.Sprintf("claim size limit %q must name a claim and be a positive number of bytes", name))
		}
	}
	return p
}

// scopeClaims are the standard claims each scope value asks for (OpenID
// Connect Core §5.4).
var scopeClaims = map[string][]string{
	"profile": {"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"},
	"email":   {"email", "email_verified"},
	"address": {"address"},
	"phone":   {"phone_number", "phone_number_verified"},
}

// asksForClaims reports whether scopes ask for any standard claim.
func asksForClaims(scopes []string) bool {
	for _, sc := range scopes {
		if len(scopeClaims[sc]) > 0 {
			return true
		}
	}
	return false
}

// StandardScopes are the OpenID Connect scope values Latchkey serves
// claims for, in the order discovery lists them.
var StandardScopes = []string{ScopeOpenID, "profile", "email", "address", "phone", oauth.ScopeOfflineAccess}

// StandardClaims are every claim discovery lists (claims_supported).
func StandardClaims() []string {
	out := []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid", "azp"}
	for _, sc := range StandardScopes {
		out = append(out, scopeClaims[sc]...)
	}
	return append(out, ClaimLimitReached)
}

// ClaimsForScopes returns the user's standard claims that scopes allow
// (OpenID Connect Core §5.4), or nil when there are none.
func ClaimsForScopes(claims map[string]any, scopes []string) map[string]any {
	var names []string
	for _, sc := range scopes {
		names = append(names, scopeClaims[sc]...)
	}
	return pick(claims, names)
}

// pick returns the claims named in names that the user has, never a
// reserved one, or nil when there are none.
func pick(claims map[string]any, names []string) map[string]any {
	var out map[string]any
	for _, n := range names {
		v, ok := claims[n]
		if !ok || slices.Contains(reservedClaims, n) {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[n] = v
	}
	return out
}

// sessionClaims are the user's claims a session keeps for the tokens its
// refreshes issue: the standard claims its scopes allow and the client's
// access token claims, uncut. A refresh reads no user (docs/design.md §6's
// budget), so these are the values as of sign-in.
func sessionClaims(c Client, user map[string]any, scopes []string) map[string]any {
	out := ClaimsForScopes(user, scopes)
	for n, v := range pick(user, c.AccessTokenClaims) {
		if out == nil {
			out = map[string]any{}
		}
		out[n] = v
	}
	return out
}

// accessTokenClaims are the user claims the client's access tokens carry,
// cut to the client's limits.
func accessTokenClaims(c Client, user map[string]any) map[string]any {
	return cutClaims(pick(user, c.AccessTokenClaims), c.ClaimSizeLimits)
}
