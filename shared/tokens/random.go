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

// HashToken returns SHA-256 of a token: what the table keeps instead of it.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
