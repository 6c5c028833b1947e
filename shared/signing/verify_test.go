package signing

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jws"
)

// forge builds a compact JWS from header and claims, signed by sign.
func forge(t *testing.T, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	return input + "." + enc.EncodeToString(sign([]byte(input)))
}

// es256 signs with key the way jwx does (RFC 7518 §3.4), in the low-S
// form Sign writes (lows.go).
func es256(t *testing.T, key *ecdsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		s, err := jws.NewSigner(alg)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := s.Sign(input, key)
		if err != nil {
			t.Fatal(err)
		}
		return lowS(sig)
	}
}

// hs256 signs with secret as an HMAC key (RFC 7518 §3.2).
func hs256(secret []byte) func([]byte) []byte {
	return func(input []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(input)
		return m.Sum(nil)
	}
}

// rs256 signs with an RSA key (RFC 7518 §3.3).
func rs256(t *testing.T) func([]byte) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return func(input []byte) []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

// validClaims returns the claims of a valid token at now as JSON values.
func validClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": "user-42", "aud": "https://api.example.com",
		"exp": now.Add(15 * time.Minute).Unix(), "iat": now.Unix(), "jti": "jti-9",
		"client_id": "web-app", "scope": "orders:read",
	}
}

// with returns a copy of m with the given changes; a nil value deletes.
func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func TestVerifyRejects(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	ctx := context.Background()
	good, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	st := k.state.Load()
	ours := st.signer.priv
	kid := st.signer.kid
	pub := st.verify[kid]
	pubJWK, _ := json.Marshal(pub.jwk)
	pkix, _ := x509.MarshalPKIXPublicKey(pub.pub)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	point, _ := pub.pub.ECDH()
	stranger, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	now := clk.Now()
	hdr := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid}
	claims := validClaims(now)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(
		[]byte(`{"iss":"`+testIssuer+`","sub":"admin"}`)) + "." + parts[2]

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", forge(t, with(hdr, "alg", "none"), claims, func([]byte) []byte { return nil })},
		{"alg none, uppercase", forge(t, with(hdr, "alg", "NONE"), claims, func([]byte) []byte { return nil })},
		{"HS256 keyed with the public JWK", forge(t, with(hdr, "alg", "HS256"), claims, hs256(pubJWK))},
		{"HS256 keyed with the public PEM", forge(t, with(hdr, "alg", "HS256"), claims, hs256(pubPEM))},
		{"HS256 keyed with the public point", forge(t, with(hdr, "alg", "HS256"), claims, hs256(point.Bytes()))},
		{"RS256 with our kid", forge(t, with(hdr, "alg", "RS256"), claims, rs256(t))},
		{"ES384 header", forge(t, with(hdr, "alg", "ES384"), claims, es256(t, ours))},
		{"unknown kid", forge(t, with(hdr, "kid", "no-such-kid"), claims, es256(t, stranger))},
		{"no kid", forge(t, with(hdr, "kid", nil), claims, es256(t, ours))},
		{"our kid, another key", forge(t, hdr, claims, es256(t, stranger))},
		{"typ JWT", forge(t, with(hdr, "typ", "JWT"), claims, es256(t, ours))},
		{"no typ", forge(t, with(hdr, "typ", nil), claims, es256(t, ours))},
		{"crit header", forge(t, with(hdr, "crit", []string{"exp"}, "exp", 1), claims, es256(t, ours))},
		{"wrong issuer", forge(t, hdr, with(claims, "iss", "https://evil.example.com"), es256(t, ours))},
		{"no issuer", forge(t, hdr, with(claims, "iss", nil), es256(t, ours))},
		{"expired", forge(t, hdr, with(claims, "exp", now.Unix()-1), es256(t, ours))},
		{"exp is now", forge(t, hdr, with(claims, "exp", now.Unix()), es256(t, ours))},
		{"no exp", forge(t, hdr, with(claims, "exp", nil), es256(t, ours))},
		{"issued in the future", forge(t, hdr, with(claims, "iat", now.Add(time.Minute).Unix()), es256(t, ours))},
		{"no client_id", forge(t, hdr, with(claims, "client_id", nil), es256(t, ours))},
		{"client_id not a string", forge(t, hdr, with(claims, "client_id", 7), es256(t, ours))},
		{"tampered payload", tampered},
		{"signature stripped", parts[0] + "." + parts[1] + "."},
		{"JSON serialization", `{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`},
		{"empty", ""},
		{"garbage", "not-a-token"},
		{"garbage parts", "a.b.c"},
		{"oversized", good + strings.Repeat("A", maxTokenLen)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.Verify(ctx, tt.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(%s) error = %v; want ErrInvalidToken", tt.name, err)
			}
			t.Log(err)
		})
	}
}

func TestVerifyAccepts(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	ctx := context.Background()
	if _, err := k.Sign(ctx, claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	st := k.state.Load()
	now := clk.Now()
	hdr := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": st.signer.kid}
	claims := validClaims(now)
	tests := []struct {
		name  string
		token string
	}{
		{"typ application/at+jwt (RFC 9068 §4)", forge(t, with(hdr, "typ", "application/at+jwt"), claims, es256(t, st.signer.priv))},
		{"typ in upper case", forge(t, with(hdr, "typ", "AT+JWT"), claims, es256(t, st.signer.priv))},
		{"iat a little ahead", forge(t, hdr, with(claims, "iat", now.Add(2*time.Second).Unix()), es256(t, st.signer.priv))},
		{"audience array", forge(t, hdr, with(claims, "aud", []string{"a", "b"}), es256(t, st.signer.priv))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := k.Verify(ctx, tt.token); err != nil {
				t.Errorf("Verify(%s) error = %v; want nil", tt.name, err)
			}
		})
	}
}

func TestVerifyExpiresWithClock(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	ctx := context.Background()
	tok, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(15*time.Minute - time.Second)
	if _, err := k.Verify(ctx, tok); err != nil {
		t.Fatalf("Verify() one second before exp: error = %v; want nil", err)
	}
	clk.Advance(time.Second)
	if _, err := k.Verify(ctx, tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify() at exp: error = %v; want ErrInvalidToken", err)
	}
}

func TestVerifyRejectsOtherIssuersToken(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	k := newKeys(t, store, clk, kek)
	other, err := New(Options{Store: store, KEK: kek, Issuer: "https://other.example.com", Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	c := claimsAt(clk.Now())
	c.Issuer = "https://other.example.com"
	tok, err := other.Sign(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Verify(context.Background(), tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify(other issuer's token) error = %v; want ErrInvalidToken", err)
	}
}
