package tokens

import (
	"context"
	"errors"
	"hash/crc32"
	"log/slog"
	"math/big"
	"strings"
	"time"
)

// LongLivedPrefix marks long-lived tokens (docs/design.md §4).
const LongLivedPrefix = "lk_lt_"

// LongLivedToken is a minted long-lived token as stored: a hash, never
// the token. ID is derived from the hash, so DELETE /tokens/{id} needs
// no secret.
type LongLivedToken struct {
	ID      string
	Hash    []byte
	Name    string
	Subject string
	Scopes  []string
	// Audience is the resource it was minted for (RFC 8707), if any.
	Audience []string
	// CreatedBy is the subject or client that minted it.
	CreatedBy string
	// ClientID is the client through which a principal minted this token
	// for itself: such a token belongs to that client and stops working
	// when the client is disabled or deleted (issue 11 §4). It is empty
	// for a token an administrator minted for someone else.
	ClientID  string
	CreatedAt time.Time
	// ExpiresAt is zero for a token that never expires.
	ExpiresAt  time.Time
	LastUsedAt time.Time
	Status     string
	RevokedAt  time.Time
}

// A long-lived token is lk_lt_ + 43 base62 characters of 32 random bytes
// + a 6-character base62 CRC32 of everything before it, in the manner of
// GitHub's token format: a secret scanner can tell a real token from a
// typo without asking the server, and so can Latchkey before any read.
const (
	base62Alphabet   = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	longLivedBodyLen = 43
	checksumLen      = 6
	longLivedLen     = len(LongLivedPrefix) + longLivedBodyLen + checksumLen
)

// base62 encodes b as exactly width base62 digits, zero-padded.
func base62(b []byte, width int) string {
	n := new(big.Int).SetBytes(b)
	out := make([]byte, width)
	base, rem := big.NewInt(62), new(big.Int)
	for i := width - 1; i >= 0; i-- {
		n.DivMod(n, base, rem)
		out[i] = base62Alphabet[rem.Int64()]
	}
	return string(out)
}

func checksum(s string) string {
	sum := crc32.ChecksumIEEE([]byte(s))
	return base62([]byte{byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)}, checksumLen)
}

// newLongLivedToken returns a fresh long-lived token.
func newLongLivedToken() string {
	body := LongLivedPrefix + base62(randomBytes(32), longLivedBodyLen)
	return body + checksum(body)
}

// ValidLongLivedChecksum reports whether s has the shape and checksum of a
// long-lived token. It reads nothing: a typo is rejected for free.
func ValidLongLivedChecksum(s string) bool {
	if len(s) != longLivedLen || !strings.HasPrefix(s, LongLivedPrefix) {
		return false
	}
	for i := len(LongLivedPrefix); i < len(s); i++ {
		if strings.IndexByte(base62Alphabet, s[i]) < 0 {
			return false
		}
	}
	cut := len(s) - checksumLen
	return checksum(s[:cut]) == s[cut:]
}

// longLivedID derives a token's public id from its hash: knowing the id
// gives nothing toward the token.
func longLivedID(token string) string {
	return strings.ToLower(idEncoding.EncodeToString(HashToken(token)[:16]))
}

// lastUsedInterval is how often a long-lived token's last use is recorded
// at most.
const lastUsedInterval = time.Minute

// touchLongLived records a use at most once a minute, with one conditional
// write that concurrent uses cannot multiply. A failure is logged, not
// fatal: the token was valid.
func (s *Service) touchLongLived(ctx context.Context, info TokenInfo) {
	now := s.now()
	if now.Sub(info.lastUsed) < lastUsedInterval {
		return
	}
	err := s.store.TouchLongLived(ctx, info.JTI, now, lastUsedInterval)
	if err != nil && !errors.Is(err, ErrConflict) {
		s.audit(ctx, slog.LevelWarn, "last_used_update_failed", slog.String("jti", info.JTI), slog.String("cause", err.Error()))
	}
}
