package signing

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/latchkey/latchkey/shared/tokens"
)

// rsaBits is the size of the RS256 keys Latchkey makes (RFC 7518 §3.3
// asks for at least 2048 bits).
const rsaBits = 2048

// IDTokenType is the JOSE "typ" of an ID token: plain JWT, so that no ID
// token is ever taken for an at+jwt access token (RFC 9068 §4).
const IDTokenType = "JWT"

// idAlgs are the algorithms ID tokens may be signed with.
var idAlgs = []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256}

// algs returns the key families a Keys keeps.
func (o Options) algs() []string {
	if o.IDTokenRS256 {
		return []string{alg.String(), jwa.RS256.String()}
	}
	return []string{alg.String()}
}

// idPublic is a published key that can verify ID tokens.
type idPublic struct {
	alg jwa.SignatureAlgorithm
	pub any // *ecdsa.PublicKey or *rsa.PublicKey
	jwk jwk.Key
}

// idKey is an opened private key ready to sign ID tokens: its encoded
// protected header carries typ JWT.
type idKey struct {
	kid    string
	alg    jwa.SignatureAlgorithm
	priv   any // *ecdsa.PrivateKey or *rsa.PrivateKey
	prefix string
}

// idKeyCache keeps parsed RSA public keys and opened ID-token keys by kid,
// so a reload does no cryptography for keys already seen. Guarded by
// Keys.mu.
type idKeyCache struct {
	public map[string]*idPublic
	opened map[string]*idKey
}

func newIDKeyCache() idKeyCache {
	return idKeyCache{public: map[string]*idPublic{}, opened: map[string]*idKey{}}
}

// forget drops cached keys that are no longer published.
func (c idKeyCache) forget(published map[string]*idPublic) {
	for kid := range c.public {
		if published[kid] == nil {
			delete(c.public, kid)
		}
	}
	for kid := range c.opened {
		if published[kid] == nil {
			delete(c.opened, kid)
		}
	}
}

func newIDSigners() (map[string]jws.Signer, error) {
	out := map[string]jws.Signer{}
	for _, a := range idAlgs {
		s, err := jws.NewSigner(a)
		if err != nil {
			return nil, err
		}
		out[a.String()] = s
	}
	return out, nil
}

// publish adds rec to st: its public JWK to the JWKS, an ES256 key also to
// the keys that verify access tokens, every key to those that verify ID
// tokens. A record of an unknown algorithm is an error, as before.
func (k *Keys) publish(st *keyState, rec tokens.KeyRecord) (jwk.Key, error) {
	if rec.Alg != jwa.RS256.String() {
		vk, err := k.parsed(rec)
		if err != nil {
			return nil, err
		}
		st.verify[rec.KID] = vk
		st.idVerify[rec.KID] = &idPublic{alg: alg, pub: vk.pub, jwk: vk.jwk}
		return vk.jwk, nil
	}
	p, ok := k.ids.public[rec.KID]
	if !ok {
		var err error
		if p, err = parseRSAPublic(rec); err != nil {
			return nil, err
		}
		k.ids.public[rec.KID] = p
	}
	st.idVerify[rec.KID] = p
	return p.jwk, nil
}

// parseRSAPublic reads an RS256 record's public JWK: at least 2048 bits,
// kid matching the record, only the public part kept.
func parseRSAPublic(rec tokens.KeyRecord) (*idPublic, error) {
	key, err := jwk.ParseKey(rec.PublicJWK)
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	pub, err := key.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	var raw rsa.PublicKey
	if err := pub.Raw(&raw); err != nil || raw.N.BitLen() < rsaBits {
		return nil, fmt.Errorf("%w: kid %q: not an RSA key of at least %d bits", errBadRecord, rec.KID, rsaBits)
	}
	if pub.KeyID() != rec.KID {
		return nil, fmt.Errorf("%w: kid %q: JWK kid %q", errBadRecord, rec.KID, pub.KeyID())
	}
	return &idPublic{alg: jwa.RS256, pub: &raw, jwk: pub}, nil
}

// openIDKeys sets st.idSigners: the current ES256 key (already opened for
// access tokens) under an ID-token header, and the current key of every
// other family, opened once. A family whose key does not open leaves
// st.idErr; the others keep working.
func (k *Keys) openIDKeys(st *keyState) {
	st.idSigners = map[string]*idKey{}
	if k.sealer == nil {
		return
	}
	if sk := st.signer; sk != nil {
		ik, err := k.idKeyOf(sk.kid, alg, sk.priv)
		if err != nil {
			st.idErr = err
		} else {
			st.idSigners[alg.String()] = ik
		}
	}
	for _, a := range k.policy.algs {
		if a == alg.String() {
			continue
		}
		if err := k.openFamily(st, a); err != nil {
			st.idErr = err
		}
	}
}

// openFamily opens the current key of family a for ID tokens.
func (k *Keys) openFamily(st *keyState, a string) error {
	i := currentOf(st.set, a)
	if i < 0 {
		return fmt.Errorf("%w (%s)", ErrNoSigningKey, a)
	}
	rec := st.set.Keys[i]
	if ik, ok := k.ids.opened[rec.KID]; ok {
		st.idSigners[a] = ik
		return nil
	}
	priv, err := k.openRSA(rec, st.idVerify[rec.KID])
	if err != nil {
		return err
	}
	ik, err := k.idKeyOf(rec.KID, jwa.RS256, priv)
	if err != nil {
		return err
	}
	k.ids.opened[rec.KID] = ik
	st.idSigners[a] = ik
	return nil
}

// openRSA unseals an RS256 record's private key and checks that it is the
// private half of the record's public key.
func (k *Keys) openRSA(rec tokens.KeyRecord, pub *idPublic) (*rsa.PrivateKey, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: kid %q: not published", errBadRecord, rec.KID)
	}
	plain, err := k.sealer.open(rec.KID, rec.SealedPrivateJWK)
	if err != nil {
		return nil, err
	}
	key, err := jwk.ParseKey(plain)
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q: %w", errBadRecord, rec.KID, err)
	}
	var raw rsa.PrivateKey
	if err := key.Raw(&raw); err != nil || !raw.PublicKey.Equal(pub.pub) {
		return nil, fmt.Errorf("%w: kid %q: private key does not match", errBadRecord, rec.KID)
	}
	raw.Precompute() // CRT values, without which every signature costs several times more
	return &raw, nil
}

// idKeyOf builds the ID-token signing key of priv: alg, kid and typ JWT
// (OpenID Connect Core §2, RFC 7515 §4.1).
func (k *Keys) idKeyOf(kid string, a jwa.SignatureAlgorithm, priv any) (*idKey, error) {
	switch priv.(type) {
	case *ecdsa.PrivateKey, *rsa.PrivateKey:
	default:
		return nil, fmt.Errorf("%w: kid %q: unexpected key type", errBadRecord, kid)
	}
	h := jws.NewHeaders()
	for name, v := range map[string]any{jws.AlgorithmKey: a, jws.KeyIDKey: kid, jws.TypeKey: IDTokenType} {
		if err := h.Set(name, v); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return &idKey{kid: kid, alg: a, priv: priv, prefix: base64.RawURLEncoding.EncodeToString(b) + "."}, nil
}
