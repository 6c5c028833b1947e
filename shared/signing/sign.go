package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/shared/tokens"
)

// ErrInvalidClaims reports claims that cannot make an RFC 9068 access
// token. It is a bug in the caller, not a client error.
var ErrInvalidClaims = errors.New("signing: invalid access token claims")

// wireClaims is the JWT Claims Set of an access token (RFC 9068 §2.2).
// NumericDates are whole seconds (RFC 7519 §2).
type wireClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience any    `json:"aud"` // a string when there is one, else an array (RFC 7519 §4.1.3)
	Expires  int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	JTI      string `json:"jti"`
	ClientID string `json:"client_id"`
	Scope    string `json:"scope,omitempty"`
	SID      string `json:"sid,omitempty"`
	AuthTime int64  `json:"auth_time,omitempty"`
	// Act and MayAct are RFC 8693 §4.1 and §4.4's delegation claims.
	Act    *wireActor `json:"act,omitempty"`
	MayAct *wireActor `json:"may_act,omitempty"`
}

// Sign returns the compact JWS (RFC 7515 §7.1) of c signed with the current
// key: an RFC 9068 access token with typ at+jwt, kid and alg ES256. An
// empty c.Issuer means the configured issuer; another issuer than the
// configured one, missing required claims, or a lifetime beyond
// MaxTokenLifetime is an error wrapping ErrInvalidClaims.
//
// The protected header is encoded once per key and the claims with
// encoding/json; jwx's ES256 signer makes the signature. This avoids
// building a jwt.Token and a jws.Message for every token.
func (k *Keys) Sign(ctx context.Context, c tokens.AccessClaims) (string, error) {
	payload, err := k.encodeClaims(c)
	if err != nil {
		return "", err
	}
	st, err := k.signing(ctx)
	if err != nil {
		return "", err
	}
	return st.signer.sign(k.signer, payload)
}

// jwsSigner is the part of jws.Signer that sign uses.
type jwsSigner interface {
	Sign(payload []byte, key any) ([]byte, error)
}

// sign builds the JWS Signing Input, signs it and appends the signature
// (RFC 7515 §5.1). ES256 signatures are 64 bytes, 86 in base64url.
func (sk *signingKey) sign(s jwsSigner, payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(sk.prefix)+enc.EncodedLen(len(payload))+1+86)
	buf = append(buf, sk.prefix...)
	buf = enc.AppendEncode(buf, payload)
	sig, err := s.Sign(buf, sk.priv)
	if err != nil {
		return "", fmt.Errorf("signing: sign: %w", err)
	}
	sig = lowS(sig) // the one spelling Verify accepts (lows.go)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// encodeClaims checks c and returns its JSON claims set.
func (k *Keys) encodeClaims(c tokens.AccessClaims) ([]byte, error) {
	if err := k.checkClaims(&c); err != nil {
		return nil, err
	}
	w := wireClaims{
		Issuer: c.Issuer, Subject: c.Subject, Audience: c.Audience,
		Expires: c.ExpiresAt.Unix(), IssuedAt: c.IssuedAt.Unix(),
		JTI: c.JTI, ClientID: c.ClientID, Scope: strings.Join(c.Scope, " "),
		SID: c.SessionID, Act: wireActorOf(c.Act), MayAct: wireActorOf(c.MayAct),
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
	return withExtra(b, c.Extra)
}

// checkClaims fills in the issuer and checks the claims that RFC 9068 §2.2
// requires, and that the token does not outlive its key's publication.
func (k *Keys) checkClaims(c *tokens.AccessClaims) error {
	if c.Issuer == "" {
		c.Issuer = k.issuer
	}
	var problem string
	switch {
	case c.Issuer == "":
		problem = "iss is required"
	case k.issuer != "" && c.Issuer != k.issuer:
		problem = fmt.Sprintf("issuer %q is not %q", c.Issuer, k.issuer)
	case c.Subject == "", c.JTI == "", c.ClientID == "", len(c.Audience) == 0:
		problem = "sub, aud, jti and client_id are required"
	case c.ExpiresAt.IsZero(), c.IssuedAt.IsZero():
		problem = "exp and iat are required"
	case !c.ExpiresAt.After(c.IssuedAt):
		problem = "exp is not after iat"
	case c.ExpiresAt.Sub(c.IssuedAt) > k.policy.lifetime:
		problem = fmt.Sprintf("lifetime %v exceeds MaxTokenLifetime %v", c.ExpiresAt.Sub(c.IssuedAt), k.policy.lifetime)
	default:
		return nil
	}
	return fmt.Errorf("%w: %s", ErrInvalidClaims, problem)
}
