package tokens_test

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// countingHasher counts the hashes it checks, and how many of them were
// checked against each stored hash.
type countingHasher struct {
	tokens.PasswordHasher
	mu      sync.Mutex
	against map[string]int
	total   int
}

func (h *countingHasher) Verify(encoded, password string) (bool, error) {
	h.mu.Lock()
	h.against[encoded]++
	h.total++
	h.mu.Unlock()
	return h.PasswordHasher.Verify(encoded, password)
}

func (h *countingHasher) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.against)
	h.total = 0
}

func (h *countingHasher) counts(encoded string) (against, total int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.against[encoded], h.total
}

// signInRig is a rig whose hasher counts, with testUser registered.
func signInRig(t *testing.T) (*rig, *countingHasher, client, tokens.User) {
	h := &countingHasher{PasswordHasher: cheapPasswords, against: map[string]int{}}
	r := newRig(t, func(o *tokens.Options) { o.Passwords = h })
	u := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	h.reset()
	r.store.ResetOps()
	return r, h, c, u
}

// signInFrom runs the password grant for username from the address ip.
func (r *rig) signInFrom(c client, username, pw, ip string) (oauth.TokenResponse, error) {
	return r.svc.Token(r.ctx, tokens.TokenRequest{
		Client: c.auth(), GrantType: oauth.GrantPassword, Username: username, Password: pw, Scope: "read", IP: ip,
	})
}

// Issue 11 §2: the lockout was check-then-act: concurrent wrong guesses
// all ran argon2 and all counted, a right password in a burst got in,
// any known username could be locked for everyone, one guess after a lock
// locked it again, and nothing unlocked it. Now each attempt is a
// conditional reservation made before the hash, counted per user and
// source, and `latchkey user unlock` clears it.
func TestLockoutIsAReservation(t *testing.T) {
	const attacker, owner = "198.51.100.7", "203.0.113.5"
	t.Run("a burst hashes no more than the limit", func(t *testing.T) {
		r, h, c, u := signInRig(t)
		var wg sync.WaitGroup
		for i := range 32 {
			pw := "wrong-password"
			if i == 16 {
				pw = testPassword // the right password inside the burst
			}
			wg.Go(func() { _, _ = r.signInFrom(c, testUser, pw, attacker) })
		}
		wg.Wait()
		// The right password gives its attempt back and forgives the
		// failures before it, so at most the limit hashes before it and
		// the limit again after it: 2 × 10, never the whole burst.
		if against, total := h.counts(u.PasswordHash); against > 20 || total != 32 {
			t.Errorf("32 concurrent sign-ins checked the password %d times (%d hashes in all); want at most 20, the limit on each side of the one right password (and 32: every attempt costs one hash)", against, total)
		}
		if r.store.Ops()["ReserveLoginAttempt"] != 32 {
			t.Errorf("reservations = %d; want one per attempt, 32", r.store.Ops()["ReserveLoginAttempt"])
		}
	})
	t.Run("the attacker locks out its own source only", func(t *testing.T) {
		r, _, c, _ := signInRig(t)
		for range 10 {
			_, err := r.signInFrom(c, testUser, "wrong-password", attacker)
			wantCode(t, err, oauth.CodeInvalidGrant)
		}
		_, err := r.signInFrom(c, testUser, testPassword, attacker)
		wantCode(t, err, oauth.CodeInvalidGrant)
		if _, err := r.signInFrom(c, testUser, testPassword, owner); err != nil {
			t.Errorf("the owner from elsewhere = %v; want signed in", err)
		}
		if _, err := r.signInFrom(c, testUser, testPassword, "2001:db8:1:2::1"); err != nil {
			t.Errorf("an IPv6 owner = %v; want signed in", err)
		}
	})
	t.Run("an IPv6 /64 is one source", func(t *testing.T) {
		r, _, c, _ := signInRig(t)
		for i := range 10 {
			_, _ = r.signInFrom(c, testUser, "wrong-password", fmt.Sprintf("2001:db8:1:2::%x", i+1))
		}
		_, err := r.signInFrom(c, testUser, testPassword, "2001:db8:1:2:ffff::1")
		wantCode(t, err, oauth.CodeInvalidGrant)
	})
	t.Run("a guess after the lock does not lock again", func(t *testing.T) {
		r, _, c, _ := signInRig(t)
		for range 11 {
			_, _ = r.signInFrom(c, testUser, "wrong-password", attacker)
		}
		r.clock.Advance(15 * time.Minute)
		_, err := r.signInFrom(c, testUser, "wrong-password", attacker)
		wantCode(t, err, oauth.CodeInvalidGrant)
		if _, err := r.signInFrom(c, testUser, testPassword, attacker); err != nil {
			t.Errorf("right password one failure into the next window = %v; want signed in", err)
		}
	})
	t.Run("unlock", func(t *testing.T) {
		r, _, c, _ := signInRig(t)
		for _, ip := range []string{attacker, owner} {
			for range 10 {
				_, _ = r.signInFrom(c, testUser, "wrong-password", ip)
			}
		}
		if n, err := r.svc.UnlockUser(r.ctx, testUser); n != 2 || err != nil {
			t.Fatalf("UnlockUser = %d, %v; want 2 sources unlocked", n, err)
		}
		if _, err := r.signInFrom(c, testUser, testPassword, owner); err != nil {
			t.Errorf("right password after unlock = %v; want signed in", err)
		}
		if !r.logged("user_unlocked") {
			t.Error("no user_unlocked audit event")
		}
	})
}

// Issue 11 §3: a locked user answered without argon2, an unknown user
// with it, and a wrong password cost one more write than an unknown
// user. Every failure now costs one reservation, one user read and one
// hash, and gets the same answer.
func TestFailedSignInsCostTheSame(t *testing.T) {
	r, h, c, _ := signInRig(t)
	const locked = "198.51.100.9"
	for range 10 {
		_, _ = r.signInFrom(c, testUser, "wrong-password", locked)
		_, _ = r.signInFrom(c, "nobody", "wrong-password", locked)
	}
	want := map[string]int{"GetClient": 1, "ReserveLoginAttempt": 1, "GetUser": 1}
	var first string
	for _, tc := range []struct{ name, username, password, ip string }{
		{"unknown user", "nobody-else", testPassword, "192.0.2.1"},
		{"wrong password", testUser, "wrong-password", "192.0.2.1"},
		{"locked source, right password", testUser, testPassword, locked},
		{"locked source, wrong password", testUser, "wrong-password", locked},
		{"locked source, unknown user", "nobody", testPassword, locked},
		{"username no user can have", strings.Repeat("a", 257), testPassword, "192.0.2.1"},
	} {
		r.store.ResetOps()
		h.reset()
		_, err := r.signInFrom(c, tc.username, tc.password, tc.ip)
		wantCode(t, err, oauth.CodeInvalidGrant)
		if first == "" {
			first = oauth.As(err).Description
		} else if got := oauth.As(err).Description; got != first {
			t.Errorf("%s: description %q; want %q, as for every failure", tc.name, got, first)
		}
		if got := r.coreOps(); !maps.Equal(got, want) {
			t.Errorf("%s: store calls %v; want %v", tc.name, got, want)
		}
		if _, total := h.counts(""); total != 1 {
			t.Errorf("%s: %d argon2id hashes; want 1", tc.name, total)
		}
	}
}
