package oauth

import (
	"slices"
	"strings"
)

// ParseScope splits a scope parameter (RFC 6749 §3.3) into its distinct
// tokens, in order of first appearance.
func ParseScope(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// JoinScope joins scope tokens with single spaces.
func JoinScope(scopes []string) string { return strings.Join(scopes, " ") }

// ValidScopeToken reports whether s uses only the characters RFC 6749
// §3.3 allows in a scope token: %x21 / %x23-5B / %x5D-7E.
func ValidScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Missing returns the tokens of want that are not in have.
func Missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}
