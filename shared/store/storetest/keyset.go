package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// keySet is version's key set of kids, the last one current and the
// others retired.
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

func testKeySet(t *testing.T, newStore NewStore) {
	t.Run("Versions", func(t *testing.T) {
		f := setup(t, newStore)
		if _, err := f.GetKeySet(f.ctx); !errors.Is(err, tokens.ErrNotFound) {
			t.Fatalf("GetKeySet of an empty store = %v; want ErrNotFound", err)
		}
		wantErr(t, "PutKeySet(expect 1) with no key set", f.PutKeySet(f.ctx, keySet(2, "k1"), 1), tokens.ErrConflict)
		tests := []struct {
			name   string
			ks     tokens.KeySet
			expect int
			want   error
			stored tokens.KeySet
		}{
			{"first set", keySet(1, "k1"), 0, nil, keySet(1, "k1")},
			{"first set again", keySet(1, "k9"), 0, tokens.ErrConflict, keySet(1, "k1")},
			{"the same first set again", keySet(1, "k1"), 0, tokens.ErrConflict, keySet(1, "k1")},
			{"rotation", keySet(2, "k1", "k2"), 1, nil, keySet(2, "k1", "k2")},
			{"stale rotation", keySet(2, "k1", "k3"), 1, tokens.ErrConflict, keySet(2, "k1", "k2")},
			{"from the future", keySet(8, "k1"), 7, tokens.ErrConflict, keySet(2, "k1", "k2")},
			{"version not expect+1", keySet(5, "k1"), 2, errPlain, keySet(2, "k1", "k2")},
			{"no keys", tokens.KeySet{Version: 3, Keys: []tokens.KeyRecord{}}, 2, nil, tokens.KeySet{Version: 3}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantErr(t, "PutKeySet", f.PutKeySet(f.ctx, tt.ks, tt.expect), tt.want)
				if got, err := f.GetKeySet(f.ctx); err != nil || !reflect.DeepEqual(got, tt.stored) {
					t.Errorf("GetKeySet = %+v, %v; want %+v", got, err, tt.stored)
				}
			})
		}
	})
	t.Run("EmptyKeyParts", func(t *testing.T) {
		f := setup(t, newStore)
		ks := keySet(1, "k1")
		ks.Keys[0].PublicJWK, ks.Keys[0].SealedPrivateJWK = []byte{}, nil
		must(t, f.PutKeySet(f.ctx, ks, 0))
		ks.Keys[0].PublicJWK = nil // an empty key part reads back as none
		if got, err := f.GetKeySet(f.ctx); err != nil || !reflect.DeepEqual(got, ks) {
			t.Errorf("GetKeySet = %#v, %v; want %#v", got, err, ks)
		}
	})
}
