package tokens

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// The core's own per-request work, without a store or a signature: what
// the token endpoint spends around the ES256 signature, and what a token
// costs to recognise before any read. End-to-end benchmarks are in
// shared/app (apptest on DynamoDB Local) and shared/signing (Sign, Verify).

func BenchmarkParseRefreshToken(b *testing.B) {
	key, salt := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16)
	tok := formatRefreshToken(key, NewID(), 12, salt)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := parseRefreshToken(tok); !ok {
			b.Fatal("parseRefreshToken rejected a well-formed token")
		}
	}
}

// BenchmarkRefreshTokenGenuine is the MAC check of every refresh.
func BenchmarkRefreshTokenGenuine(b *testing.B) {
	key, salt := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 16)
	rt, _ := parseRefreshToken(formatRefreshToken(key, NewID(), 12, salt))
	b.ReportAllocs()
	for b.Loop() {
		if !rt.genuine(key, salt) {
			b.Fatal("genuine() = false")
		}
	}
}

// BenchmarkValidLongLivedChecksum is what a long-lived token costs before
// any read: a typo is rejected here for free.
func BenchmarkValidLongLivedChecksum(b *testing.B) {
	tok := newLongLivedToken()
	b.ReportAllocs()
	for b.Loop() {
		if !ValidLongLivedChecksum(tok) {
			b.Fatal("ValidLongLivedChecksum rejected a fresh token")
		}
	}
}

func BenchmarkNewLongLivedToken(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		newLongLivedToken()
	}
}

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		NewID()
	}
}

// BenchmarkAuthenticateClient is client authentication with the client
// cached, as on the hot path: a cache hit and a SHA-256 compare.
func BenchmarkAuthenticateClient(b *testing.B) {
	s, auth := benchService(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AuthenticateClient(ctx, auth); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientCredentials is the core's client_credentials grant with a
// signer that does no cryptography: everything the core spends around
// the one ES256 signature.
func BenchmarkClientCredentials(b *testing.B) {
	s, auth := benchService(b)
	ctx := context.Background()
	req := TokenRequest{Client: auth, GrantType: oauth.GrantClientCredentials, Scope: "read"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Token(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

// benchService is a Service whose only client is cached and which has no
// store: a benchmark that reached for one would panic.
func benchService(b *testing.B) (*Service, ClientAuth) {
	b.Helper()
	const secret = "lk_cs_bench-secret-bench-secret-bench-secret-00"
	s := New(Options{Signer: nopSigner{}, Issuer: "https://auth.test", ClientCacheTTL: time.Hour})
	c := Client{
		ID: "bench-client", Name: "bench", SecretHash: HashToken(secret), AuthMethod: oauth.AuthClientSecretBasic,
		Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read", "write"},
		AccessTokenFormat: FormatJWT, AccessTokenTTL: 15 * time.Minute,
	}
	s.clients.put(c)
	return s, ClientAuth{ID: c.ID, Secret: secret, Method: oauth.AuthClientSecretBasic}
}

// nopSigner returns a constant in place of a signed token.
type nopSigner struct{}

func (nopSigner) Sign(context.Context, AccessClaims) (string, error) {
	return "header.claims.signature", nil
}
func (nopSigner) JWKS(context.Context) ([]byte, error) { return []byte(`{"keys":[]}`), nil }
