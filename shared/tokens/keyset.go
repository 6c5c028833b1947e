package tokens

import "time"

// Key states (docs/design.md §5): a next key is published but does not sign, the
// current key signs, a retired key stays published until every token it
// signed has expired.
const (
	KeyNext    = "next"
	KeyCurrent = "current"
	KeyRetired = "retired"
)

// KeySet is the stored set of signing keys, versioned for conditional writes.
type KeySet struct {
	Version int
	Keys    []KeyRecord
}

// KeyRecord is one signing key as stored: the public JWK in clear, the
// private JWK sealed with the key-encryption key (AES-256-GCM).
type KeyRecord struct {
	KID              string
	Alg              string
	State            string
	PublicJWK        []byte
	SealedPrivateJWK []byte
	CreatedAt        time.Time
	ActivatedAt      time.Time
	RetiredAt        time.Time
}
