package signing

import (
	"context"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Issue 11 §8: replacing s with n−s gave a second valid spelling of every
// JWT. Sign writes the low-S form only, and Verify refuses the other.
func TestVerifyRejectsHighS(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	enc := base64.RawURLEncoding
	for i := range 32 { // about half of raw ECDSA signatures are high-S
		c := claimsAt(clk.Now())
		c.JTI = c.JTI + "-" + string(rune('a'+i))
		tok, err := k.Sign(context.Background(), c)
		if err != nil {
			t.Fatalf("Sign() error = %v", err)
		}
		cut := strings.LastIndexByte(tok, '.') + 1
		sig, err := enc.DecodeString(tok[cut:])
		if err != nil || !isLowS(sig) {
			t.Fatalf("Sign() signature %x: want 64 bytes with s ≤ n/2", sig)
		}
		if _, err := k.Verify(context.Background(), tok); err != nil {
			t.Fatalf("Verify(low-S token) error = %v; want nil", err)
		}
		high := make([]byte, len(sig))
		copy(high, sig)
		s := new(big.Int).SetBytes(sig[32:])
		new(big.Int).Sub(p256Order, s).FillBytes(high[32:])
		other := tok[:cut] + enc.EncodeToString(high)
		if _, err := k.Verify(context.Background(), other); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("Verify(the n−s spelling of a genuine token) error = %v; want ErrInvalidToken", err)
		}
		clk.Advance(time.Second)
	}
}

func TestLowS(t *testing.T) {
	half := make([]byte, 64)
	p256HalfOrder.FillBytes(half[32:])
	above := make([]byte, 64)
	new(big.Int).Add(p256HalfOrder, big.NewInt(1)).FillBytes(above[32:])
	for _, tc := range []struct {
		name string
		sig  []byte
		want bool
	}{
		{"s = n/2", half, true},
		{"s = n/2 + 1", above, false},
		{"short", half[:63], false},
		{"long", append(half, 0), false},
	} {
		if got := isLowS(tc.sig); got != tc.want {
			t.Errorf("isLowS(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
	if got := lowS(above); !isLowS(got) || new(big.Int).SetBytes(got[32:]).Cmp(new(big.Int).Sub(p256Order, new(big.Int).SetBytes(above[32:]))) != 0 {
		t.Errorf("lowS(s = n/2 + 1) = %x; want s = n − s", got)
	}
}
