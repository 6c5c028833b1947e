package resourceserver_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/resourceserver"
)

func with(edit func(map[string]any)) map[string]any {
	c := claims()
	edit(c)
	return c
}

// TestVerify holds JWT verification to RFC 9068 §4 and RFC 8725: every
// token but the genuine one, and the one within the leeway, is refused as
// invalid (never as an outage).
func TestVerify(t *testing.T) {
	f := newFakeIssuer(t)
	clock := fakeclock.New(testStart)
	g := f.guard(clock, nil)
	pub := f.keys["k1"].Public()
	der, _ := x509.MarshalPKIXPublicKey(pub)
	hs256, _ := jws.Sign(mustJSON(claims()), jws.WithKey(jwa.HS256, der, jws.WithProtectedHeaders(headers("k1", "at+jwt"))))
	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"genuine", f.sign("k1", claims(), nil), true},
		{"typ application/at+jwt", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Set(jws.TypeKey, "application/at+jwt") }), true},
		{"exp passed within the leeway", f.sign("k1", with(func(c map[string]any) { c["exp"] = testStart.Add(-5 * time.Second).Unix() }), nil), true},
		{"one of several audiences", f.sign("k1", with(func(c map[string]any) { c["aud"] = []string{"https://other.test", testResource} }), nil), true},
		{"alg none", jwtWithoutSignature(claims()), false},
		{"HS256 keyed with the public key", string(hs256), false},
		{"typ JWT (an ID token)", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Set(jws.TypeKey, "JWT") }), false},
		{"no typ", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Remove(jws.TypeKey) }), false},
		{"crit header", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Set(jws.CriticalKey, []string{"exp"}); _ = h.Set("exp", 1) }), false},
		{"no kid", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Remove(jws.KeyIDKey) }), false},
		{"unknown kid", f.sign("k1", claims(), func(h jws.Headers) { _ = h.Set(jws.KeyIDKey, "k9") }), false},
		{"another issuer", f.sign("k1", with(func(c map[string]any) { c["iss"] = "https://evil.test" }), nil), false},
		{"another resource", f.sign("k1", with(func(c map[string]any) { c["aud"] = []string{"https://other.test/mcp"} }), nil), false},
		{"the issuer as audience", f.sign("k1", with(func(c map[string]any) { c["aud"] = testIssuer }), nil), false},
		{"no aud", f.sign("k1", with(func(c map[string]any) { delete(c, "aud") }), nil), false},
		{"no exp", f.sign("k1", with(func(c map[string]any) { delete(c, "exp") }), nil), false},
		{"no sub", f.sign("k1", with(func(c map[string]any) { delete(c, "sub") }), nil), false},
		{"expired beyond the leeway", f.sign("k1", with(func(c map[string]any) { c["exp"] = testStart.Add(-11 * time.Second).Unix() }), nil), false},
		{"nbf in the future", f.sign("k1", with(func(c map[string]any) { c["nbf"] = testStart.Add(time.Minute).Unix() }), nil), false},
		{"iat in the future", f.sign("k1", with(func(c map[string]any) { c["iat"] = testStart.Add(time.Minute).Unix() }), nil), false},
		{"signature of another token", tamper(f.sign("k1", claims(), nil)), false},
		{"garbage", "a.b.c", false},
		{"opaque without introspection", "lk_at_abc", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := g.Verify(context.Background(), tc.token)
			if tc.ok {
				if err != nil || tok.Subject != "usr_1" || !tok.HasScopes("notes:read") || tok.ClientID != "c1" {
					t.Fatalf("Verify = %+v, %v; want usr_1's token with notes:read", tok, err)
				}
				return
			}
			if !errors.Is(err, resourceserver.ErrInvalidToken) {
				t.Fatalf("Verify error = %v; want ErrInvalidToken", err)
			}
			t.Log(err)
		})
	}
}

func headers(kid, typ string) jws.Headers {
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, kid)
	_ = h.Set(jws.TypeKey, typ)
	return h
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// tamper swaps the payload for another's, keeping the signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	c := maps.Clone(claims())
	c["sub"] = "usr_admin"
	parts[1] = base64.RawURLEncoding.EncodeToString(mustJSON(c))
	return strings.Join(parts, ".")
}

// TestUnknownKIDRefreshIsBounded: the keys are fetched once, again for an
// unknown kid only when the last fetch is JWKSMinRefresh old, and again
// when JWKSCacheTTL has passed; 32 concurrent unknown kids cost one fetch.
func TestUnknownKIDRefreshIsBounded(t *testing.T) {
	f := newFakeIssuer(t)
	clock := fakeclock.New(testStart)
	g := f.guard(clock, nil)
	ctx := context.Background()
	verify := func(tok string) error { _, err := g.Verify(ctx, tok); return err }
	step := func(name string, err error, wantOK bool, wantFetches int64) {
		t.Helper()
		if (err == nil) != wantOK {
			t.Fatalf("%s: Verify error = %v; want ok %v", name, err, wantOK)
		}
		if got := f.fetches.Load(); got != wantFetches {
			t.Fatalf("%s: JWKS fetches = %d; want %d", name, got, wantFetches)
		}
	}
	step("first token", verify(f.sign("k1", claims(), nil)), true, 1)
	step("second token", verify(f.sign("k1", claims(), nil)), true, 1)
	f.addKey("k2")
	k2 := f.sign("k2", claims(), nil)
	step("new kid right after a fetch", verify(k2), false, 1)
	clock.Advance(resourceserver.DefaultJWKSMinRefresh)
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = verify(k2) }()
	}
	wg.Wait()
	for _, err := range errs {
		step("32 concurrent tokens of the new kid", err, true, 2)
	}
	step("made-up kid", verify(f.sign("k1", claims(), func(h jws.Headers) { _ = h.Set(jws.KeyIDKey, "k9") })), false, 2)
	clock.Advance(resourceserver.DefaultJWKSCacheTTL)
	step("after the cache TTL", verify(f.sign("k1", with(func(c map[string]any) { c["exp"] = clock.Now().Add(time.Minute).Unix() }), nil)), true, 3)
}

// TestJWKSOutage: with no keys fetched yet an unreachable JWKS is an
// outage, not an invalid token; keys fetched before stay in use while the
// JWKS is down.
func TestJWKSOutage(t *testing.T) {
	f := newFakeIssuer(t)
	clock := fakeclock.New(testStart)
	g := f.guard(clock, nil)
	ctx := context.Background()
	f.failing.Store(true)
	_, err := g.Verify(ctx, f.sign("k1", claims(), nil))
	if err == nil || errors.Is(err, resourceserver.ErrInvalidToken) {
		t.Fatalf("Verify with the JWKS down = %v; want an outage error", err)
	}
	f.failing.Store(false)
	clock.Advance(resourceserver.DefaultJWKSMinRefresh)
	if _, err := g.Verify(ctx, f.sign("k1", claims(), nil)); err != nil {
		t.Fatalf("Verify after recovery = %v; want ok", err)
	}
	f.failing.Store(true)
	clock.Advance(resourceserver.DefaultJWKSCacheTTL)
	c := with(func(c map[string]any) { c["exp"] = clock.Now().Add(time.Minute).Unix() })
	if _, err := g.Verify(ctx, f.sign("k1", c, nil)); err != nil {
		t.Fatalf("Verify with stale keys and the JWKS down = %v; want ok", err)
	}
}
