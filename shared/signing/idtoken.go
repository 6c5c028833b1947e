package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/latchkey/latchkey/shared/tokens"
)

var _ tokens.IDTokenSigner = (*Keys)(nil)

// idWire is the registered part of an ID token's claims (OpenID Connect
// Core §2). NumericDates are whole seconds.
type idWire struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience any    `json:"aud"` // a string when there is one, else an array
	Expires  int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	AuthTime int64  `json:"auth_time,omitempty"`
	Nonce    string `json:"nonce,omitempty"`
	ATHash   string `json:"at_hash,omitempty"`
	SID      string `json:"sid,omitempty"`
	AZP      string `json:"azp,omitempty"`
}

// SignIDToken returns the compact JWS of an ID token signed with the
// current key of family a (RS256 or ES256), header typ JWT. An empty
// c.Issuer means the configured issuer; another issuer than the configured
// one, a missing iss, sub, aud, exp or iat, or a lifetime beyond
// MaxTokenLifetime is an error wrapping ErrInvalidClaims. User claims in
// c.Claims never replace the registered ones.
func (k *Keys) SignIDToken(ctx context.Context, a string, c tokens.IDClaims) (string, error) {
	payload, err := k.encodeIDClaims(c)
	if err != nil {
		return "", err
	}
	st, err := k.signing(ctx)
	if err != nil {
		return "", err
	}
	ik, ok := st.idSigners[a]
	if !ok {
		if st.idErr != nil {
			return "", st.idErr
		}
		return "", fmt.Errorf("%w for %q ID tokens", ErrNoSigningKey, a)
	}
	return ik.sign(k.idSigners[a], payload)
}

// sign builds the JWS Signing Input, signs it and appends the signature
// (RFC 7515 §5.1).
func (ik *idKey) sign(s jwsSigner, payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := append([]byte(ik.prefix), enc.EncodeToString(payload)...)
	sig, err := s.Sign(buf, ik.priv)
	if err != nil {
		return "", fmt.Errorf("signing: sign ID token: %w", err)
	}
	if ik.alg == alg {
		sig = lowS(sig) // one spelling of an ES256 signature, as Sign writes (lows.go)
	}
	buf = append(buf, '.')
	return string(enc.AppendEncode(buf, sig)), nil
}

// encodeIDClaims checks c and returns its JSON claims set.
func (k *Keys) encodeIDClaims(c tokens.IDClaims) ([]byte, error) {
	if c.Issuer == "" {
		c.Issuer = k.issuer
	}
	if err := k.checkIDClaims(c); err != nil {
		return nil, err
	}
	w := idWire{
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
		Expires: c.ExpiresAt.Unix(), IssuedAt: c.IssuedAt.Unix(),
		Nonce: c.Nonce, ATHash: c.AccessTokenHash, SID: c.SessionID, AZP: c.AuthorizedParty,
	}
	if len(c.Audience) == 1 {
		w.Audience = c.Audience[0]
	}
	if !c.AuthTime.IsZero() {
		w.AuthTime = c.AuthTime.Unix()
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	return withExtra(b, c.Claims)
}

// checkIDClaims checks the claims OpenID Connect Core §2 requires, and
// that the token does not outlive its key's publication.
func (k *Keys) checkIDClaims(c tokens.IDClaims) error {
	var problem string
	switch {
	case c.Issuer == "":
		problem = "iss is required"
	case k.issuer != "" && c.Issuer != k.issuer:
		problem = fmt.Sprintf("issuer %q is not %q", c.Issuer, k.issuer)
	case c.Subject == "", len(c.Audience) == 0:
		problem = "sub and aud are required"
	case c.ExpiresAt.IsZero(), c.IssuedAt.IsZero():
		problem = "exp and iat are required"
	case !c.ExpiresAt.After(c.IssuedAt):
		problem = "exp is not after iat"
	case c.ExpiresAt.Sub(c.IssuedAt) > k.policy.lifetime:
		problem = fmt.Sprintf("lifetime %v exceeds MaxTokenLifetime %v", c.ExpiresAt.Sub(c.IssuedAt), k.policy.lifetime)
	default:
		return nil
	}
	return fmt.Errorf("%w: ID token: %s", ErrInvalidClaims, problem)
}
