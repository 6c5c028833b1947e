package tokens

import (
	"bytes"
	"strings"
	"testing"
)

func TestRefreshTokenRoundTrip(t *testing.T) {
	key, salt := bytes.Repeat([]byte{1}, 32), []byte("salt-salt-salt!!")
	tok := formatRefreshToken(key, "abc", 7, salt)
	if !strings.HasPrefix(tok, RefreshTokenPrefix+"abc.7.") {
		t.Fatalf("formatRefreshToken() = %q; want lk_rt_abc.7.<mac>", tok)
	}
	rt, ok := parseRefreshToken(tok)
	if !ok || rt.SessionID != "abc" || rt.Generation != 7 {
		t.Fatalf("parseRefreshToken(%q) = %+v, %v; want abc gen 7", tok, rt, ok)
	}
	if !rt.genuine(key, salt) {
		t.Error("genuine() = false for a token made with the same key and salt")
	}
	for name, tc := range map[string]struct {
		key, salt []byte
	}{
		"other key":  {bytes.Repeat([]byte{2}, 32), salt},
		"other salt": {key, []byte("another-salt....")},
	} {
		if rt.genuine(tc.key, tc.salt) {
			t.Errorf("genuine() with %s = true; want false", name)
		}
	}
}

func TestParseRefreshTokenRejects(t *testing.T) {
	mac := strings.Repeat("A", 43)
	for name, s := range map[string]string{
		"empty":             "",
		"no prefix":         "abc.1." + mac,
		"other prefix":      "lk_at_abc.1." + mac,
		"two parts":         RefreshTokenPrefix + "abc.1",
		"four parts":        RefreshTokenPrefix + "abc.1." + mac + ".x",
		"empty sid":         RefreshTokenPrefix + ".1." + mac,
		"generation zero":   RefreshTokenPrefix + "abc.0." + mac,
		"negative":          RefreshTokenPrefix + "abc.-1." + mac,
		"leading zero":      RefreshTokenPrefix + "abc.01." + mac,
		"plus sign":         RefreshTokenPrefix + "abc.+1." + mac,
		"not a number":      RefreshTokenPrefix + "abc.x." + mac,
		"short mac":         RefreshTokenPrefix + "abc.1.AAAA",
		"mac not base64url": RefreshTokenPrefix + "abc.1." + strings.Repeat("*", 43),
		"too long":          RefreshTokenPrefix + strings.Repeat("a", 300) + ".1." + mac,
	} {
		if _, ok := parseRefreshToken(s); ok {
			t.Errorf("parseRefreshToken(%s) ok = true; want false", name)
		}
	}
}
