package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// How the README shows an answer, after "# → ":
//
//	200 {"access_token":"eyJ…","expires_in":900,"exp":…,…}
//
// An optional status, then the body. In a JSON body a string with "…"
// matches any string with the same text around each "…" ("…" alone: any
// non-empty string); a bare … value matches any value; a bare … member
// means the object may have more members (otherwise it has exactly
// these); a bare … last element means the array may have more elements.
// A body that is not JSON is compared as text, "…" standing for any text.

const (
	ellipsis = "…"
	// anyValue stands for a bare … once the shown body is made JSON.
	anyValue = "……"
)

var statusPrefix = regexp.MustCompile(`^([1-5][0-9][0-9])(\s+|$)`)

// answer is a shown answer: the status ("" if not shown) and the body.
type answer struct{ status, body string }

func parseAnswer(s string) answer {
	s = strings.TrimSpace(s)
	if m := statusPrefix.FindStringSubmatch(s); m != nil {
		return answer{status: m[1], body: strings.TrimSpace(s[len(m[0]):])}
	}
	return answer{body: s}
}

// matchBody reports how got differs from the shown body, or nil.
func matchBody(shown string, got []byte) error {
	if !strings.HasPrefix(shown, "{") && !strings.HasPrefix(shown, "[") {
		if !matchText(shown, strings.TrimSpace(string(got))) {
			return fmt.Errorf("got %q; want %q", strings.TrimSpace(string(got)), shown)
		}
		return nil
	}
	want, err := decode([]byte(toJSON(shown)))
	if err != nil {
		return fmt.Errorf("the README's answer %s is not JSON with … placeholders: %w", shown, err)
	}
	have, err := decode(got)
	if err != nil {
		return fmt.Errorf("got %q, which is not JSON; want %s", got, shown)
	}
	return match("$", want, have)
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// toJSON turns the bare … of a shown body into JSON: a member
// "……":"……", or the string "……" where a value stands.
func toJSON(s string) string {
	var b strings.Builder
	var stack []byte // '{' or '['
	inString, escaped, wantKey := false, false, false
	for _, r := range s {
		switch {
		case inString && escaped:
			escaped = false
		case inString:
			escaped = r == '\\'
			inString = r != '"'
		case r == '"':
			inString = true
		case r == '{' || r == '[':
			stack = append(stack, byte(r))
			wantKey = r == '{'
		case r == '}' || r == ']':
			stack = stack[:max(len(stack)-1, 0)]
		case r == ',':
			wantKey = len(stack) > 0 && stack[len(stack)-1] == '{'
		case r == ':':
			wantKey = false
		case string(r) == ellipsis && wantKey:
			b.WriteString(`"` + anyValue + `":"` + anyValue + `"`)
			continue
		case string(r) == ellipsis:
			b.WriteString(`"` + anyValue + `"`)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// match compares a shown value with a received one at path.
func match(path string, want, got any) error {
	switch w := want.(type) {
	case map[string]any:
		return matchObject(path, w, got)
	case []any:
		return matchArray(path, w, got)
	case string:
		if w == anyValue {
			if got == nil {
				return fmt.Errorf("%s is missing or null; want a value", path)
			}
			return nil
		}
		if g, ok := got.(string); ok && matchText(w, g) && (w != ellipsis || g != "") {
			return nil
		}
	default:
		if fmt.Sprint(w) == fmt.Sprint(got) && sameKind(w, got) {
			return nil
		}
	}
	return fmt.Errorf("%s = %s; want %s", path, show(got), show(want))
}

func matchObject(path string, want map[string]any, got any) error {
	g, ok := got.(map[string]any)
	if !ok {
		return fmt.Errorf("%s = %s; want an object", path, show(got))
	}
	_, open := want[anyValue]
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if k == anyValue {
			continue
		}
		v, present := g[k]
		if !present {
			return fmt.Errorf("%s has no %q: %s", path, k, show(got))
		}
		if err := match(path+"."+k, want[k], v); err != nil {
			return err
		}
	}
	if !open {
		for _, k := range slices.Sorted(maps.Keys(g)) {
			if _, shown := want[k]; !shown {
				return fmt.Errorf("%s has %q, which the README does not show (end the object with … if it may)", path, k)
			}
		}
	}
	return nil
}

func matchArray(path string, want []any, got any) error {
	g, ok := got.([]any)
	if !ok {
		return fmt.Errorf("%s = %s; want an array", path, show(got))
	}
	open := len(want) > 0 && want[len(want)-1] == anyValue
	if open {
		want = want[:len(want)-1]
	}
	if len(g) < len(want) || (!open && len(g) != len(want)) {
		return fmt.Errorf("%s has %d elements; want %d%s", path, len(g), len(want), map[bool]string{true: " or more"}[open])
	}
	for i := range want {
		if err := match(fmt.Sprintf("%s[%d]", path, i), want[i], g[i]); err != nil {
			return err
		}
	}
	return nil
}

// matchText reports whether got is want with each "…" standing for any
// text.
func matchText(want, got string) bool {
	parts := strings.Split(want, ellipsis)
	if len(parts) == 1 {
		return want == got
	}
	first, last := parts[0], parts[len(parts)-1]
	if !strings.HasPrefix(got, first) || !strings.HasSuffix(got[len(first):], last) {
		return false
	}
	rest := got[len(first) : len(got)-len(last)]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

func sameKind(a, b any) bool { return fmt.Sprintf("%T", a) == fmt.Sprintf("%T", b) }

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
