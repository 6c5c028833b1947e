package tokens_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Issue 11 §6: a password typed into the username field was logged as the
// first 8 bytes of its unsalted SHA-256, which a dictionary reverses.
// Unknown usernames and client ids are logged as an HMAC under the
// identifier key: stable under one key, unrelated to any plain hash.
func TestLoggedIdentifiersAreKeyedHashes(t *testing.T) {
	const typed = "Tr0ub4dor&3-my-password" // a password in the username field
	const clientID = "lk_cs_a-secret-sent-as-client-id"
	logsOf := func(key string) string {
		r := newRig(t, func(o *tokens.Options) { o.IdentifierKey = []byte(key) })
		c := r.firstParty(tokens.ClientSpec{})
		_, _ = r.passwordGrant(c, typed, "whatever-password", "read")
		_, _ = r.svc.AuthenticateClient(r.ctx, tokens.ClientAuth{ID: clientID, Secret: "x"})
		return r.logs.String()
	}
	hashes := regexp.MustCompile(`"(username_hash|client_id)":"([0-9a-f]{32})"`)
	first, again, other := logsOf("key one"), logsOf("key one"), logsOf("key two")
	found := hashes.FindAllStringSubmatch(first, -1)
	if len(found) != 2 {
		t.Fatalf("logs = %s; want the username and the client id each as 32 hex digits", first)
	}
	for _, v := range []string{typed, clientID} {
		sum := sha256.Sum256([]byte(v))
		plain := hex.EncodeToString(sum[:])
		for _, logs := range []string{first, other} {
			if strings.Contains(logs, v) || strings.Contains(logs, plain[:16]) {
				t.Errorf("logs hold %q or a prefix of its SHA-256: %s", v, logs)
			}
		}
	}
	for _, m := range found {
		if !strings.Contains(again, m[2]) {
			t.Errorf("%s %s is not stable under one key: %s", m[1], m[2], again)
		}
		if strings.Contains(other, m[2]) {
			t.Errorf("%s %s is the same under another key", m[1], m[2])
		}
	}
}
