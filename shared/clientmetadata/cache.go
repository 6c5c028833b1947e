package clientmetadata

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cacheTTL is how long a document may be reused, from its caching headers
// (RFC 9111 §5.2.2, §5.3): no-store, no-cache and private-to-nobody
// answers are not kept; max-age (or Expires, against Date) says how long,
// at most MaxTTL; an answer that says nothing is kept DefaultTTL.
func cacheTTL(h http.Header, now time.Time) time.Duration {
	directives := cacheControl(h.Get("Cache-Control"))
	if _, ok := directives["no-store"]; ok {
		return 0
	}
	if _, ok := directives["no-cache"]; ok {
		return 0
	}
	if v, ok := directives["max-age"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		return clampTTL(time.Duration(min(n, int64(MaxTTL/time.Second))) * time.Second)
	}
	if exp := h.Get("Expires"); exp != "" {
		return expiresTTL(exp, h.Get("Date"), now)
	}
	return DefaultTTL
}

// expiresTTL is Expires less Date (or now without a Date); an invalid
// Expires means already expired (RFC 9111 §5.3).
func expiresTTL(expires, date string, now time.Time) time.Duration {
	e, err := http.ParseTime(expires)
	if err != nil {
		return 0
	}
	if d, err := http.ParseTime(date); err == nil {
		now = d
	}
	return clampTTL(e.Sub(now))
}

func clampTTL(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return 0
	case d > MaxTTL:
		return MaxTTL
	}
	return d
}

// cacheControl parses the directives of a Cache-Control header, names in
// lower case, quoted values unquoted.
func cacheControl(v string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(v, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		if name != "" {
			out[strings.ToLower(name)] = strings.Trim(value, `"`)
		}
	}
	return out
}
