package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// ErrInvalidToken is wrapped by every error Verify returns for a token
// that is not a valid access token of this issuer.
var ErrInvalidToken = fmt.Errorf("signing: %w", tokens.ErrInvalidToken)

// maxTokenLen bounds the size of a token Verify will parse. Latchkey's
// tokens are well under 2 KiB; claim size limits keep them so.
const maxTokenLen = 16 << 10

// issuedAtSkew tolerates a signing container whose clock runs slightly
// ahead of the verifying one. It applies to iat only: exp is exact.
const issuedAtSkew = 5 * time.Second

// unknownKIDRefetch is the least age of a cached key set before a token
// naming an unknown kid makes Verify read the store again. The limit keeps
// tokens with made-up kids from turning into store reads.
const unknownKIDRefetch = 10 * time.Second

// errUnknownKID reports a kid that is not in the cached key set.
var errUnknownKID = errors.New("unknown kid")

// requiredClaims must be present in every access token (RFC 9068 §2.2).
var requiredClaims = []string{"iss", "sub", "aud", "exp", "iat", "jti", "client_id"}

// Verify checks an access token against the published key set and returns
// its claims (for introspection, RFC 7662 §2.2). It accepts only compact
// ES256 signatures by a published kid with typ at+jwt (RFC 9068 §4, RFC
// 8725 §3.1 and §3.11), the configured issuer (any iss when none is
// configured), and exp and iat valid on the injected clock. A token that fails any check gives an error wrapping
// ErrInvalidToken; a store failure while reading keys is returned as is.
func (k *Keys) Verify(ctx context.Context, token string) (tokens.AccessClaims, error) {
	st, err := k.fresh(ctx)
	if err != nil {
		return tokens.AccessClaims{}, err
	}
	if len(token) > maxTokenLen || strings.Count(token, ".") != 2 || !canonicalParts(token) {
		return tokens.AccessClaims{}, fmt.Errorf("%w: not a compact JWS in canonical base64url", ErrInvalidToken)
	}
	if !lowSignature(token) {
		return tokens.AccessClaims{}, fmt.Errorf("%w: not a low-S ES256 signature", ErrInvalidToken)
	}
	payload, err := verifySignature(token, st)
	if errors.Is(err, errUnknownKID) && k.now().Sub(st.loadedAt) >= unknownKIDRefetch {
		// A key created since the set was cached: a first key set, or a
		// rotation with no next key to promote.
		if st, err = k.refetch(ctx, st); err != nil {
			return tokens.AccessClaims{}, err
		}
		payload, err = verifySignature(token, st)
	}
	if err != nil {
		return tokens.AccessClaims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	t := jwt.New()
	if err := json.Unmarshal(payload, t); err != nil {
		return tokens.AccessClaims{}, fmt.Errorf("%w: claims: %w", ErrInvalidToken, err)
	}
	if err := jwt.Validate(t, k.validate...); err != nil {
		return tokens.AccessClaims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	c, err := claimsOf(t)
	if err != nil {
		return tokens.AccessClaims{}, err
	}
	if err := k.checkIssuer(ctx, c.Issuer); err != nil {
		return tokens.AccessClaims{}, err
	}
	return c, k.checkVerified(c)
}

// checkIssuer holds iss to this deployment's issuer (RFC 9068 §4): the
// configured one, which jwt.Validate has checked, or else the one the
// request was addressed to (tokens.WithIssuer). Without either there is
// nothing to hold it to, and the token is refused.
func (k *Keys) checkIssuer(ctx context.Context, iss string) error {
	if k.issuer != "" {
		return nil
	}
	switch want := tokens.RequestIssuer(ctx); {
	case want == "":
		return fmt.Errorf("%w: no issuer to check iss against", ErrInvalidToken)
	case iss != want:
		return fmt.Errorf("%w: iss %q is not %q", ErrInvalidToken, iss, want)
	}
	return nil
}

// checkVerified holds a verified token to what Sign would have produced:
// jwx treats an exp of 0 and empty strings as absent, which must not make
// a token that never expires or names nobody pass.
func (k *Keys) checkVerified(c tokens.AccessClaims) error {
	switch {
	case c.Subject == "" || c.JTI == "" || c.ClientID == "" || c.Issuer == "":
		return fmt.Errorf("%w: empty sub, jti, client_id or iss", ErrInvalidToken)
	case len(c.Audience) == 0 || slices.Contains(c.Audience, ""):
		return fmt.Errorf("%w: empty aud", ErrInvalidToken)
	case c.IssuedAt.Unix() <= 0 || !k.now().Before(c.ExpiresAt):
		return fmt.Errorf("%w: expired or without a lifetime", ErrInvalidToken)
	case c.ExpiresAt.Sub(c.IssuedAt) > k.policy.lifetime:
		return fmt.Errorf("%w: lifetime beyond the maximum", ErrInvalidToken)
	}
	return nil
}

// verifySignature checks the JWS and returns its payload.
func verifySignature(token string, st *keyState) ([]byte, error) {
	return jws.Verify([]byte(token), jws.WithCompact(), jws.WithKeyProvider(st.keyProvider()))
}

// keyProvider pins the algorithm and the key: it hands jws.Verify the
// ES256 public key named by kid, and nothing when the header asks for
// another algorithm (none, HS256 with the public key as secret, RS256),
// another typ, an unknown kid or critical extensions (RFC 7515 §4.1.11).
func (st *keyState) keyProvider() jws.KeyProvider {
	return jws.KeyProviderFunc(func(_ context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
		h := sig.ProtectedHeaders()
		switch typ := h.Type(); {
		case h.Algorithm() != alg:
			return fmt.Errorf("alg %q is not %s", h.Algorithm(), alg)
		case !strings.EqualFold(typ, AccessTokenType) && !strings.EqualFold(typ, "application/"+AccessTokenType):
			return fmt.Errorf("typ %q is not %s", typ, AccessTokenType)
		case len(h.Critical()) > 0:
			return errors.New("unsupported crit header")
		}
		vk, ok := st.verify[h.KeyID()]
		if !ok {
			return fmt.Errorf("%w %q", errUnknownKID, h.KeyID())
		}
		sink.Key(alg, vk.pub)
		return nil
	})
}

// validateOptions are the jwt.Validate options of Verify, built once.
func validateOptions(issuer string, now func() time.Time) []jwt.ValidateOption {
	opts := []jwt.ValidateOption{
		jwt.WithClock(jwt.ClockFunc(now)),
		jwt.WithResetValidators(true),
		jwt.WithValidator(jwt.IsExpirationValid()),
		jwt.WithValidator(jwt.IsNbfValid()),
		jwt.WithValidator(issuedAtValid(issuedAtSkew)),
	}
	if issuer != "" {
		opts = append(opts, jwt.WithIssuer(issuer))
	}
	for _, c := range requiredClaims {
		opts = append(opts, jwt.WithRequiredClaim(c))
	}
	return opts
}

// issuedAtValid rejects a token issued more than skew in the future.
func issuedAtValid(skew time.Duration) jwt.Validator {
	return jwt.ValidatorFunc(func(ctx context.Context, t jwt.Token) jwt.ValidationError {
		if t.IssuedAt().After(jwt.ValidationCtxClock(ctx).Now().Add(skew)) {
			return jwt.ErrInvalidIssuedAt()
		}
		return nil
	})
}

// lowSignature reports whether a token in canonical parts carries an
// ES256 signature in its low-S form (lows.go): the other form of a genuine
// signature is a second spelling of the same token.
func lowSignature(token string) bool {
	sig, err := base64.RawURLEncoding.DecodeString(token[strings.LastIndexByte(token, '.')+1:])
	return err == nil && isLowS(sig)
}

// canonicalParts reports whether every part of a compact JWS is unpadded
// base64url in its one canonical spelling. The signature covers the exact
// text of the first two parts (RFC 7515 §5.2), but jwx decodes leniently
// (CR and LF skipped, spare bits ignored, padding allowed), so without
// this check other spellings of a genuine token would verify too.
func canonicalParts(token string) bool {
	enc := base64.RawURLEncoding
	for _, part := range strings.Split(token, ".") {
		b, err := enc.Strict().DecodeString(part)
		if err != nil || enc.EncodeToString(b) != part {
			return false
		}
	}
	return true
}
