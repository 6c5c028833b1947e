package tokens

import "golang.org/x/text/secure/precis"

// Usernames are compared in one canonical form (issue 11 §16): NFC, NFD
// and case variants of a name used to create distinct accounts that look
// the same. A username is stored and looked up as the PRECIS
// UsernameCaseMapped profile makes it (RFC 8265 §3.3): full-width
// characters mapped to their ordinary width, lower case, NFC. The
// profile's IdentifierClass refuses what cannot be told apart or typed
// reliably: spaces, controls, invisible characters and compatibility
// forms (ﬁ, ǅ). Creating such a user is refused; signing in as one is
// an unknown user, at the same cost as any other.

// canonicalUsername returns username's canonical form; ok is false when no
// user can have it.
func canonicalUsername(username string) (string, bool) {
	if len(username) > 4*maxUsernameLen {
		return "", false
	}
	out, err := precis.UsernameCaseMapped.String(username)
	if err != nil || out == "" || len(out) > maxUsernameLen {
		return "", false
	}
	return out, true
}
