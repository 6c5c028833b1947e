package signing

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Fuzz targets for JWT verification input (issue 5 §3). Verify must never
// panic and never accept a token that a key of the set did not sign. The
// key is fixed, so the committed corpus in testdata/fuzz holds real
// tokens that stay valid on the fixed test clock.

// fuzzScalar returns a fixed P-256 private key named by seed.
func fuzzScalar(t testing.TB, seed string) *ecdsa.PrivateKey {
	t.Helper()
	d := sha256.Sum256([]byte(seed))
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d[:])
	if err != nil {
		t.Fatalf("ParseRawPrivateKey: %v", err)
	}
	return key
}

// fuzzKeys returns Keys whose stored set holds one current key, the fixed
// key "latchkey fuzz key" sealed under a fixed KEK; the key, its kid and
// the clock.
func fuzzKeys(t testing.TB) (*Keys, *ecdsa.PrivateKey, string, *fakeclock.Clock) {
	t.Helper()
	clk := newClock()
	kek := bytes.Repeat([]byte{7}, KEKSize)
	raw := fuzzScalar(t, "latchkey fuzz key")
	priv, kid, err := privateJWK(raw)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := priv.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, _ := json.Marshal(pub)
	privJSON, _ := json.Marshal(priv)
	s, err := newSealer(kek)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal(kid, privJSON)
	if err != nil {
		t.Fatal(err)
	}
	now := clk.Now()
	rec := tokens.KeyRecord{
		KID: kid, Alg: alg.String(), State: tokens.KeyCurrent, PublicJWK: pubJSON,
		SealedPrivateJWK: sealed, CreatedAt: now, ActivatedAt: now,
	}
	store := &memStore{set: &tokens.KeySet{Version: 1, Keys: []tokens.KeyRecord{rec}}}
	return newKeys(t, store, clk, kek), raw, kid, clk
}

// FuzzVerify feeds Verify arbitrary strings, seeded with real tokens of
// the fixed key and their mutations. Whatever it accepts must carry a
// valid ES256 signature, checked here with crypto/ecdsa alone, by a key
// of the set named in its header, and claims valid at the clock's time.
func FuzzVerify(f *testing.F) {
	k, raw, kid, clk := fuzzKeys(f)
	ctx := context.Background()
	real, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		f.Fatal(err)
	}
	hdr := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid}
	claims := validClaims(clk.Now())
	stranger := fuzzScalar(f, "stranger")
	parts := strings.Split(real, ".")
	f.Add(real)
	f.Add(compact(hdr, claims, signer(raw)))
	f.Add(compact(hdr, claims, signer(stranger)))
	f.Add(compact(with(hdr, "alg", "none"), claims, func([]byte) []byte { return nil }))
	f.Add(compact(with(hdr, "alg", "HS256"), claims, hs256([]byte(kid))))
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(parts[0] + "." + parts[1] + "." + parts[2] + "=")
	f.Add(parts[0] + ".." + parts[2])
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := k.Verify(ctx, token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(%q) error = %v; want one wrapping ErrInvalidToken", token, err)
			}
			return
		}
		checkAccepted(t, k, clk.Now(), token, c)
	})
}

// FuzzVerifySigned signs arbitrary header and claims bytes, with the
// set's key or with a stranger's, so that the parsing behind a valid
// signature is fuzzed too. A stranger's signature is never accepted.
func FuzzVerifySigned(f *testing.F) {
	k, raw, id, clk := fuzzKeys(f)
	stranger := fuzzScalar(f, "stranger")
	now := clk.Now()
	hdr, _ := json.Marshal(map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": id})
	good, _ := json.Marshal(validClaims(now))
	f.Add(hdr, good, false)
	f.Add(hdr, good, true)
	f.Add(hdr, []byte(`{"iss":"`+testIssuer+`","sub":"u","aud":["a",7],"exp":1e300,"iat":-1e300,"jti":"j","client_id":"c","auth_time":"x"}`), false)
	f.Add(hdr, []byte(`{"iss":"`+testIssuer+`","sub":"u","aud":"a","exp":1740833100,"iat":1740830400,"jti":"j","client_id":"c","sid":{},"scope":["a"]}`), false)
	f.Add([]byte(`{"alg":"ES256","typ":"at+jwt","kid":"`+id+`","crit":["b64"],"b64":false}`), good, false)
	f.Add([]byte(`{"alg":"ES256","typ":"at+jwt","kid":"`+id+`","jwk":{"kty":"EC"}}`), good, true)
	f.Fuzz(func(t *testing.T, header, payload []byte, byStranger bool) {
		key := raw
		if byStranger {
			key = stranger
		}
		enc := base64.RawURLEncoding
		input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
		token := input + "." + enc.EncodeToString(signer(key)([]byte(input)))
		c, err := k.Verify(context.Background(), token)
		switch {
		case err != nil && !errors.Is(err, ErrInvalidToken):
			t.Errorf("Verify(%s) error = %v; want one wrapping ErrInvalidToken", token, err)
		case err == nil && byStranger:
			t.Errorf("Verify(%s) accepted a token signed by a key outside the set", token)
		case err == nil:
			checkAccepted(t, k, now, token, c)
		}
	})
}

// compact is forge for fuzz targets: the compact JWS of header and claims.
func compact(header, claims map[string]any, sign func([]byte) []byte) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	return input + "." + enc.EncodeToString(sign([]byte(input)))
}

// signer signs with key in ES256's R || S form (RFC 7518 §3.4), with
// crypto/ecdsa alone, in the low-S form Sign writes (lows.go).
func signer(key *ecdsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		d := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
		if err != nil {
			panic(err)
		}
		return lowS(append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...))
	}
}

// checkAccepted holds an accepted token to what Verify promises, without
// jwx: ES256 by a published kid, and the claims Latchkey requires.
func checkAccepted(t *testing.T, k *Keys, now time.Time, token string, c tokens.AccessClaims) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("Verify(%q) accepted a token of %d parts", token, len(parts))
	}
	var h struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
	}
	if err := json.Unmarshal(lenientBase64(parts[0]), &h); err != nil || h.Alg != "ES256" {
		t.Fatalf("Verify(%q) accepted header %q; want alg ES256", token, lenientBase64(parts[0]))
	}
	vk, ok := k.state.Load().verify[h.KID]
	if !ok {
		t.Fatalf("Verify(%q) accepted kid %q, which is not in the key set", token, h.KID)
	}
	sig := lenientBase64(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(vk.pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatalf("Verify(%q) accepted a signature that crypto/ecdsa rejects", token)
	}
	switch {
	case c.Issuer != testIssuer:
		t.Errorf("Verify(%q) accepted iss %q; want %q", token, c.Issuer, testIssuer)
	case !now.Before(c.ExpiresAt):
		t.Errorf("Verify(%q) accepted exp %v at %v", token, c.ExpiresAt, now)
	case c.IssuedAt.After(now.Add(issuedAtSkew)):
		t.Errorf("Verify(%q) accepted iat %v at %v", token, c.IssuedAt, now)
	case c.Subject == "" || c.JTI == "" || c.ClientID == "" || len(c.Audience) == 0:
		t.Errorf("Verify(%q) accepted claims %+v missing sub, jti, client_id or aud", token, c)
	}
}

// lenientBase64 decodes s the way jwx does: base64url or standard, with
// or without padding. It returns nil when none applies.
func lenientBase64(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}

// TestVerifyRejectsWhatSignRefuses pins what FuzzVerifySigned found
// (testdata/fuzz/FuzzVerifySigned/exp-zero-empty-claims): Verify accepts
// tokens of the set's own key that Sign would never make. jwx reads exp 0
// as "no exp", so such a token never expires; the required claims are
// checked for presence only.
func TestVerifyRejectsWhatSignRefuses(t *testing.T) {
	k, raw, kid, clk := fuzzKeys(t)
	now := clk.Now()
	hdr := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid}
	claims := validClaims(now)
	tests := []struct {
		name   string
		claims map[string]any
	}{
		{"exp 0", with(claims, "exp", 0)},
		{"exp 0 and iat 0", with(claims, "exp", 0, "iat", 0)},
		{"empty sub", with(claims, "sub", "")},
		{"empty jti", with(claims, "jti", "")},
		{"empty client_id", with(claims, "client_id", "")},
		{"empty aud", with(claims, "aud", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := k.Verify(context.Background(), compact(hdr, tt.claims, signer(raw)))
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(token with %s) error = %v; want ErrInvalidToken", tt.name, err)
			}
		})
	}
}

// TestVerifyRejectsOtherSpellings pins what FuzzVerify found
// (testdata/fuzz/FuzzVerify/cr-and-spare-bits): a token is signed as the
// exact text of its first two parts (RFC 7515 §5.2), so another spelling
// of a genuine token, one that decodes to the same bytes, is not signed
// and must not verify. jwx decodes each part leniently (CR and LF
// skipped, spare bits ignored, padding allowed) and checks the signature
// over its own re-encoding, so today every such spelling verifies.
func TestVerifyRejectsOtherSpellings(t *testing.T) {
	k, raw, kid, clk := fuzzKeys(t)
	hdr := map[string]any{"alg": "ES256", "typ": "at+jwt", "kid": kid}
	good := compact(hdr, validClaims(clk.Now()), signer(raw))
	if _, err := k.Verify(context.Background(), good); err != nil {
		t.Fatalf("Verify(genuine token) error = %v; want nil", err)
	}
	p := strings.Split(good, ".")
	join := func(h, c, s string) string { return h + "." + c + "." + s }
	tests := []struct {
		name  string
		token string
	}{
		{"CR in the header", join(p[0][:10]+"\r"+p[0][10:], p[1], p[2])},
		{"LF in the payload", join(p[0], p[1][:10]+"\n"+p[1][10:], p[2])},
		{"CR LF in the signature", join(p[0], p[1], p[2][:10]+"\r\n"+p[2][10:])},
		{"spare bits set in the header", join(spareBitsSet(t, p[0]), p[1], p[2])},
		{"spare bits set in the payload", join(p[0], spareBitsSet(t, p[1]), p[2])},
		{"spare bits set in the signature", join(p[0], p[1], spareBitsSet(t, p[2]))},
		{"padded signature", join(p[0], p[1], p[2]+"==")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.token == good {
				t.Skip("this token has no such variant")
			}
			if _, err := k.Verify(context.Background(), tt.token); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(%q) error = %v; want ErrInvalidToken (the genuine token is %q)", tt.token, err, good)
			}
		})
	}
}

// spareBitsSet returns s, a base64url part, with the unused low bits of
// its last character set: it decodes to the same bytes with a lenient
// decoder. A part without spare bits comes back unchanged.
func spareBitsSet(t *testing.T, s string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	spare := map[int]int{2: 0b1111, 3: 0b11}[len(s)%4]
	i := strings.IndexByte(alphabet, s[len(s)-1])
	if spare == 0 || i < 0 {
		return s
	}
	return s[:len(s)-1] + string(alphabet[i|spare])
}
