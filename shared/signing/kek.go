package signing

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KEKSize is the length in bytes of a key-encryption key.
const KEKSize = 32

// HKDF info labels (RFC 5869 §3.2). Each derived key has its own label so
// that no two uses ever share key material; the version suffix leaves room
// for a change of scheme.
const (
	labelKEK        = "latchkey kek v1"
	labelSeal       = "latchkey signing-key seal v1"
	labelRefreshMAC = "latchkey refresh-token mac v1"
	labelCursorMAC  = "latchkey sessions-cursor mac v1"
	labelIdentifier = "latchkey identifier hmac v1"
)

// minSecretLen is the shortest secret string that KEKFromSecret stretches
// with HKDF; anything shorter is too likely to be a human-chosen password.
const minSecretLen = 32

// ErrBadKEK reports a key-encryption key or secret of the wrong shape.
var ErrBadKEK = errors.New("signing: bad key-encryption key")

// KEKFromSecret turns the configured secret into a 32-byte key-encryption
// key. A secret that is standard or URL-safe base64 (padded or not) of
// exactly 32 bytes is used as those bytes; any other secret of at least 32
// characters, such as the 64-character alphanumeric string that AWS Secrets
// Manager generates, is stretched with HKDF-SHA256 (RFC 5869). Surrounding
// whitespace is ignored. Shorter secrets are rejected.
func KEKFromSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.URLEncoding,
		base64.RawStdEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KEKSize {
			return b, nil
		}
	}
	if len(s) < minSecretLen {
		return nil, fmt.Errorf("%w: secret must be base64 of %d bytes or at least %d characters",
			ErrBadKEK, KEKSize, minSecretLen)
	}
	return derive([]byte(s), labelKEK)
}

// RefreshKey derives the HMAC-SHA256 key that authenticates refresh tokens
// (docs/design.md §3) from the key-encryption key. It is independent of the key
// that seals signing keys.
func RefreshKey(kek []byte) ([]byte, error) {
	if err := checkKEK(kek); err != nil {
		return nil, err
	}
	return derive(kek, labelRefreshMAC)
}

// CursorKey derives the HMAC-SHA256 key that authenticates the sessions
// page's cursors from the key-encryption key.
func CursorKey(kek []byte) ([]byte, error) {
	if err := checkKEK(kek); err != nil {
		return nil, err
	}
	return derive(kek, labelCursorMAC)
}

// IdentifierKey derives the HMAC-SHA256 key under which the core names
// usernames in the sign-in throttle's table items and identifiers in its
// logs (issue 11 §2, §6): a stable name, which a dictionary cannot undo
// without the key.
func IdentifierKey(kek []byte) ([]byte, error) {
	if err := checkKEK(kek); err != nil {
		return nil, err
	}
	return derive(kek, labelIdentifier)
}

// CursorKeyFromSecret derives the cursor MAC key from a secret of its own,
// shaped as KEKFromSecret accepts (issue 11 §14): the sessions-list
// function holds it instead of the key-encryption key, so its table read
// cannot unseal signing keys.
func CursorKeyFromSecret(s string) ([]byte, error) {
	root, err := KEKFromSecret(s)
	if err != nil {
		return nil, err
	}
	return derive(root, labelCursorMAC)
}

// checkKEK reports whether kek has the length of an AES-256 key.
func checkKEK(kek []byte) error {
	if len(kek) != KEKSize {
		return fmt.Errorf("%w: got %d bytes, want %d", ErrBadKEK, len(kek), KEKSize)
	}
	return nil
}

// derive returns 32 bytes of HKDF-SHA256 output for secret and label, with
// no salt (RFC 5869 §3.1: the secrets here are already uniformly random or
// long enough that a salt adds nothing a fixed label does not).
func derive(secret []byte, label string) ([]byte, error) {
	return hkdf.Key(sha256.New, secret, nil, label, KEKSize)
}
