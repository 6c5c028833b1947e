package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/latchkey/latchkey/shared/tokens"
)

// userSetClaims replaces a user's claims (OpenID Connect Core §5.1 and
// any others, such as groups): `latchkey user set-claims USERNAME
// '{"email":"a@example.com","groups":["admins"]}'`; '{}' removes them.
// Tokens issued afterwards carry them; sessions keep the values they were
// signed in with.
func (c cli) userSetClaims(ctx context.Context, args []string) error {
	fs := c.flags("user set-claims USERNAME JSON")
	if err := parse(fs, args, 2); err != nil {
		return err
	}
	claims, err := parseClaims(fs.Arg(1))
	if err != nil {
		return err
	}
	a, err := c.app(ctx)
	if err != nil {
		return err
	}
	u, err := a.Service.SetUserClaims(ctx, fs.Arg(0), claims)
	if err != nil {
		return err
	}
	c.printf("set %d claims of %s (subject %s)\n", len(u.Claims), u.Username, u.Subject)
	return nil
}

// claimsFlag binds --claims, a JSON object of claims.
func claimsFlag(fs *flag.FlagSet) *map[string]any {
	var claims map[string]any
	out := &claims
	fs.Func("claims", `the user's claims as a JSON object, e.g. '{"email":"a@example.com","name":"A","groups":["admins"]}'`,
		func(v string) error {
			var err error
			*out, err = parseClaims(v)
			return err
		})
	return out
}

// parseClaims reads a JSON object of claims; an empty object is no claims.
func parseClaims(v string) (map[string]any, error) {
	var claims map[string]any
	dec := json.NewDecoder(strings.NewReader(v))
	if err := dec.Decode(&claims); err != nil || claims == nil || dec.More() {
		return nil, errors.New(`claims must be one JSON object, e.g. '{"email":"a@example.com"}'`)
	}
	return claims, nil
}

// parseClaimLimits reads claim=bytes pairs into limits.
func parseClaimLimits(v string, limits *map[string]int) error {
	out := map[string]int{}
	for _, pair := range splitList(v) {
		name, n, ok := strings.Cut(pair, "=")
		size, err := strconv.Atoi(n)
		if !ok || err != nil || size <= 0 {
			return fmt.Errorf("claim size limit %q must be claim=bytes, e.g. groups=512", pair)
		}
		out[name] = size
	}
	*limits = out
	return nil
}

// idTokenAlg names a client's ID token algorithm, the default spelled out.
func idTokenAlg(alg string) string {
	if alg == "" {
		return tokens.AlgRS256
	}
	return alg
}
