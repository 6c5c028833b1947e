package tokens

import (
	"regexp"
	"strings"
	"testing"
)

var longLivedShape = regexp.MustCompile(`^lk_lt_[0-9A-Za-z]{49}$`)

func TestNewLongLivedToken(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newLongLivedToken()
		if !longLivedShape.MatchString(tok) {
			t.Fatalf("newLongLivedToken() = %q; want %s", tok, longLivedShape)
		}
		if !ValidLongLivedChecksum(tok) {
			t.Fatalf("ValidLongLivedChecksum(%q) = false; want true for a fresh token", tok)
		}
		if seen[tok] {
			t.Fatalf("newLongLivedToken() repeated %q", tok)
		}
		seen[tok] = true
	}
}

// Every single-character substitution, at every position of the random
// part and of the checksum, fails the checksum: CRC32 catches every error
// burst of up to 32 bits, and the 6 base62 digits hold all 2^32 values.
func TestChecksumCatchesEverySubstitution(t *testing.T) {
	for range 20 {
		tok := newLongLivedToken()
		for pos := len(LongLivedPrefix); pos < len(tok); pos++ {
			for c := range 128 {
				if byte(c) == tok[pos] {
					continue
				}
				typo := tok[:pos] + string(rune(c)) + tok[pos+1:]
				if ValidLongLivedChecksum(typo) {
					t.Fatalf("ValidLongLivedChecksum(%q) = true: %q with %q at %d; want false", typo, tok, rune(c), pos)
				}
			}
		}
	}
}

// Two adjacent characters swapped, the commonest transcription error.
func TestChecksumCatchesTranspositions(t *testing.T) {
	tok := newLongLivedToken()
	for pos := len(LongLivedPrefix); pos < len(tok)-1; pos++ {
		if tok[pos] == tok[pos+1] {
			continue
		}
		b := []byte(tok)
		b[pos], b[pos+1] = b[pos+1], b[pos]
		if ValidLongLivedChecksum(string(b)) {
			t.Errorf("ValidLongLivedChecksum(%q) = true after swapping %d and %d; want false", b, pos, pos+1)
		}
	}
}

func TestValidLongLivedChecksumRejectsShapes(t *testing.T) {
	tok := newLongLivedToken()
	body := tok[:len(tok)-checksumLen]
	withSum := func(b string) string { return b + checksum(b) }
	for name, s := range map[string]string{
		"empty":                       "",
		"prefix only":                 LongLivedPrefix,
		"one character short":         tok[:len(tok)-1],
		"one character long":          tok + "0",
		"checksum missing":            body,
		"no prefix":                   tok[len(LongLivedPrefix):],
		"refresh prefix, own sum":     withSum("lk_rt_" + body[len(LongLivedPrefix):]),
		"access prefix, own sum":      withSum("lk_at_" + body[len(LongLivedPrefix):]),
		"upper-case prefix, own sum":  withSum("LK_LT_" + body[len(LongLivedPrefix):]),
		"short body, own sum":         withSum(body[:len(body)-1]),
		"long body, own sum":          withSum(body + "0"),
		"base64url '-' with own sum":  withSum(body[:len(body)-1] + "-"),
		"base64url '_' with own sum":  withSum(body[:len(body)-1] + "_"),
		"non-ASCII with own sum":      withSum(body[:len(body)-2] + "é"),
		"space-padded":                " " + tok[:len(tok)-1],
		"checksum of another token":   body + newLongLivedToken()[len(body):],
		"checksum all zeros":          body + strings.Repeat("0", checksumLen),
		"whole token in another case": strings.ToUpper(tok),
	} {
		if ValidLongLivedChecksum(s) {
			t.Errorf("%s: ValidLongLivedChecksum(%q) = true; want false", name, s)
		}
	}
}

func TestBase62(t *testing.T) {
	for _, tc := range []struct {
		in    []byte
		width int
		want  string
	}{
		{[]byte{0}, 6, "000000"},
		{[]byte{61}, 2, "0z"},
		{[]byte{62}, 2, "10"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, 6, "4gfFC3"},
	} {
		if got := base62(tc.in, tc.width); got != tc.want {
			t.Errorf("base62(%x, %d) = %q; want %q", tc.in, tc.width, got, tc.want)
		}
	}
	// 32 random bytes always fit the 43 digits: 62^43 > 2^256.
	if got := base62([]byte(strings.Repeat("\xff", 32)), longLivedBodyLen); got[0] == '0' || len(got) != 43 {
		t.Errorf("base62(2^256-1, 43) = %q; want 43 digits, the first non-zero", got)
	}
}

func TestLongLivedIDRevealsNothing(t *testing.T) {
	tok := newLongLivedToken()
	id := longLivedID(tok)
	if id != longLivedID(tok) {
		t.Fatal("longLivedID is not deterministic")
	}
	if id == longLivedID(newLongLivedToken()) {
		t.Error("two tokens have the same id")
	}
	for i := len(LongLivedPrefix); i+8 <= len(tok); i++ {
		if strings.Contains(id, tok[i:i+8]) || strings.Contains(strings.ToLower(tok), id) {
			t.Fatalf("longLivedID(%q) = %q shares text with the token", tok, id)
		}
	}
}
