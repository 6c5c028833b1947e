package tokens

import (
	"fmt"
	"slices"
)

// ID token signature algorithms (OpenID Connect Core §3.1.3.7, §15.1):
// RS256 is the default because every relying party must support it.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
)

// ClaimLimitReached names the claims a token carries cut to their size
// limit (DESIGN.md §2).
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
