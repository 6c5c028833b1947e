package resourceserver

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// accessTokenType is RFC 9068 §2.1's typ, which keeps an ID token or any
// other JWT of the same issuer from passing for an access token (RFC 8725
// §3.11).
const accessTokenType = "at+jwt"

// looksLikeJWT reports whether token has the shape of a compact JWS.
func looksLikeJWT(token string) bool { return strings.Count(token, ".") == 2 }

// verifyJWT checks an access token as RFC 9068 §4 asks: one ES256
// signature (RFC 8725 §3.1: the algorithm is pinned, never read from the
// token) by a published key named by kid, typ at+jwt, no critical
// extensions; iss equal to the issuer; aud naming this resource; exp,
// nbf and iat valid within the leeway.
func (g *Guard) verifyJWT(ctx context.Context, token string) (Token, error) {
	kid, err := headerKID(token)
	if err != nil {
		return Token{}, err
	}
	key, err := g.keys.key(ctx, kid)
	if errors.Is(err, errUnknownKID) {
		return Token{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err != nil {
		return Token{}, err
	}
	t, err := jwt.Parse([]byte(token),
		jwt.WithKey(jwa.ES256, key), jwt.WithValidate(true),
		jwt.WithIssuer(g.cfg.Issuer), jwt.WithAudience(g.cfg.Resource),
		jwt.WithRequiredClaim(jwt.ExpirationKey), jwt.WithRequiredClaim(jwt.SubjectKey),
		jwt.WithAcceptableSkew(g.cfg.Leeway), jwt.WithClock(jwt.ClockFunc(g.cfg.Now)))
	if err != nil {
		return Token{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return tokenOf(t), nil
}

// headerKID reads the protected header and returns its kid, refusing
// anything but one ES256 at+jwt signature without crit before any key is
// looked up.
func headerKID(token string) (string, error) {
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return "", fmt.Errorf("%w: not a compact JWS with one signature", ErrInvalidToken)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	typ := strings.ToLower(h.Type())
	switch {
	case h.Algorithm() != jwa.ES256:
		return "", fmt.Errorf("%w: alg %q is not ES256", ErrInvalidToken, h.Algorithm())
	case typ != accessTokenType && typ != "application/"+accessTokenType:
		return "", fmt.Errorf("%w: typ %q is not at+jwt", ErrInvalidToken, h.Type())
	case len(h.Critical()) > 0:
		return "", fmt.Errorf("%w: unsupported crit header", ErrInvalidToken)
	case h.KeyID() == "":
		return "", fmt.Errorf("%w: no kid", ErrInvalidToken)
	}
	return h.KeyID(), nil
}

// tokenOf copies a verified token's claims.
func tokenOf(t jwt.Token) Token {
	out := Token{
		Subject: t.Subject(), Audience: t.Audience(), Issuer: t.Issuer(), ID: t.JwtID(),
		IssuedAt: t.IssuedAt(), ExpiresAt: t.Expiration(),
	}
	out.ClientID = stringClaim(t, "client_id")
	out.SessionID = stringClaim(t, "sid")
	out.Scopes = strings.Fields(stringClaim(t, "scope"))
	return out
}

func stringClaim(t jwt.Token, name string) string {
	v, _ := t.Get(name)
	s, _ := v.(string)
	return s
}

// expired reports whether exp has passed by more than leeway; a zero
// exp never expires.
func expired(exp, now time.Time, leeway time.Duration) bool {
	return !exp.IsZero() && !now.Before(exp.Add(leeway))
}
