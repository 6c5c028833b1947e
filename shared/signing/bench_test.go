package signing

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/fakeclock"
)

// benchKeys returns Keys with a key set already loaded.
func benchKeys(b *testing.B) (*Keys, *fakeclock.Clock) {
	b.Helper()
	clk := newClock()
	k := newKeys(b, &memStore{}, clk, newKEK(b))
	if _, err := k.JWKS(context.Background()); err != nil {
		b.Fatal(err)
	}
	return k, clk
}

// BenchmarkSign measures Sign as the token endpoint calls it: claims
// encoding, cache check, one ES256 signature.
func BenchmarkSign(b *testing.B) {
	k, clk := benchKeys(b)
	c := claimsAt(clk.Now())
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures Verify as introspection calls it.
func BenchmarkVerify(b *testing.B) {
	k, clk := benchKeys(b)
	ctx := context.Background()
	tok, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// The benchmarks below are the baselines behind Sign's design: the bare
// ES256 signature (and verification, for Verify), jws.Sign over the same
// pre-serialised claims, and jwx's jwt.Sign of an equivalent jwt.Token.

func BenchmarkBaselineES256(b *testing.B) {
	k, _ := benchKeys(b)
	priv := k.state.Load().signer.priv
	digest := sha256.Sum256([]byte("header.payload"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ecdsa.SignASN1(rand.Reader, priv, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineES256Verify is the bare verification Verify is built on.
func BenchmarkBaselineES256Verify(b *testing.B) {
	k, _ := benchKeys(b)
	priv := k.state.Load().signer.priv
	digest := sha256.Sum256([]byte("header.payload"))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, digest[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(&priv.PublicKey, digest[:], sig) {
			b.Fatal("VerifyASN1 rejected its own signature")
		}
	}
}

func BenchmarkBaselineJWSSign(b *testing.B) {
	k, clk := benchKeys(b)
	priv, hdrs := benchJWK(b, k)
	payload, err := k.encodeClaims(claimsAt(clk.Now()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jws.Sign(payload, jws.WithKey(alg, priv, jws.WithProtectedHeaders(hdrs))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineJWTSign(b *testing.B) {
	k, clk := benchKeys(b)
	priv, hdrs := benchJWK(b, k)
	c := claimsAt(clk.Now())
	b.ReportAllocs()
	for b.Loop() {
		t, err := jwt.NewBuilder().Issuer(c.Issuer).Subject(c.Subject).Audience(c.Audience).
			Expiration(c.ExpiresAt).IssuedAt(c.IssuedAt).JwtID(c.JTI).
			Claim("client_id", c.ClientID).Claim("scope", "openid offline_access orders:read").
			Claim("sid", c.SessionID).Claim("auth_time", c.AuthTime.Unix()).Build()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := jwt.Sign(t, jwt.WithKey(alg, priv, jws.WithProtectedHeaders(hdrs))); err != nil {
			b.Fatal(err)
		}
	}
}

// benchJWK returns the current key as a jwk.Key and the typ header.
func benchJWK(b *testing.B, k *Keys) (jwk.Key, jws.Headers) {
	b.Helper()
	sk := k.state.Load().signer
	priv, _, err := privateJWK(sk.priv)
	if err != nil {
		b.Fatal(err)
	}
	hdrs := jws.NewHeaders()
	if err := hdrs.Set(jws.TypeKey, AccessTokenType); err != nil {
		b.Fatal(err)
	}
	return priv, hdrs
}
