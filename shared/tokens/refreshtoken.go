package tokens

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
)

// RefreshTokenPrefix marks Latchkey refresh tokens (docs/design.md §4).
const RefreshTokenPrefix = "lk_rt_"

// refreshToken is a parsed refresh token: lk_rt_<sid>.<generation>.<mac>.
//
// The MAC is HMAC-SHA256(refresh key, sid|generation|salt) with a salt
// that is random per session, so the server can recompute the token of any
// generation (the grace window hands out the current one again) while the
// table holds only hashes and the salt: a dump of it yields no token.
type refreshToken struct {
	SessionID  string
	Generation int
	MAC        []byte
}

// parseRefreshToken splits a refresh token into its parts; ok is false for
// anything that is not well formed.
func parseRefreshToken(s string) (refreshToken, bool) {
	rest, found := strings.CutPrefix(s, RefreshTokenPrefix)
	if !found || len(rest) > 200 {
		return refreshToken{}, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || !plausibleID(parts[0]) {
		return refreshToken{}, false
	}
	gen, err := strconv.Atoi(parts[1])
	if err != nil || gen < 1 || strconv.Itoa(gen) != parts[1] {
		return refreshToken{}, false
	}
	mac, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	// The decoder skips newlines; requiring the canonical spelling keeps
	// one string per token.
	if err != nil || len(mac) != sha256.Size || base64.RawURLEncoding.EncodeToString(mac) != parts[2] {
		return refreshToken{}, false
	}
	return refreshToken{SessionID: parts[0], Generation: gen, MAC: mac}, true
}

// refreshMAC computes the MAC of generation gen of session sid.
func refreshMAC(key []byte, sid string, gen int, salt []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sid))
	m.Write([]byte{'|'})
	m.Write([]byte(strconv.Itoa(gen)))
	m.Write([]byte{'|'})
	m.Write(salt)
	return m.Sum(nil)
}

// formatRefreshToken returns the refresh token of generation gen of session sid.
func formatRefreshToken(key []byte, sid string, gen int, salt []byte) string {
	mac := refreshMAC(key, sid, gen, salt)
	return RefreshTokenPrefix + sid + "." + strconv.Itoa(gen) + "." + base64.RawURLEncoding.EncodeToString(mac)
}

// genuine reports, in constant time, whether rt's MAC is the one the key
// gives for the session's salt.
func (rt refreshToken) genuine(key []byte, salt []byte) bool {
	return hmac.Equal(rt.MAC, refreshMAC(key, rt.SessionID, rt.Generation, salt))
}
