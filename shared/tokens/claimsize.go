package tokens

import (
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// cutClaims returns claims with every claim over its size limit cut to
// fit, and the names of those claims, sorted, in ClaimLimitReached
// (docs/design.md §2), so that a user with hundreds of groups never overflows
// an HTTP header. A claim's size is the length of its JSON encoding. A
// string keeps its longest prefix that fits (whole UTF-8 characters), an
// array its longest prefix of whole elements; anything else that does not
// fit is left out. Claims without a limit are kept whole. The input is
// not changed.
func cutClaims(claims map[string]any, limits map[string]int) map[string]any {
	if len(claims) == 0 {
		return claims
	}
	out := make(map[string]any, len(claims)+1)
	var cut []string
	for name, v := range claims {
		limit, limited := limits[name]
		if !limited || jsonSize(v) <= limit {
			out[name] = v
			continue
		}
		cut = append(cut, name)
		if fitted, ok := fit(v, limit); ok {
			out[name] = fitted
		}
	}
	if len(cut) > 0 {
		slices.Sort(cut)
		out[ClaimLimitReached] = cut
	}
	return out
}

// fit returns the longest prefix of v whose JSON encoding is at most limit
// bytes, and whether v is a kind that can be cut.
func fit(v any, limit int) (any, bool) {
	switch t := v.(type) {
	case string:
		return fitString(t, limit), true
	case []any:
		return fitList(t, limit), true
	case []string:
		list := make([]any, len(t))
		for i, s := range t {
			list[i] = s
		}
		return fitList(list, limit), true
	}
	return nil, false
}

// fitString keeps whole characters while the encoded string fits.
func fitString(s string, limit int) string {
	lo, hi := 0, len(s)
	for lo < hi { // the longest prefix length whose encoding fits
		mid := (lo + hi + 1) / 2
		if jsonSize(validPrefix(s, mid)) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return validPrefix(s, lo)
}

// validPrefix is s cut to at most n bytes on a character boundary.
func validPrefix(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// fitList keeps whole elements while the encoded list fits.
func fitList(list []any, limit int) []any {
	size := 2 // []
	out := []any{}
	for i, v := range list {
		add := jsonSize(v)
		if i > 0 {
			add++ // the comma
		}
		if size+add > limit {
			break
		}
		size += add
		out = append(out, v)
	}
	return out
}

func jsonSize(v any) int {
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}
