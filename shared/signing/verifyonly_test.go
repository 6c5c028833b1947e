package signing

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func TestVerifyOnly(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	ctx := context.Background()
	ro := newKeys(t, store, clk, nil)

	jwks, err := ro.JWKS(ctx)
	if err != nil || string(jwks) != `{"keys":[]}` {
		t.Errorf("JWKS() on an empty store = %s, %v; want {\"keys\":[]}", jwks, err)
	}
	if _, puts := store.counts(); puts != 0 {
		t.Errorf("verify-only instance wrote %d times; want 0", puts)
	}
	if _, err := ro.Sign(ctx, claimsAt(clk.Now())); !errors.Is(err, ErrVerifyOnly) {
		t.Errorf("Sign() error = %v; want ErrVerifyOnly", err)
	}
	if err := ro.Rotate(ctx); !errors.Is(err, ErrVerifyOnly) {
		t.Errorf("Rotate() error = %v; want ErrVerifyOnly", err)
	}

	signer := newKeys(t, store, clk, newKEK(t))
	tok, err := signer.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	// The verify-only instance cached the empty set; a token with a kid
	// it has not seen makes it read again, at most once per interval.
	clk.Advance(unknownKIDRefetch)
	if _, err := ro.Verify(ctx, tok); err != nil {
		t.Errorf("verify-only Verify() error = %v; want nil", err)
	}
	got, _ := ro.JWKS(ctx)
	want, _ := signer.JWKS(ctx)
	if !bytes.Equal(got, want) {
		t.Errorf("verify-only JWKS() = %s; want the signer's %s", got, want)
	}
}

func TestUnknownKIDRefetchIsLimited(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	ctx := context.Background()
	signer := newKeys(t, store, clk, newKEK(t))
	if _, err := signer.JWKS(ctx); err != nil {
		t.Fatal(err)
	}
	ro := newKeys(t, store, clk, nil)
	stranger := newKeys(t, &memStore{}, clk, newKEK(t))
	forged, err := stranger.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	gets0, _ := store.counts()
	for i := 0; i < 30; i++ { // 30 s of unknown kids, one a second
		if _, err := ro.Verify(ctx, forged); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("Verify(unknown kid) error = %v; want ErrInvalidToken", err)
		}
		clk.Advance(time.Second)
	}
	if gets, _ := store.counts(); gets-gets0 > 4 {
		t.Errorf("store reads for 30 s of unknown kids = %d; want at most 4", gets-gets0)
	}
}

func TestJWKSHasOnlyPublicKeys(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	ctx := context.Background()
	if err := k.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := k.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := k.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 3 {
		t.Errorf("JWKS has %d keys; want 3 (next, current, retired)", len(set.Keys))
	}
	allowed := map[string]bool{"kty": true, "crv": true, "x": true, "y": true, "kid": true, "alg": true, "use": true}
	for _, key := range set.Keys {
		for name := range key {
			if !allowed[name] {
				t.Errorf("JWKS key %v has member %q", key["kid"], name)
			}
		}
		if key["kty"] != "EC" || key["crv"] != "P-256" || key["alg"] != "ES256" || key["use"] != "sig" {
			t.Errorf("JWKS key = %v; want kty EC, crv P-256, alg ES256, use sig", key)
		}
	}
	for _, info := range mustList(t, k) {
		if !jwksHas(t, k, info.KID) {
			t.Errorf("JWKS lacks stored key %s (%s)", info.KID, info.State)
		}
	}
}

func TestNoPlaintextPrivateKeyAtRest(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	k := newKeys(t, store, clk, kek)
	if _, err := k.Sign(context.Background(), claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	s, _ := newSealer(kek)
	dump, _ := json.Marshal(store.snapshot())
	for _, rec := range store.snapshot().Keys {
		d := privateScalar(t, s, rec)
		encoded := []string{base64.RawURLEncoding.EncodeToString(d), base64.StdEncoding.EncodeToString(d)}
		for _, haystack := range [][]byte{rec.SealedPrivateJWK, rec.PublicJWK, dump} {
			if bytes.Contains(haystack, d) {
				t.Errorf("kid %s: raw private scalar found at rest", rec.KID)
			}
			for _, e := range encoded {
				if strings.Contains(string(haystack), e) {
					t.Errorf("kid %s: encoded private scalar found at rest", rec.KID)
				}
			}
		}
		var pub map[string]any
		if err := json.Unmarshal(rec.PublicJWK, &pub); err != nil || pub["d"] != nil {
			t.Errorf("kid %s: PublicJWK = %s; want a JWK without d", rec.KID, rec.PublicJWK)
		}
	}
}

// privateScalar opens rec and returns the private key's d as 32 bytes.
func privateScalar(t *testing.T, s *sealer, rec tokens.KeyRecord) []byte {
	t.Helper()
	vk, err := parsePublic(rec)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := s.openPrivate(rec, vk)
	if err != nil {
		t.Fatal(err)
	}
	return scalarBytes(sk.priv)
}

func scalarBytes(k *ecdsa.PrivateKey) []byte {
	d := make([]byte, 32)
	return k.D.FillBytes(d)
}

// jwksHas reports whether the JWKS of k publishes kid.
func jwksHas(t *testing.T, k *Keys, kid string) bool {
	t.Helper()
	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []struct{ Kid string } }
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	for _, key := range set.Keys {
		if key.Kid == kid {
			return true
		}
	}
	return false
}

func mustList(t *testing.T, k *Keys) []KeyInfo {
	t.Helper()
	list, err := k.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}
