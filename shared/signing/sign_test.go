package signing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

var update = flag.Bool("update", false, "rewrite golden files")

// part decodes the i-th base64url part of a compact JWS as a JSON object.
func part(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts; want 3", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("part %d: %v", i, err)
	}
	return m
}

// golden compares got, indented with sorted keys, with testdata/name.
func golden(t *testing.T, name string, got map[string]any) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(b) != string(want) {
		t.Errorf("%s mismatch:\ngot:\n%s\nwant:\n%s", name, b, want)
	}
}

func TestSignClaimsGolden(t *testing.T) {
	clk := newClock()
	now := clk.Now()
	machine := tokens.AccessClaims{
		Subject: "svc-billing", Audience: []string{"https://api.example.com", "https://files.example.com"},
		ExpiresAt: now.Add(5 * time.Minute), IssuedAt: now, JTI: "jti-0002",
		ClientID: "svc-billing", Scope: []string{"invoices:write"},
	}
	tests := []struct {
		name   string
		claims tokens.AccessClaims
		golden string
	}{
		{"session", claimsAt(now), "claims_session.golden.json"},
		{"client credentials, empty issuer, two audiences", machine, "claims_client_credentials.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &memStore{}
			k := newKeys(t, store, clk, newKEK(t))
			tok, err := k.Sign(context.Background(), tt.claims)
			if err != nil {
				t.Fatalf("Sign() error = %v", err)
			}
			wantHeader := map[string]any{
				"alg": "ES256", "typ": "at+jwt", "kid": kidIn(t, store.snapshot(), tokens.KeyCurrent),
			}
			if got := part(t, tok, 0); !reflect.DeepEqual(got, wantHeader) {
				t.Errorf("header = %v; want %v", got, wantHeader)
			}
			golden(t, tt.golden, part(t, tok, 1))
		})
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	want := claimsAt(clk.Now())
	tok, err := k.Sign(context.Background(), want)
	if err != nil {
		t.Fatalf("Sign() error = %v", err)
	}
	clk.Advance(time.Minute)
	got, err := k.Verify(context.Background(), tok)
	if err != nil {
		t.Fatalf("Verify() error = %v", err)
	}
	if !claimsEqual(got, want) {
		t.Errorf("Verify() = %+v; want %+v", got, want)
	}
}

// claimsEqual compares claims with times at NumericDate (second) precision.
func claimsEqual(a, b tokens.AccessClaims) bool {
	for _, p := range [][2]*time.Time{{&a.ExpiresAt, &b.ExpiresAt}, {&a.IssuedAt, &b.IssuedAt}, {&a.AuthTime, &b.AuthTime}} {
		if !p[0].Truncate(time.Second).Equal(p[1].Truncate(time.Second)) {
			return false
		}
		*p[0], *p[1] = time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}

func TestSignRejectsBadClaims(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	now := clk.Now()
	tests := []struct {
		name   string
		modify func(*tokens.AccessClaims)
	}{
		{"other issuer", func(c *tokens.AccessClaims) { c.Issuer = "https://evil.example.com" }},
		{"no subject", func(c *tokens.AccessClaims) { c.Subject = "" }},
		{"no audience", func(c *tokens.AccessClaims) { c.Audience = nil }},
		{"no jti", func(c *tokens.AccessClaims) { c.JTI = "" }},
		{"no client_id", func(c *tokens.AccessClaims) { c.ClientID = "" }},
		{"no exp", func(c *tokens.AccessClaims) { c.ExpiresAt = time.Time{} }},
		{"exp before iat", func(c *tokens.AccessClaims) { c.ExpiresAt = now.Add(-time.Second) }},
		{"longer than MaxTokenLifetime", func(c *tokens.AccessClaims) { c.ExpiresAt = now.Add(25 * time.Hour) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claimsAt(now)
			tt.modify(&c)
			if _, err := k.Sign(context.Background(), c); !errors.Is(err, ErrInvalidClaims) {
				t.Errorf("Sign() error = %v; want ErrInvalidClaims", err)
			}
		})
	}
}

func TestKeySetIsCached(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	k := newKeys(t, store, clk, newKEK(t))
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		if _, err := k.Sign(ctx, claimsAt(clk.Now())); err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Second)
	}
	if gets, puts := store.counts(); gets != 1 || puts != 1 {
		t.Errorf("after bootstrap and 10 signs: gets, puts = %d, %d; want 1, 1", gets, puts)
	}
	clk.Advance(DefaultCacheTTL)
	if _, err := k.Sign(ctx, claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	if gets, puts := store.counts(); gets != 2 || puts != 1 {
		t.Errorf("after the cache period: gets, puts = %d, %d; want 2, 1", gets, puts)
	}
}

func TestNewOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no store", Options{Issuer: testIssuer}},
		{"short KEK", Options{Store: &memStore{}, Issuer: testIssuer, KEK: make([]byte, 16)}},
		{"negative duration", Options{Store: &memStore{}, Issuer: testIssuer, CacheTTL: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.opts); err == nil {
				t.Errorf("New(%s) error = nil; want an error", tt.name)
			}
		})
	}
}

func TestPerRequestIssuer(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	k, err := New(Options{Store: store, KEK: kek, Now: clk.Now})
	if err != nil {
		t.Fatalf("New() without an issuer error = %v", err)
	}
	ctx := context.Background()
	for _, iss := range []string{"https://abc123.execute-api.eu-west-1.amazonaws.com", "https://auth.example.com"} {
		c := claimsAt(clk.Now())
		c.Issuer = iss
		tok, err := k.Sign(ctx, c)
		if err != nil {
			t.Fatalf("Sign(iss %s) error = %v", iss, err)
		}
		got, err := k.Verify(tokens.WithIssuer(ctx, iss), tok)
		if err != nil || got.Issuer != iss {
			t.Errorf("Verify() at %s = %q, %v; want issuer %q", iss, got.Issuer, err, iss)
		}
		// iss is still checked (issue 15 §5): against the issuer the request
		// was addressed to, and a token is refused when there is none.
		for _, at := range []context.Context{tokens.WithIssuer(ctx, "https://other.example"), ctx} {
			if _, err := k.Verify(at, tok); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify(iss %s) at %q error = %v; want ErrInvalidToken", iss, tokens.RequestIssuer(at), err)
			}
		}
	}
	c := claimsAt(clk.Now())
	c.Issuer = ""
	if _, err := k.Sign(ctx, c); !errors.Is(err, ErrInvalidClaims) {
		t.Errorf("Sign(no iss) error = %v; want ErrInvalidClaims", err)
	}
}
