package signing

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// chain returns an act chain of the given depth: actor-1 outermost.
func chain(depth int) *tokens.Actor {
	var a *tokens.Actor
	for i := depth; i >= 1; i-- {
		a = &tokens.Actor{Subject: "actor-" + string(rune('0'+i)), Act: a}
	}
	return a
}

// TestActClaims: act and may_act are JSON objects with sub and a nested
// act (RFC 8693 §4.1, §4.4), and come back from Verify as signed.
func TestActClaims(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	for depth := 1; depth <= tokens.MaxActorDepth; depth++ {
		want := claimsAt(clk.Now())
		want.Act, want.MayAct = chain(depth), &tokens.Actor{Subject: "svc"}
		tok, err := k.Sign(context.Background(), want)
		if err != nil {
			t.Fatal(err)
		}
		if depth == 2 {
			wire := part(t, tok, 1)
			wantAct := map[string]any{"sub": "actor-1", "act": map[string]any{"sub": "actor-2"}}
			if !reflect.DeepEqual(wire["act"], wantAct) || !reflect.DeepEqual(wire["may_act"], map[string]any{"sub": "svc"}) {
				t.Errorf("act, may_act = %v, %v; want %v, {sub: svc}", wire["act"], wire["may_act"], wantAct)
			}
		}
		got, err := k.Verify(context.Background(), tok)
		if err != nil || !claimsEqual(got, want) {
			t.Errorf("depth %d: Verify = %+v, %v; want %+v", depth, got, err, want)
		}
	}
	if wire := part(t, mustSign(t, k, claimsAt(clk.Now())), 1); wire["act"] != nil || wire["may_act"] != nil {
		t.Errorf("a token without actors has act %v, may_act %v; want neither", wire["act"], wire["may_act"])
	}
}

// TestActClaimsRejected: an act nested deeper than MaxActorDepth, or one
// that is not an object with a string sub, makes the token invalid.
func TestActClaimsRejected(t *testing.T) {
	clk := newClock()
	k := newKeys(t, &memStore{}, clk, newKEK(t))
	deep := claimsAt(clk.Now())
	deep.Act = chain(tokens.MaxActorDepth + 1)
	for name, c := range map[string]tokens.AccessClaims{
		"too deep":             deep,
		"act a string":         withExtraClaim(claimsAt(clk.Now()), "act", "svc"),
		"act without sub":      withExtraClaim(claimsAt(clk.Now()), "act", map[string]any{"act": map[string]any{"sub": "x"}}),
		"may_act sub a number": withExtraClaim(claimsAt(clk.Now()), "may_act", map[string]any{"sub": 7}),
	} {
		_, err := k.Verify(context.Background(), mustSign(t, k, c))
		if !errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s: Verify = %v; want ErrInvalidToken", name, err)
		}
	}
}

func withExtraClaim(c tokens.AccessClaims, name string, v any) tokens.AccessClaims {
	c.Extra = map[string]any{name: v}
	return c
}

func mustSign(t *testing.T, k *Keys, c tokens.AccessClaims) string {
	t.Helper()
	tok, err := k.Sign(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
