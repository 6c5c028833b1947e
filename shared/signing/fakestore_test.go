package signing

import (
	"bytes"
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/tokens"
)

// memStore is an in-memory tokens.KeyStore that honours the version
// condition like the DynamoDB store's conditional write.
type memStore struct {
	mu    sync.Mutex
	set   *tokens.KeySet
	gets  int
	puts  int
	fails int // conditional writes that lost
}

var _ tokens.KeyStore = (*memStore)(nil)

func (m *memStore) GetKeySet(_ context.Context) (tokens.KeySet, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	if m.set == nil {
		return tokens.KeySet{}, tokens.ErrNotFound
	}
	return cloneSet(*m.set), nil
}

func (m *memStore) PutKeySet(_ context.Context, ks tokens.KeySet, expectVersion int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.puts++
	stored := 0
	if m.set != nil {
		stored = m.set.Version
	}
	if stored != expectVersion || ks.Version != expectVersion+1 {
		m.fails++
		return tokens.ErrConflict
	}
	c := cloneSet(ks)
	m.set = &c
	return nil
}

// snapshot returns the stored set without counting a read.
func (m *memStore) snapshot() tokens.KeySet {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.set == nil {
		return tokens.KeySet{}
	}
	return cloneSet(*m.set)
}

func (m *memStore) counts() (gets, puts int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gets, m.puts
}

func cloneSet(ks tokens.KeySet) tokens.KeySet {
	out := tokens.KeySet{Version: ks.Version}
	for _, r := range ks.Keys {
		r.PublicJWK = bytes.Clone(r.PublicJWK)
		r.SealedPrivateJWK = bytes.Clone(r.SealedPrivateJWK)
		out.Keys = append(out.Keys, r)
	}
	return out
}

// newClock returns the tests' clock, stopped at a fixed instant.
func newClock() *fakeclock.Clock { return fakeclock.New(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)) }

const testIssuer = "https://auth.example.com"

func newKEK(t testing.TB) []byte {
	t.Helper()
	kek := make([]byte, KEKSize)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	return kek
}

// newKeys builds Keys on store with the test clock; kek nil is verify-only.
func newKeys(t testing.TB, store tokens.KeyStore, clk *fakeclock.Clock, kek []byte) *Keys {
	t.Helper()
	k, err := New(Options{Store: store, KEK: kek, Issuer: testIssuer, Now: clk.Now})
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	return k
}

// claimsAt returns a typical session-bound access token's claims at now.
func claimsAt(now time.Time) tokens.AccessClaims {
	return tokens.AccessClaims{
		Issuer:    testIssuer,
		Subject:   "user-42",
		Audience:  []string{"https://api.example.com"},
		ExpiresAt: now.Add(15 * time.Minute),
		IssuedAt:  now,
		JTI:       "jti-0001",
		ClientID:  "web-app",
		Scope:     []string{"openid", "offline_access", "orders:read"},
		SessionID: "sess-7",
		AuthTime:  now.Add(-time.Hour),
	}
}

// states returns kid → state of the stored keys.
func states(ks tokens.KeySet) map[string]string {
	out := map[string]string{}
	for _, r := range ks.Keys {
		out[r.KID] = r.State
	}
	return out
}

// kidIn returns the kid of the only stored key in state, failing unless
// there is exactly one.
func kidIn(t testing.TB, ks tokens.KeySet, state string) string {
	t.Helper()
	var kids []string
	for _, r := range ks.Keys {
		if r.State == state {
			kids = append(kids, r.KID)
		}
	}
	if len(kids) != 1 {
		t.Fatalf("keys in state %s = %v; want exactly one", state, kids)
	}
	return kids[0]
}
