package signing

import (
	"fmt"

	"github.com/latchkey/latchkey/shared/tokens"
)

// wireActor is an act or may_act claim (RFC 8693 §4.1): a JSON object
// with the actor's sub and, for a chain, the act it acted for.
type wireActor struct {
	Sub string     `json:"sub"`
	Act *wireActor `json:"act,omitempty"`
}

// wireActorOf encodes a chain, nil for none.
func wireActorOf(a *tokens.Actor) *wireActor {
	if a == nil {
		return nil
	}
	return &wireActor{Sub: a.Subject, Act: wireActorOf(a.Act)}
}

// actorClaim decodes the act or may_act claim name, nil when absent. A
// claim that is not an object with a string sub, or that nests deeper
// than tokens.MaxActorDepth (Latchkey never signs one), makes the token
// invalid.
func actorClaim(claims map[string]any, name string) (*tokens.Actor, error) {
	v, ok := claims[name]
	if !ok {
		return nil, nil
	}
	return decodeActor(v, name, tokens.MaxActorDepth)
}

func decodeActor(v any, name string, depth int) (*tokens.Actor, error) {
	obj, ok := v.(map[string]any)
	if !ok || depth == 0 {
		return nil, fmt.Errorf("%w: %s is not an actor chain of at most %d levels", ErrInvalidToken, name, tokens.MaxActorDepth)
	}
	sub, ok := obj["sub"].(string)
	if !ok || sub == "" {
		return nil, fmt.Errorf("%w: %s has no sub", ErrInvalidToken, name)
	}
	a := &tokens.Actor{Subject: sub}
	if inner, ok := obj["act"]; ok {
		var err error
		if a.Act, err = decodeActor(inner, name, depth-1); err != nil {
			return nil, err
		}
	}
	return a, nil
}
