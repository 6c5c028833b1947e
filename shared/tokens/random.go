package tokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"strings"
)

// idEncoding is lower-case base32 without padding: safe in URLs, paths and
// DynamoDB keys, and unambiguous to read aloud.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// randomBytes returns n bytes from crypto/rand, which never fails on the
// platforms Latchkey runs on (Go 1.24 crypto/rand.Read panics instead).
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// NewID returns a random 128-bit identifier, 26 lower-case characters.
func NewID() string {
	return strings.ToLower(idEncoding.EncodeToString(randomBytes(16)))
}

// maxIDLen bounds any identifier taken from a request before it becomes a
// DynamoDB key (whose partition key may hold at most 2,048 bytes): ids
// Latchkey makes are 26 characters.
const maxIDLen = 128

// plausibleID reports whether s can be an identifier at all: 1 to 128
// printable ASCII characters. Anything else is unknown without a read.
func plausibleID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// HashToken returns SHA-256 of a token: what the table keeps instead of it.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
