package tokens

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestCutClaims(t *testing.T) {
	groups := []any{"admins", "developers", "operators", "readers"} // ["admins","developers"] is 23 bytes
	for _, tc := range []struct {
		name   string
		claims map[string]any
		limits map[string]int
		want   map[string]any
	}{
		{"no limits", map[string]any{"groups": groups, "email": "a@example.com"}, nil,
			map[string]any{"groups": groups, "email": "a@example.com"}},
		{"within its limit", map[string]any{"email": "a@example.com"}, map[string]int{"email": 15},
			map[string]any{"email": "a@example.com"}},
		{"list cut to whole elements", map[string]any{"groups": groups, "email": "a@example.com"}, map[string]int{"groups": 30},
			map[string]any{"groups": []any{"admins", "developers"}, "email": "a@example.com", ClaimLimitReached: []string{"groups"}}},
		{"list of strings", map[string]any{"groups": []string{"admins", "developers"}}, map[string]int{"groups": 12},
			map[string]any{"groups": []any{"admins"}, ClaimLimitReached: []string{"groups"}}},
		{"nothing fits but the brackets", map[string]any{"groups": groups}, map[string]int{"groups": 5},
			map[string]any{"groups": []any{}, ClaimLimitReached: []string{"groups"}}},
		{"string cut on a character boundary", map[string]any{"name": "Zoë Ångström"}, map[string]int{"name": 7},
			map[string]any{"name": "Zoë ", ClaimLimitReached: []string{"name"}}},
		{"object left out", map[string]any{"address": map[string]any{"street_address": "1 Long Road"}}, map[string]int{"address": 10},
			map[string]any{ClaimLimitReached: []string{"address"}}},
		{"several cut, names sorted", map[string]any{"b": "bbbbbbbb", "a": "aaaaaaaa"}, map[string]int{"a": 4, "b": 4},
			map[string]any{"a": "aa", "b": "bb", ClaimLimitReached: []string{"a", "b"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := deepCopy(t, tc.claims)
			got := cutClaims(tc.claims, tc.limits)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("cutClaims = %v; want %v", got, tc.want)
			}
			if !reflect.DeepEqual(tc.claims, in) {
				t.Errorf("cutClaims changed its input to %v", tc.claims)
			}
			for name, limit := range tc.limits {
				if v, ok := got[name]; ok && jsonSize(v) > limit {
					t.Errorf("claim %s is %d bytes; want at most %d", name, jsonSize(v), limit)
				}
			}
		})
	}
}

func deepCopy(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			out[k] = append([]any(nil), x...)
		case []string:
			out[k] = append([]string(nil), x...)
		default:
			out[k] = v
		}
	}
	return out
}

func TestClaimsForScopes(t *testing.T) {
	user := map[string]any{"email": "a@example.com", "email_verified": true, "name": "A", "groups": []any{"x"}, "sub": "forged"}
	for _, tc := range []struct {
		scopes []string
		want   map[string]any
	}{
		{[]string{"openid"}, nil},
		{[]string{"openid", "email"}, map[string]any{"email": "a@example.com", "email_verified": true}},
		{[]string{"openid", "profile", "email"}, map[string]any{"email": "a@example.com", "email_verified": true, "name": "A"}},
		{[]string{"groups"}, nil},
	} {
		if got := ClaimsForScopes(user, tc.scopes); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ClaimsForScopes(%v) = %v; want %v", tc.scopes, got, tc.want)
		}
	}
	if got := pick(user, []string{"groups", "sub", "missing"}); !reflect.DeepEqual(got, map[string]any{"groups": []any{"x"}}) {
		t.Errorf("pick(groups, sub, missing) = %v; want groups only (sub is Latchkey's to set)", got)
	}
}

func TestValidateClaims(t *testing.T) {
	for _, tc := range []struct {
		name   string
		claims map[string]any
		ok     bool
	}{
		{"standard and custom", map[string]any{"email": "a@b.c", "groups": []any{"x"}, "tenant:id": 7.0}, true},
		{"none", nil, true},
		{"reserved sub", map[string]any{"sub": "x"}, false},
		{"reserved claim_type_limit_reached", map[string]any{ClaimLimitReached: []any{}}, false},
		{"bad name", map[string]any{"a b": "x"}, false},
		{"too big", map[string]any{"blob": strings.Repeat("x", maxClaimsBytes)}, false},
	} {
		if err := validateClaims(tc.claims); (err == nil) != tc.ok {
			t.Errorf("%s: validateClaims error = %v; want ok %v", tc.name, err, tc.ok)
		}
	}
	b, _ := json.Marshal(StandardClaims())
	if !strings.Contains(string(b), `"email"`) || !strings.Contains(string(b), `"`+ClaimLimitReached+`"`) {
		t.Errorf("StandardClaims() = %s; want email and %s among them", b, ClaimLimitReached)
	}
}
