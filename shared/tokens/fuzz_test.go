package tokens

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets for the parsers of the three opaque token formats and the
// sessions cursor (issue 5 §3). Seeds: f.Add below and testdata/fuzz/.
// Run one with: go test -run '^$' -fuzz '^FuzzParseRefreshToken$' ./shared/tokens

// fuzzKey is the refresh and cursor key of the fuzz targets: fixed, so the
// committed corpus may hold genuine tokens and cursors.
var fuzzKey = bytes.Repeat([]byte{7}, 32)

// FuzzParseRefreshToken: parseRefreshToken never panics, accepts only
// lk_rt_<sid>.<generation ≥ 1>.<32-byte MAC>, and is canonical: a parsed
// token formats back to exactly the string presented, so one token has
// one spelling (introspection and revocation compare its hash).
func FuzzParseRefreshToken(f *testing.F) {
	salt := []byte("0123456789abcdef")
	f.Add(formatRefreshToken(fuzzKey, "q2d5nyjhxq4xqfqbv2fkqg4d2u", 1, salt))
	f.Add(formatRefreshToken(fuzzKey, "q2d5nyjhxq4xqfqbv2fkqg4d2u", 17, salt))
	f.Add("lk_rt_abc.0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_rt_abc.01.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_rt_abc.+1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_rt_.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_rt_a.b.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_rt_abc.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("lk_at_abc.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		rt, ok := parseRefreshToken(s)
		if !ok {
			return
		}
		switch {
		case rt.SessionID == "" || strings.Contains(rt.SessionID, "."):
			t.Errorf("parseRefreshToken(%q) session id = %q; want non-empty, without a dot", s, rt.SessionID)
		case rt.Generation < 1:
			t.Errorf("parseRefreshToken(%q) generation = %d; want ≥ 1", s, rt.Generation)
		case len(rt.MAC) != sha256.Size:
			t.Errorf("parseRefreshToken(%q) MAC has %d bytes; want %d", s, len(rt.MAC), sha256.Size)
		}
		canonical := RefreshTokenPrefix + rt.SessionID + "." + strconv.Itoa(rt.Generation) + "." +
			base64.RawURLEncoding.EncodeToString(rt.MAC)
		if canonical != s {
			t.Errorf("parseRefreshToken(%q) = ok, but the token it parses to is spelt %q; want one spelling per token", s, canonical)
		}
	})
}

// FuzzValidLongLivedChecksum: ValidLongLivedChecksum never panics and
// accepts exactly prefix + 43 base62 + the base62 CRC32 of what precedes
// it. From any 43 base62 characters the token with its checksum is valid,
// and changing any one character of it makes it invalid.
func FuzzValidLongLivedChecksum(f *testing.F) {
	body := LongLivedPrefix + strings.Repeat("a1B2", 10) + "xyz"
	f.Add(body+checksum(body), 0, byte('Z'))
	f.Add(body+"000000", 5, byte('0'))
	f.Add(strings.Replace(body+checksum(body), "lk_lt_", "lk_at_", 1), 48, byte('-'))
	f.Add(body+checksum(body)+"0", 60, byte('z'))
	f.Add(LongLivedPrefix+strings.Repeat("0", 49), 10, byte('1'))
	f.Add(LongLivedPrefix+strings.Repeat("z", 49), 54, byte('y'))
	f.Add("", 0, byte(0))
	f.Fuzz(func(t *testing.T, s string, pos int, b byte) {
		if ValidLongLivedChecksum(s) {
			cut := len(s) - checksumLen
			if !strings.HasPrefix(s, LongLivedPrefix) || len(s) != longLivedLen || checksum(s[:cut]) != s[cut:] {
				t.Errorf("ValidLongLivedChecksum(%q) = true; want false", s)
			}
		}
		tok, ok := longLivedFrom(s)
		if !ok {
			return
		}
		if !ValidLongLivedChecksum(tok) {
			t.Fatalf("ValidLongLivedChecksum(%q) = false for a token with its checksum; want true", tok)
		}
		i := len(LongLivedPrefix) + abs(pos)%(len(tok)-len(LongLivedPrefix))
		c := base62Alphabet[int(b)%len(base62Alphabet)]
		if c == tok[i] {
			return
		}
		typo := tok[:i] + string(c) + tok[i+1:]
		if ValidLongLivedChecksum(typo) {
			t.Errorf("ValidLongLivedChecksum(%q) = true with character %d changed from %q; want false", typo, i, tok)
		}
	})
}

// longLivedFrom makes a well-formed long-lived token from the base62
// characters of s, if it has 43 of them.
func longLivedFrom(s string) (string, bool) {
	var body []byte
	for i := 0; i < len(s) && len(body) < longLivedBodyLen; i++ {
		if strings.IndexByte(base62Alphabet, s[i]) >= 0 {
			body = append(body, s[i])
		}
	}
	if len(body) < longLivedBodyLen {
		return "", false
	}
	t := LongLivedPrefix + string(body)
	return t + checksum(t), true
}

func abs(n int) int {
	if n < 0 {
		return -(n + 1)
	}
	return n
}

// FuzzReferenceSessionID: referenceSessionID never panics, returns a
// prefix of the token's body that holds no dot and is a plausible id
// (short enough for a DynamoDB key), and finds the session id
// newReferenceToken put in when it is one.
func FuzzReferenceSessionID(f *testing.F) {
	f.Add("lk_at_q2d5nyjhxq4xqfqbv2fkqg4d2u.V2hhdCBhIHNlY3JldCB0aGlzIGlzIQ", "q2d5nyjhxq4xqfqbv2fkqg4d2u")
	f.Add("lk_at_V2hhdCBhIHNlY3JldCB0aGlzIGlzIQ", "")
	f.Add("lk_at_.secret", "a.b")
	f.Add("lk_at_a.b.c", "sid")
	f.Add("lk_rt_abc.1.xyz", "abc")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, token, sid string) {
		got := referenceSessionID(token)
		rest := strings.TrimPrefix(token, ReferenceTokenPrefix)
		if strings.Contains(got, ".") || !strings.HasPrefix(rest, got) {
			t.Errorf("referenceSessionID(%q) = %q; want a dot-free prefix of %q", token, got, rest)
		}
		if got != "" && !plausibleID(got) {
			t.Errorf("referenceSessionID(%q) = %q; want only an id that can be a DynamoDB key", token, got)
		}
		if strings.Contains(sid, ".") {
			return
		}
		want := sid
		if !plausibleID(sid) {
			want = ""
		}
		if got := referenceSessionID(newReferenceToken(sid)); got != want {
			t.Errorf("referenceSessionID(newReferenceToken(%q)) = %q; want %q", sid, got, want)
		}
	})
}

// FuzzCursor: a sealed cursor opens to what was sealed under the same
// query and to nothing under another; openCursor never panics on any
// input, and what it opens reseals to a cursor that opens the same.
func FuzzCursor(f *testing.F) {
	s := New(Options{CursorKey: fuzzKey})
	q := ListQuery{Subject: "usr_alice", ActiveOnly: true, Limit: 50}
	after := `{"GSI1PK":"SUB#usr_alice","GSI1SK":"2026-11-22T12:00:00Z#q2d5nyjhxq4xqfqbv2fkqg4d2u"}`
	f.Add("usr_alice", "", "", true, after, s.sealCursor(q, after))
	f.Add("usr_alice", "cl_web", "oauth", false, after, s.sealCursor(ListQuery{Subject: "usr_alice", ClientID: "cl_web", Type: "oauth"}, after))
	f.Add("usr_bob", "", "long_lived", true, "", s.sealCursor(q, after))
	f.Add("usr_alice", "", "", true, "x", "eyJHU0kxUEsiOiJTVUIjdXNyX2FsaWNlIn0.AAAA")
	f.Add("", "", "", false, "", ".")
	f.Add("a", "b", "c", true, "d", "not a cursor")
	f.Fuzz(func(t *testing.T, subject, clientID, typ string, activeOnly bool, after, cursor string) {
		q := ListQuery{Subject: subject, ClientID: clientID, Type: typ, ActiveOnly: activeOnly}
		sealed := s.sealCursor(q, after)
		if got, ok := s.openCursor(q, sealed); !ok || got != after {
			t.Errorf("openCursor(sealCursor(%q)) = %q, %v; want %q, true", after, got, ok, after)
		}
		other := q
		other.Subject += "x"
		if got, ok := s.openCursor(other, sealed); ok {
			t.Errorf("openCursor(subject %q, a cursor of subject %q) = %q, true; want false", other.Subject, subject, got)
		}
		got, ok := s.openCursor(q, cursor)
		if !ok {
			return
		}
		if again, ok := s.openCursor(q, s.sealCursor(q, got)); !ok || again != got {
			t.Errorf("openCursor(%q) = %q; resealed it opens to %q, %v", cursor, got, again, ok)
		}
		if _, ok := s.openCursor(other, cursor); ok {
			t.Errorf("openCursor(%q) opens under subject %q and %q; want only one", cursor, subject, other.Subject)
		}
	})
}

// TestRefreshTokenHasOneSpelling pins what FuzzParseRefreshToken found
// (testdata/fuzz/FuzzParseRefreshToken/mac-trailing-bits, fixed in
// 4030c85): base64's lenient decoder ignores the unused low bits of the
// MAC's last character and skips CR and LF, so other strings parsed as the
// same genuine token. Refresh accepted them (the MAC matches) while
// introspection and revocation, which compare the SHA-256 of the string
// with the session's current hash, called them inactive.
func TestRefreshTokenHasOneSpelling(t *testing.T) {
	salt := []byte("per-session-salt")
	tok := formatRefreshToken(fuzzKey, "q2d5nyjhxq4xqfqbv2fkqg4d2u", 3, salt)
	last := tok[len(tok)-1]
	flipped := byte(strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", last) ^ 1)
	tests := []struct {
		name  string
		token string
	}{
		{"unused bits of the last character set", tok[:len(tok)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[flipped])},
		{"LF inside the MAC", tok[:len(tok)-10] + "\n" + tok[len(tok)-10:]},
		{"CR LF at the end", tok + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, ok := parseRefreshToken(tt.token)
			if ok && rt.genuine(fuzzKey, salt) {
				t.Errorf("parseRefreshToken(%q) = genuine generation %d; want not ok (the token is %q)", tt.token, rt.Generation, tok)
			}
		})
	}
}
