package dynamo_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

func keySet(version int, kids ...string) tokens.KeySet {
	ks := tokens.KeySet{Version: version}
	for i, kid := range kids {
		k := tokens.KeyRecord{
			KID: kid, Alg: "ES256", State: tokens.KeyCurrent,
			PublicJWK:        []byte(`{"kty":"EC","kid":"` + kid + `"}`),
			SealedPrivateJWK: []byte("sealed-" + kid),
			CreatedAt:        t0.Add(time.Duration(i) * time.Hour),
			ActivatedAt:      t0.Add(time.Duration(i) * time.Hour),
		}
		if i < len(kids)-1 {
			k.State, k.RetiredAt = tokens.KeyRetired, t0.Add(time.Duration(i+1)*time.Hour)
		}
		ks.Keys = append(ks.Keys, k)
	}
	return ks
}

func TestKeySetVersions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.GetKeySet(ctx); !errors.Is(err, tokens.ErrNotFound) {
		t.Fatalf("GetKeySet on an empty table = %v; want ErrNotFound", err)
	}
	tests := []struct {
		name   string
		ks     tokens.KeySet
		expect int
		want   error
		stored tokens.KeySet
	}{
		{"first set", keySet(1, "k1"), 0, nil, keySet(1, "k1")},
		{"first set again", keySet(1, "k9"), 0, tokens.ErrConflict, keySet(1, "k1")},
		{"rotation", keySet(2, "k1", "k2"), 1, nil, keySet(2, "k1", "k2")},
		{"stale rotation", keySet(2, "k1", "k3"), 1, tokens.ErrConflict, keySet(2, "k1", "k2")},
		{"from the future", keySet(8, "k1"), 7, tokens.ErrConflict, keySet(2, "k1", "k2")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.PutKeySet(ctx, tt.ks, tt.expect); !errors.Is(err, tt.want) {
				t.Errorf("PutKeySet = %v; want %v", err, tt.want)
			}
			got, err := f.GetKeySet(ctx)
			if err != nil {
				t.Fatalf("GetKeySet = %v", err)
			}
			if !reflect.DeepEqual(got, tt.stored) {
				t.Errorf("GetKeySet = %+v; want %+v", got, tt.stored)
			}
		})
	}
	t.Run("version not expect+1", func(t *testing.T) {
		err := f.PutKeySet(ctx, keySet(5, "k1"), 2)
		if err == nil || isSentinel(err) {
			t.Errorf("PutKeySet(version 5, expect 2) = %v; want a plain error", err)
		}
	})
}

// TestPutKeySetRace checks that two containers rotating from the same
// version cannot both win.
func TestPutKeySetRace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for expect := range 10 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { errs[i] = f.PutKeySet(ctx, keySet(expect+1, "k"), expect) })
		}
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, tokens.ErrConflict):
				conflicts++
			default:
				t.Fatalf("PutKeySet = %v", err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Fatalf("expect %d: %d wins, %d conflicts; want 1, 1", expect, wins, conflicts)
		}
	}
}
