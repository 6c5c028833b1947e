package tokens

import (
	"slices"
	"testing"
)

func TestHeldScopes(t *testing.T) {
	asked := []string{"openid", "read", ScopeAdmin, ScopeSessionsRead}
	cases := []struct {
		name   string
		claims map[string]any
		want   []string
	}{
		{"no claim", nil, []string{"openid", "read"}},
		{"list", map[string]any{ClaimLatchkeyScopes: []any{ScopeSessionsRead}}, []string{"openid", "read", ScopeSessionsRead}},
		{"string", map[string]any{ClaimLatchkeyScopes: ScopeAdmin + " " + ScopeSessionsRead}, asked},
		{"wrong type", map[string]any{ClaimLatchkeyScopes: 42}, []string{"openid", "read"}},
		{"not an admin scope in the claim grants nothing more", map[string]any{ClaimLatchkeyScopes: []any{"write"}}, []string{"openid", "read"}},
	}
	for _, tc := range cases {
		got := heldScopes(User{Claims: tc.claims}, asked)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: heldScopes = %v; want %v", tc.name, got, tc.want)
		}
	}
	plain := []string{"read"}
	if got := heldScopes(User{}, plain); !slices.Equal(got, plain) {
		t.Errorf("heldScopes without admin scopes = %v; want them unchanged", got)
	}
}
