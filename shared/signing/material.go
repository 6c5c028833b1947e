package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/latchkey/latchkey/shared/tokens"
)

// AccessTokenType is the JOSE "typ" of an access token (RFC 9068 §2.1).
const AccessTokenType = "at+jwt"

// alg is the only signature algorithm Latchkey issues or accepts.
const alg = jwa.ES256

// errBadRecord reports a stored key record that cannot be used.
var errBadRecord = errors.New("signing: unusable key record")

// verifyKey is a published key ready for verification.
type verifyKey struct {
	kid string
	pub *ecdsa.PublicKey
	jwk jwk.Key // the public JWK, private fields stripped
}

// signingKey is an opened private key ready to sign: the raw key for the
// ES256 signer and the encoded protected header, built once per key.
type signingKey struct {
	kid    string
	priv   *ecdsa.PrivateKey
	prefix string // BASE64URL(protected header) + "."
}

// generate makes a fresh key of family a (a P-256 key for ES256, an
// RSA-2048 key for RS256) and its record in the given state.
func (k *Keys) generate(a, state string, now time.Time) (tokens.KeyRecord, error) {
	var raw any
	var err error
	switch a {
	case alg.String():
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jwa.RS256.String():
		raw, err = k.genRSA()
	default:
		err = fmt.Errorf("signing: unsupported key family %q", a)
	}
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	return k.sealer.record(raw, jwa.SignatureAlgorithm(a), state, now)
}

// record seals raw and returns its record in the given state. The kid is
// the key's RFC 7638 thumbprint, so it names the key material itself.
func (s *sealer) record(raw any, a jwa.SignatureAlgorithm, state string, now time.Time) (tokens.KeyRecord, error) {
	priv, kid, err := privateJWKAlg(raw, a)
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	pub, err := priv.PublicKey()
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	privJSON, err := json.Marshal(priv)
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	sealed, err := s.seal(kid, privJSON)
	clear(privJSON)
	if err != nil {
		return tokens.KeyRecord{}, err
	}
	return tokens.KeyRecord{
		KID: kid, Alg: a.String(), State: state,
		PublicJWK: pubJSON, SealedPrivateJWK: sealed, CreatedAt: now,
	}, nil
}

// privateJWK wraps raw as a JWK with kid, alg ES256 and use sig
// (RFC 7517 §4.2–4.5).
func privateJWK(raw *ecdsa.PrivateKey) (jwk.Key, string, error) { return privateJWKAlg(raw, alg) }

// privateJWKAlg wraps raw as a JWK with kid, alg a and use sig.
func privateJWKAlg(raw any, a jwa.SignatureAlgorithm) (jwk.Key, string, error) {
	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, "", err
	}
	tp, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", err
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	for k, v := range map[string]any{
		jwk.KeyIDKey: kid, jwk.AlgorithmKey: a, jwk.KeyUsageKey: jwk.ForSignature,
	} {
		if err := key.Set(k, v); err != nil {
			return nil, "", err
		}
	}
	return key, kid, nil
}

// parsePublic reads a record's public JWK. It accepts only ES256 P-256 keys
// whose kid matches the record, and keeps only the public part even if a
// private field were ever stored in clear.
func parsePublic(rec tokens.KeyRecord) (*verifyKey, error) {
	if rec.Alg != alg.String() {
		return nil, fmt.Errorf("%w: kid %q: alg %q", errBadRecord, rec.KID, rec.Alg)
	}
	key, err := jwk.ParseKey(rec.PublicJWK)
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	var raw ecdsa.PublicKey
	if err := pub.Raw(&raw); err != nil || raw.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: kid %q: not a P-256 key", errBadRecord, rec.KID)
	}
	if pub.KeyID() != rec.KID {
		return nil, fmt.Errorf("%w: kid %q: JWK kid %q", errBadRecord, rec.KID, pub.KeyID())
	}
	return &verifyKey{kid: rec.KID, pub: &raw, jwk: pub}, nil
}

// openPrivate unseals a record's private key and checks that it is the
// private half of the record's public key.
func (s *sealer) openPrivate(rec tokens.KeyRecord, vk *verifyKey) (*signingKey, error) {
	plain, err := s.open(rec.KID, rec.SealedPrivateJWK)
	if err != nil {
		return nil, err
	}
	key, err := jwk.ParseKey(plain)
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	var raw ecdsa.PrivateKey
	if err := key.Raw(&raw); err != nil || !raw.PublicKey.Equal(vk.pub) {
		return nil, fmt.Errorf("%w: kid %q: private key does not match", errBadRecord, rec.KID)
	}
	prefix, err := protectedHeader(rec.KID)
	if err != nil {
		return nil, err
	}
	return &signingKey{kid: rec.KID, priv: &raw, prefix: prefix}, nil
}

// protectedHeader encodes the JOSE header of every token a key signs:
// alg ES256, its kid and typ at+jwt (RFC 9068 §2.1, RFC 7515 §4.1).
func protectedHeader(kid string) (string, error) {
	h := jws.NewHeaders()
	for k, v := range map[string]any{
		jws.AlgorithmKey: alg, jws.KeyIDKey: kid, jws.TypeKey: AccessTokenType,
	} {
		if err := h.Set(k, v); err != nil {
			return "", err
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b) + ".", nil
}
