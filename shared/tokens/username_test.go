package tokens_test

import (
	"errors"
	"testing"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Issue 11 §16: NFC, NFD and case variants of a username created distinct
// accounts that look the same. Usernames are kept in the PRECIS
// UsernameCaseMapped form (RFC 8265 §3.3: width-mapped, lower case, NFC),
// and names that form refuses (spaces, controls, invisible and
// compatibility characters) cannot be created.
func TestUsernamesAreCanonical(t *testing.T) {
	r := newRig(t)
	c := r.firstParty(tokens.ClientSpec{})
	for _, tc := range []struct{ name, stored string }{
		{"Alice", "alice"},
		{"\u00c5sa", "\u00e5sa"},      // Åsa, precomposed
		{"ZO\u00cb", "zo\u00eb"},      // ZOË
		{"\uff22\uff4f\uff42", "bob"}, // full-width Ｂｏｂ
	} {
		u, err := r.svc.CreateUser(r.ctx, tc.name, testPassword)
		if err != nil || u.Username != tc.stored {
			t.Fatalf("CreateUser(%q) = %q, %v; want stored as %q", tc.name, u.Username, err, tc.stored)
		}
	}
	for _, dup := range []string{"alice", "ALICE", "A\u030asa", "a\u030asa", "zoe\u0308", "BOB", "b\uff4fb"} {
		if _, err := r.svc.CreateUser(r.ctx, dup, testPassword); err == nil {
			t.Errorf("CreateUser(%q) = nil; want it refused as a variant of an existing name", dup)
		}
	}
	for _, bad := range []string{"bob smith", "a\tb", "a\u200bb", "\ufb01", "\u01c5", "", " "} {
		if _, err := r.svc.CreateUser(r.ctx, bad, testPassword); !errors.Is(err, tokens.ErrInvalidSettings) {
			t.Errorf("CreateUser(%q) = %v; want invalid settings", bad, err)
		}
	}
	alice, _ := r.store.GetUser(r.ctx, "alice")
	asa, _ := r.store.GetUser(r.ctx, "\u00e5sa")
	for typed, want := range map[string]string{
		"alice": alice.Subject, "ALICE": alice.Subject, "\uff41lice": alice.Subject,
		"\u00c5sa": asa.Subject, "A\u030asa": asa.Subject, "a\u030aSA": asa.Subject,
	} {
		resp, err := r.passwordGrant(c, typed, testPassword, "read")
		if err != nil {
			t.Errorf("sign-in as %q = %v; want the account %s", typed, err, want)
			continue
		}
		if got := r.claims(resp.AccessToken).Subject; got != want {
			t.Errorf("sign-in as %q: sub %s; want %s", typed, got, want)
		}
	}
	if _, err := r.svc.DisableUser(r.ctx, "ALICE"); err != nil {
		t.Errorf("DisableUser(ALICE) = %v; want alice disabled", err)
	}
	if u, _ := r.store.GetUser(r.ctx, "alice"); !u.Disabled {
		t.Error("alice is not disabled after DisableUser(ALICE)")
	}
}
