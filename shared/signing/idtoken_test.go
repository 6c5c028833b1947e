package signing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/signing/signingtest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// newIDKeys builds signing Keys with the RS256 family and test RSA keys.
func newIDKeys(t testing.TB, store tokens.KeyStore, clk *fakeclock.Clock) *Keys {
	t.Helper()
	k, err := New(Options{
		Store: store, KEK: newKEK(t), Issuer: testIssuer, Now: clk.Now,
		IDTokenRS256: true, GenerateRSA: signingtest.RSAKeys(),
	})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return k
}

func idClaimsAt(now time.Time) tokens.IDClaims {
	return tokens.IDClaims{
		Subject: "user-42", Audience: []string{"web-app"}, IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute),
		AuthTime: now.Add(-time.Minute), Nonce: "n-0S6_WzA2Mj", AccessTokenHash: "77QmUPtjPfzWtF2AnpK9RQ", SessionID: "sess-7",
		Claims: map[string]any{"email": "ada@example.com", "sub": "not-this-one", "groups": []any{"a", "b"}},
	}
}

// verifyWithJWKS checks token against the served key set with jwx, as a
// relying party would, and returns its claims.
func verifyWithJWKS(t *testing.T, k *Keys, token string, a jwa.SignatureAlgorithm) jwt.Token {
	t.Helper()
	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwk.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse([]byte(token), jwt.WithKeySet(set, jws.WithRequireKid(true)), jwt.WithValidate(false))
	if err != nil {
		t.Fatalf("verify %s ID token with the JWKS: %v", a, err)
	}
	if got := part(t, token, 0); got["alg"] != a.String() || got["typ"] != IDTokenType || got["kid"] == "" {
		t.Errorf("header = %v; want alg %s, typ %s and a kid", got, a, IDTokenType)
	}
	return tok
}

func TestSignIDToken(t *testing.T) {
	clk := newClock()
	k := newIDKeys(t, &memStore{}, clk)
	for _, a := range []jwa.SignatureAlgorithm{jwa.RS256, jwa.ES256} {
		t.Run(a.String(), func(t *testing.T) {
			token, err := k.SignIDToken(context.Background(), a.String(), idClaimsAt(clk.Now()))
			if err != nil {
				t.Fatalf("SignIDToken(%s) error = %v", a, err)
			}
			claims := verifyWithJWKS(t, k, token, a)
			priv := claims.PrivateClaims()
			if claims.Subject() != "user-42" || claims.Issuer() != testIssuer || len(claims.Audience()) != 1 || claims.Audience()[0] != "web-app" {
				t.Errorf("sub, iss, aud = %q, %q, %q; want user-42, %s, [web-app]", claims.Subject(), claims.Issuer(), claims.Audience(), testIssuer)
			}
			for name, want := range map[string]any{"nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ", "sid": "sess-7", "email": "ada@example.com"} {
				if priv[name] != want {
					t.Errorf("claim %s = %v; want %v", name, priv[name], want)
				}
			}
			if _, err := k.Verify(context.Background(), token); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(ID token) error = %v; want ErrInvalidToken: an ID token is no access token", err)
			}
		})
	}
}

func TestSignIDTokenRejectsBadClaims(t *testing.T) {
	clk := newClock()
	k := newIDKeys(t, &memStore{}, clk)
	now := clk.Now()
	for name, mutate := range map[string]func(*tokens.IDClaims){
		"no sub":         func(c *tokens.IDClaims) { c.Subject = "" },
		"no aud":         func(c *tokens.IDClaims) { c.Audience = nil },
		"other issuer":   func(c *tokens.IDClaims) { c.Issuer = "https://evil.example" },
		"exp before iat": func(c *tokens.IDClaims) { c.ExpiresAt = now.Add(-time.Second) },
		"too long":       func(c *tokens.IDClaims) { c.ExpiresAt = now.Add(DefaultMaxTokenLifetime + time.Second) },
	} {
		c := idClaimsAt(now)
		mutate(&c)
		if _, err := k.SignIDToken(context.Background(), "RS256", c); !errors.Is(err, ErrInvalidClaims) {
			t.Errorf("%s: SignIDToken error = %v; want ErrInvalidClaims", name, err)
		}
	}
	if _, err := k.SignIDToken(context.Background(), "HS256", idClaimsAt(now)); !errors.Is(err, ErrNoSigningKey) {
		t.Errorf("SignIDToken(HS256) error = %v; want ErrNoSigningKey", err)
	}
}

// familyKIDs returns the kids of family a by state.
func familyKIDs(ks tokens.KeySet, a string) map[string][]string {
	out := map[string][]string{}
	for _, r := range ks.Keys {
		if r.Alg == a {
			out[r.State] = append(out[r.State], r.KID)
		}
	}
	return out
}

func TestRS256FamilyRotatesWithES256(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	k := newIDKeys(t, store, clk)
	ctx := context.Background()
	first, err := k.SignIDToken(ctx, "RS256", idClaimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	before := familyKIDs(store.snapshot(), "RS256")
	if len(before[tokens.KeyCurrent]) != 1 || len(before[tokens.KeyNext]) != 1 {
		t.Fatalf("RS256 keys = %v; want one current and one next", before)
	}
	if got := kidOf(t, first); got != before[tokens.KeyCurrent][0] {
		t.Errorf("ID token kid = %s; want the current RS256 key %s", got, before[tokens.KeyCurrent][0])
	}
	if err := k.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	after := familyKIDs(store.snapshot(), "RS256")
	if len(after[tokens.KeyCurrent]) != 1 || after[tokens.KeyCurrent][0] != before[tokens.KeyNext][0] {
		t.Errorf("after Rotate, RS256 current = %v; want the former next key %v", after[tokens.KeyCurrent], before[tokens.KeyNext])
	}
	if len(after[tokens.KeyRetired]) != 1 || after[tokens.KeyRetired][0] != before[tokens.KeyCurrent][0] {
		t.Errorf("after Rotate, RS256 retired = %v; want the former current key", after[tokens.KeyRetired])
	}
	second, err := k.SignIDToken(ctx, "RS256", idClaimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, second) != after[tokens.KeyCurrent][0] {
		t.Errorf("after Rotate, ID token kid = %s; want %s", kidOf(t, second), after[tokens.KeyCurrent][0])
	}
	verifyWithJWKS(t, k, first, jwa.RS256) // the retired key is still published
	if got := len(familyKIDs(store.snapshot(), "ES256")[tokens.KeyRetired]); got != 1 {
		t.Errorf("ES256 retired keys = %d; want 1: the families rotate together", got)
	}
}

// A key set written before the RS256 family existed gets it on the next
// signing, and every key it had stays published.
func TestRS256FamilyAddedToOldKeySet(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	kek := newKEK(t)
	old := newKeys(t, store, clk, kek)
	ctx := context.Background()
	if _, err := old.JWKS(ctx); err != nil {
		t.Fatal(err)
	}
	oldKID := kidIn(t, store.snapshot(), tokens.KeyCurrent)
	k, err := New(Options{
		Store: store, KEK: kek, Issuer: testIssuer, Now: clk.Now,
		IDTokenRS256: true, GenerateRSA: signingtest.RSAKeys(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.SignIDToken(ctx, "RS256", idClaimsAt(clk.Now())); err != nil {
		t.Fatalf("SignIDToken on a key set without RS256 keys: %v", err)
	}
	if rs := familyKIDs(store.snapshot(), "RS256"); len(rs[tokens.KeyCurrent]) != 1 || len(rs[tokens.KeyNext]) != 1 {
		t.Errorf("RS256 keys = %v; want one current and one next", rs)
	}
	if !jwksHas(t, k, oldKID) {
		t.Errorf("JWKS lacks the ES256 key %s current before the family was added", oldKID)
	}
}

// A verify-only instance publishes the RS256 keys too, but never lets
// them verify an access token.
func TestVerifyOnlyPublishesRS256(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	k := newIDKeys(t, store, clk)
	if _, err := k.JWKS(context.Background()); err != nil {
		t.Fatal(err)
	}
	ro := newKeys(t, store, clk, nil)
	for _, kid := range familyKIDs(store.snapshot(), "RS256")[tokens.KeyCurrent] {
		if !jwksHas(t, ro, kid) {
			t.Errorf("verify-only JWKS lacks RS256 key %s", kid)
		}
	}
	if _, err := ro.SignIDToken(context.Background(), "RS256", idClaimsAt(clk.Now())); !errors.Is(err, ErrVerifyOnly) {
		t.Errorf("verify-only SignIDToken error = %v; want ErrVerifyOnly", err)
	}
}

// BenchmarkSignIDToken: the cost of an ID token per algorithm, with the
// key set loaded (RSA-2048 signing is the expensive one).
func BenchmarkSignIDToken(b *testing.B) {
	clk := newClock()
	k := newIDKeys(b, &memStore{}, clk)
	for _, a := range []string{"RS256", "ES256"} {
		b.Run(a, func(b *testing.B) {
			c := idClaimsAt(clk.Now())
			for b.Loop() {
				if _, err := k.SignIDToken(context.Background(), a, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
