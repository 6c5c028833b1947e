package signing

import (
	"crypto/elliptic"
	"math/big"
)

// ECDSA signatures are malleable: if (r, s) is a valid signature, so is
// (r, n−s), where n is the order of the curve. An ES256 JWS would then
// have two spellings that both verify, and a token's text, hashed or
// compared anywhere, would not be one thing (issue 11 §8). Sign therefore
// writes only the low-S form (s ≤ n/2, as Bitcoin's BIP 62 and Ethereum's
// EIP-2 require) and Verify refuses the other.

// p256Order is n, the order of P-256's base point; p256HalfOrder is n/2.
var (
	p256Order     = elliptic.P256().Params().N
	p256HalfOrder = new(big.Int).Rsh(p256Order, 1)
)

// es256SigLen is the length of an ES256 signature: r and s, 32 bytes each
// (RFC 7518 §3.4).
const es256SigLen = 64

// isLowS reports whether sig is an ES256 signature whose s is at most n/2.
func isLowS(sig []byte) bool {
	if len(sig) != es256SigLen {
		return false
	}
	s := new(big.Int).SetBytes(sig[es256SigLen/2:])
	return s.Cmp(p256HalfOrder) <= 0
}

// lowS returns sig in its low-S form: s replaced by n−s when s > n/2.
// Anything that is not 64 bytes is returned as it is.
func lowS(sig []byte) []byte {
	if len(sig) != es256SigLen || isLowS(sig) {
		return sig
	}
	s := new(big.Int).SetBytes(sig[es256SigLen/2:])
	out := make([]byte, es256SigLen)
	copy(out, sig[:es256SigLen/2])
	new(big.Int).Sub(p256Order, s).FillBytes(out[es256SigLen/2:])
	return out
}
