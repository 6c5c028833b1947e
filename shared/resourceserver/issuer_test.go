package resourceserver_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/resourceserver"
)

const (
	testIssuer   = "https://issuer.test"
	testResource = "https://mcp.test/mcp"
)

var testStart = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// fakeIssuer publishes a JWKS from an httptest server, counting the
// fetches, and signs tokens with its keys: what a test needs to forge
// every kind of bad token.
type fakeIssuer struct {
	t       *testing.T
	server  *httptest.Server
	fetches atomic.Int64
	failing atomic.Bool

	mu   sync.Mutex
	keys map[string]*ecdsa.PrivateKey
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	f.addKey("k1")
	f.server = httptest.NewServer(http.HandlerFunc(f.serveJWKS))
	t.Cleanup(f.server.Close)
	return f
}

func (f *fakeIssuer) addKey(kid string) {
	f.t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.t.Fatal(err)
	}
	f.mu.Lock()
	f.keys[kid] = k
	f.mu.Unlock()
}

func (f *fakeIssuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	f.fetches.Add(1)
	if f.failing.Load() {
		http.Error(w, "down", http.StatusInternalServerError)
		return
	}
	set := jwk.NewSet()
	f.mu.Lock()
	for kid, k := range f.keys {
		pub, _ := jwk.FromRaw(k.Public())
		_ = pub.Set(jwk.KeyIDKey, kid)
		_ = pub.Set(jwk.AlgorithmKey, jwa.ES256)
		_ = pub.Set(jwk.KeyUsageKey, "sig")
		_ = set.AddKey(pub)
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_ = json.NewEncoder(w).Encode(set)
}

// claims are a valid access token's claims at testStart.
func claims() map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": "usr_1", "aud": []string{testResource}, "client_id": "c1",
		"scope": "notes:read", "jti": "j1", "iat": testStart.Unix(), "exp": testStart.Add(15 * time.Minute).Unix(),
	}
}

// sign signs claims as an ES256 at+jwt with key kid, after edit changes
// the protected headers.
func (f *fakeIssuer) sign(kid string, c map[string]any, edit func(jws.Headers)) string {
	f.t.Helper()
	f.mu.Lock()
	key := f.keys[kid]
	f.mu.Unlock()
	h := jws.NewHeaders()
	_ = h.Set(jws.KeyIDKey, kid)
	_ = h.Set(jws.TypeKey, "at+jwt")
	if edit != nil {
		edit(h)
	}
	payload, _ := json.Marshal(c)
	tok, err := jws.Sign(payload, jws.WithKey(jwa.ES256, key, jws.WithProtectedHeaders(h)))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(tok)
}

// guard returns a guard trusting f, on clock.
func (f *fakeIssuer) guard(clock *fakeclock.Clock, edit func(*resourceserver.Config)) *resourceserver.Guard {
	f.t.Helper()
	cfg := resourceserver.Config{
		Resource: testResource, Issuer: testIssuer, JWKSURL: f.server.URL, ScopesSupported: []string{"notes:read"},
		Now: clock.Now, HTTPClient: f.server.Client(),
	}
	if edit != nil {
		edit(&cfg)
	}
	g, err := resourceserver.New(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return g
}

// jwtWithoutSignature is an unsigned token (alg none).
func jwtWithoutSignature(c map[string]any) string {
	t := jwt.New()
	for k, v := range c {
		_ = t.Set(k, v)
	}
	b, _ := jwt.Sign(t, jwt.WithInsecureNoSignature())
	return string(b)
}
