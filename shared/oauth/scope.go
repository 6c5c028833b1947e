package oauth

import (
	"slices"
	"strings"
)

// ParseScope splits a scope parameter (RFC 6749 §3.3) into its distinct
// tokens, in order of first appearance. Only the space character (%x20)
// separates tokens: any other whitespace, a tab or U+00A0 say, stays
// inside its token, which then names no scope anyone is allowed (issue 11
// §15). Runs of spaces and leading or trailing spaces are forgiven.
func ParseScope(s string) []string {
	var out []string
	for _, f := range strings.Split(s, " ") {
		if f != "" && !slices.Contains(out, f) {
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
