package signing

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// sealer encrypts private JWKs at rest with AES-256-GCM (NIST SP 800-38D)
// under a key derived from the KEK. The sealed form is nonce || ciphertext
// || tag, and the key id is the additional authenticated data, so a sealed
// key cannot be moved to another record without detection.
type sealer struct {
	aead cipher.AEAD
}

// newSealer derives the sealing key from kek and prepares the AEAD.
func newSealer(kek []byte) (*sealer, error) {
	if err := checkKEK(kek); err != nil {
		return nil, err
	}
	key, err := derive(kek, labelSeal)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts plaintext bound to kid with a fresh random 96-bit nonce.
func (s *sealer) seal(kid string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plaintext, []byte(kid)), nil
}

// errSealed reports a sealed key that does not open: the wrong KEK, a
// record edited by hand, or a sealed key moved to another kid.
var errSealed = errors.New("signing: sealed private key does not open")

// open decrypts a sealed private key and checks it belongs to kid.
func (s *sealer) open(kid string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, fmt.Errorf("%w: kid %q: too short", errSealed, kid)
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(kid))
	if err != nil {
		return nil, fmt.Errorf("%w: kid %q", errSealed, kid)
	}
	return plain, nil
}
