package signing

import (
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// claimsOf converts a verified token into the core's claims.
func claimsOf(t jwt.Token) (tokens.AccessClaims, error) {
	private := t.PrivateClaims()
	c := tokens.AccessClaims{
		Issuer: t.Issuer(), Subject: t.Subject(), Audience: t.Audience(),
		ExpiresAt: t.Expiration(), IssuedAt: t.IssuedAt(), JTI: t.JwtID(),
	}
	var err error
	if c.ClientID, err = stringClaim(private, "client_id"); err != nil {
		return tokens.AccessClaims{}, err
	}
	if c.SessionID, err = stringClaim(private, "sid"); err != nil {
		return tokens.AccessClaims{}, err
	}
	scope, err := stringClaim(private, "scope")
	if err != nil {
		return tokens.AccessClaims{}, err
	}
	c.Scope = strings.Fields(scope)
	if c.AuthTime, err = numericDateClaim(private, "auth_time"); err != nil {
		return tokens.AccessClaims{}, err
	}
	if c.Act, err = actorClaim(private, "act"); err != nil {
		return tokens.AccessClaims{}, err
	}
	if c.MayAct, err = actorClaim(private, "may_act"); err != nil {
		return tokens.AccessClaims{}, err
	}
	return c, nil
}

// stringClaim returns a string claim, "" when it is absent.
func stringClaim(claims map[string]any, name string) (string, error) {
	v, ok := claims[name]
	if !ok {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is not a string", ErrInvalidToken, name)
	}
	return s, nil
}

// numericDateClaim returns a NumericDate claim (RFC 7519 §2), the zero time
// when it is absent.
func numericDateClaim(claims map[string]any, name string) (time.Time, error) {
	v, ok := claims[name]
	if !ok {
		return time.Time{}, nil
	}
	f, ok := v.(float64)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %s is not a NumericDate", ErrInvalidToken, name)
	}
	return time.Unix(int64(f), 0), nil
}
