package signing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/tokens"
)

// kidOf returns the kid in a token's protected header.
func kidOf(t *testing.T, token string) string {
	t.Helper()
	kid, _ := part(t, token, 0)["kid"].(string)
	return kid
}

func TestRotationOnAge(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	k := newKeys(t, store, clk, newKEK(t))
	ctx := context.Background()
	if _, err := k.JWKS(ctx); err != nil { // creates the key set now
		t.Fatal(err)
	}

	clk.Advance(DefaultRotationPeriod - time.Minute)
	old, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	first := store.snapshot()
	oldKID, nextKID := kidIn(t, first, tokens.KeyCurrent), kidIn(t, first, tokens.KeyNext)
	if got := kidOf(t, old); got != oldKID {
		t.Fatalf("token kid = %s; want the current key %s", got, oldKID)
	}

	clk.Advance(time.Minute) // the current key is now one rotation period old
	fresh, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if got := kidOf(t, fresh); got != nextKID {
		t.Errorf("after the rotation period, token kid = %s; want the former next key %s", got, nextKID)
	}
	rotated := store.snapshot()
	if got := states(rotated)[oldKID]; got != tokens.KeyRetired {
		t.Errorf("old key state = %q; want retired", got)
	}
	kidIn(t, rotated, tokens.KeyNext)
	if _, err := k.Verify(ctx, old); err != nil {
		t.Errorf("Verify(token of the retired key) error = %v; want nil", err)
	}
	if !jwksHas(t, k, oldKID) {
		t.Errorf("JWKS lacks the retired key %s", oldKID)
	}

	// Still published one second before its retention ends...
	clk.Advance(DefaultMaxTokenLifetime + DefaultCacheTTL - time.Second)
	if !jwksHas(t, k, oldKID) {
		t.Errorf("JWKS lacks the retired key %s before its retention ends", oldKID)
	}
	// ...and pruned from the JWKS and the store once it has ended.
	clk.Advance(time.Second + DefaultCacheTTL)
	if jwksHas(t, k, oldKID) {
		t.Errorf("JWKS still has the retired key %s after its retention", oldKID)
	}
	if _, err := k.Sign(ctx, claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	if _, ok := states(store.snapshot())[oldKID]; ok {
		t.Errorf("store still holds the retired key %s after its retention", oldKID)
	}
	if got, want := store.snapshot().Version, 3; got != want {
		t.Errorf("version = %d; want %d (create, rotate, prune)", got, want)
	}
}

func TestRotateExplicit(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	k := newKeys(t, store, clk, newKEK(t))
	ctx := context.Background()

	if err := k.Rotate(ctx); err != nil { // empty store: creates the first set
		t.Fatalf("Rotate() on an empty store error = %v", err)
	}
	before := store.snapshot()
	if err := k.Rotate(ctx); err != nil {
		t.Fatalf("Rotate() error = %v", err)
	}
	after := store.snapshot()
	if got, want := kidIn(t, after, tokens.KeyCurrent), kidIn(t, before, tokens.KeyNext); got != want {
		t.Errorf("current after Rotate = %s; want the former next %s", got, want)
	}
	if got, want := kidIn(t, after, tokens.KeyRetired), kidIn(t, before, tokens.KeyCurrent); got != want {
		t.Errorf("retired after Rotate = %s; want the former current %s", got, want)
	}
	tok, err := k.Sign(ctx, claimsAt(clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := kidOf(t, tok), kidIn(t, after, tokens.KeyCurrent); got != want {
		t.Errorf("token kid after Rotate = %s; want %s", got, want)
	}
	list, err := k.List(ctx)
	if err != nil || len(list) != 3 {
		t.Fatalf("List() = %v, %v; want 3 keys", list, err)
	}
}

func TestRotateRetriesAfterConflict(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	ctx := context.Background()
	if err := newKeys(t, store, clk, kek).Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	other := newKeys(t, store, clk, kek)
	racer := &racingStore{memStore: store, before: func() {
		if err := other.Rotate(ctx); err != nil {
			t.Errorf("racing Rotate() error = %v", err)
		}
	}}
	if err := newKeys(t, racer, clk, kek).Rotate(ctx); err != nil {
		t.Fatalf("Rotate() racing another rotation error = %v", err)
	}
	ks := store.snapshot()
	if ks.Version != 3 {
		t.Errorf("version = %d; want 3 (create, racer, retry)", ks.Version)
	}
	kidIn(t, ks, tokens.KeyCurrent)
	kidIn(t, ks, tokens.KeyNext)
	if got := len(ks.Keys); got != 4 {
		t.Errorf("stored keys = %d; want 4 (two retired, current, next)", got)
	}
}

// racingStore runs before once, just ahead of the first conditional write.
type racingStore struct {
	*memStore
	before func()
	once   sync.Once
}

func (r *racingStore) PutKeySet(ctx context.Context, ks tokens.KeySet, expect int) error {
	r.once.Do(r.before)
	return r.memStore.PutKeySet(ctx, ks, expect)
}

func TestConcurrentBootstrap(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	instances := []*Keys{newKeys(t, store, clk, kek), newKeys(t, store, clk, kek)}
	toks := signConcurrently(t, instances, clk, 16)
	ks := store.snapshot()
	if ks.Version != 1 || len(ks.Keys) != 2 {
		t.Fatalf("stored set = version %d with %d keys; want version 1 with 2", ks.Version, len(ks.Keys))
	}
	if _, puts := store.counts(); puts > len(instances) {
		t.Errorf("conditional writes = %d; want at most one per instance", puts)
	}
	cur := kidIn(t, ks, tokens.KeyCurrent)
	for _, tok := range toks {
		if got := kidOf(t, tok); got != cur {
			t.Errorf("token kid = %s; want the one current key %s", got, cur)
		}
	}
}

func TestConcurrentRotationOnAge(t *testing.T) {
	clk := newClock()
	store, kek := &memStore{}, newKEK(t)
	instances := []*Keys{newKeys(t, store, clk, kek), newKeys(t, store, clk, kek)}
	signConcurrently(t, instances, clk, 2)
	clk.Advance(DefaultRotationPeriod)
	signConcurrently(t, instances, clk, 16)
	ks := store.snapshot()
	if ks.Version != 2 {
		t.Errorf("version = %d; want 2: exactly one rotation", ks.Version)
	}
	kidIn(t, ks, tokens.KeyCurrent)
	kidIn(t, ks, tokens.KeyRetired)
	kidIn(t, ks, tokens.KeyNext)
}

// signConcurrently signs from n goroutines spread over instances, checks
// every token verifies on every instance, and returns the tokens.
func signConcurrently(t *testing.T, instances []*Keys, clk *fakeclock.Clock, n int) []string {
	t.Helper()
	ctx := context.Background()
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c := claimsAt(clk.Now())
			c.JTI = fmt.Sprintf("jti-%d", i)
			toks[i], errs[i] = instances[i%len(instances)].Sign(ctx, c)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Sign() #%d error = %v", i, err)
		}
		for _, k := range instances {
			if _, err := k.Verify(ctx, toks[i]); err != nil {
				t.Errorf("Verify(token #%d) error = %v", i, err)
			}
		}
	}
	return toks
}

func TestWrongKEKCannotSign(t *testing.T) {
	clk := newClock()
	store := &memStore{}
	if _, err := newKeys(t, store, clk, newKEK(t)).Sign(context.Background(), claimsAt(clk.Now())); err != nil {
		t.Fatal(err)
	}
	before := store.snapshot()
	wrong := newKeys(t, store, clk, newKEK(t))
	_, err := wrong.Sign(context.Background(), claimsAt(clk.Now()))
	if !errors.Is(err, errSealed) {
		t.Errorf("Sign() with another KEK error = %v; want errSealed", err)
	}
	if _, err := wrong.JWKS(context.Background()); err != nil {
		t.Errorf("JWKS() with another KEK error = %v; want nil", err)
	}
	if got := store.snapshot().Version; got != before.Version {
		t.Errorf("version = %d after a failed Sign; want %d", got, before.Version)
	}
}
