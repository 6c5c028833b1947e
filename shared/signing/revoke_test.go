package signing

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// published returns the kids of k's JWKS.
func published(t *testing.T, k *Keys) []string {
	t.Helper()
	raw, err := k.JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, key := range set.Keys {
		kids = append(kids, key.KID)
	}
	return kids
}

// Issue 11 §18: a compromised key could not be pulled: `keys rotate` kept
// it published and accepted for 24 h, and warm containers signed with it
// for 5 minutes. Revoke takes it out of the key set: gone from the JWKS
// and refused at once where it was revoked, and in every other container
// once its key cache reloads; it never signs again there.
func TestRevokedKeyIsPulled(t *testing.T) {
	ctx := context.Background()
	clk, store, kek := newClock(), &memStore{}, newKEK(t)
	a, b := newKeys(t, store, clk, kek), newKeys(t, store, clk, kek) // two warm containers
	old, err := a.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Sign(ctx, claimsAt(clk.Now())); err != nil { // b caches the key set
		t.Fatal(err)
	}
	compromised := kidOf(t, old)
	if err := a.Revoke(ctx, compromised); err != nil {
		t.Fatalf("Revoke(current) = %v", err)
	}
	if slices.Contains(published(t, a), compromised) {
		t.Error("the revoked key is still in the JWKS")
	}
	if _, err := a.Verify(ctx, old); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("Verify(token of the revoked key) = %v; want ErrInvalidToken", err)
	}
	fresh, err := a.Sign(ctx, claimsAt(clk.Now()))
	if err != nil || kidOf(t, fresh) == compromised {
		t.Fatalf("Sign after Revoke = kid %s, %v; want another key", kidOf(t, fresh), err)
	}
	if _, err := b.Verify(ctx, fresh); err != nil {
		t.Errorf("another container: Verify(token of the promoted key) = %v; want it accepted", err)
	}

	clk.Advance(DefaultCacheTTL) // b's cache reloads
	if _, err := b.Verify(ctx, old); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("another container after its cache period: Verify(token of the revoked key) = %v; want ErrInvalidToken", err)
	}
	if tok, err := b.Sign(ctx, claimsAt(clk.Now())); err != nil || kidOf(t, tok) == compromised {
		t.Errorf("another container after its cache period signs with kid %s, %v; want not the revoked key", kidOf(t, tok), err)
	}
	if slices.Contains(published(t, b), compromised) {
		t.Error("another container still publishes the revoked key")
	}
	for range 3 { // rotations never bring it back
		if err := a.Rotate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	list, err := a.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range list {
		if info.KID == compromised {
			t.Errorf("keys list after rotations holds the revoked key: %+v", info)
		}
	}
	if err := a.Revoke(ctx, compromised); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Revoke(already revoked) = %v; want ErrUnknownKey", err)
	}
}

// Revoking the next key replaces it; revoking a retired key drops it; the
// family always keeps one current and one next key.
func TestRevokeKeepsEachFamilyWhole(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	if _, err := k.Sign(ctx, claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	if err := k.Rotate(ctx); err != nil { // one retired key
		t.Fatal(err)
	}
	states := func() map[string]string {
		list, err := k.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, info := range list {
			m[info.KID] = info.State
		}
		return m
	}
	for _, state := range []string{tokens.KeyNext, tokens.KeyRetired, tokens.KeyCurrent} {
		before := states()
		var kid string
		for id, s := range before {
			if s == state {
				kid = id
			}
		}
		if err := k.Revoke(ctx, kid); err != nil {
			t.Fatalf("Revoke(%s key) = %v", state, err)
		}
		after := states()
		count := map[string]int{}
		for _, s := range after {
			count[s]++
		}
		if _, still := after[kid]; still || count[tokens.KeyCurrent] != 1 || count[tokens.KeyNext] != 1 {
			t.Errorf("after revoking the %s key: %v; want it gone and one current and one next key", state, after)
		}
	}
	if err := k.Revoke(ctx, "no-such-kid"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Revoke(unknown) = %v; want ErrUnknownKey", err)
	}
}
