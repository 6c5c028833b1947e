package oauth

import (
	"slices"
	"testing"
)

// Issue 11 §15: RFC 6749 §3.3 separates scope tokens with the space
// character alone; "a\u00a0b" is one (invalid) token, not a and b.
func TestScopesSplitOnlyOnSpace(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a b", []string{"a", "b"}},
		{"  a   b  ", []string{"a", "b"}},
		{"a b a", []string{"a", "b"}},
		{"", nil},
		{"a\u00a0b", []string{"a\u00a0b"}},
		{"a\tb", []string{"a\tb"}},
		{"a\nb", []string{"a\nb"}},
		{"a\u2003b c", []string{"a\u2003b", "c"}},
		{"a\u3000b", []string{"a\u3000b"}},
	} {
		if got := ParseScope(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseScope(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	for _, tok := range []string{"a\u00a0b", "a\tb", "a\u2003b"} {
		if ValidScopeToken(tok) {
			t.Errorf("ValidScopeToken(%q) = true; want false: it holds whitespace other than a space", tok)
		}
	}
}
