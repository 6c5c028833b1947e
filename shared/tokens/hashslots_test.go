package tokens_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// gateHasher blocks every Verify until the gate opens, and records how
// many ran at once.
type gateHasher struct {
	tokens.PasswordHasher
	gate    chan struct{}
	entered chan struct{}
	mu      sync.Mutex
	now     int
	most    int
}

func (h *gateHasher) Verify(encoded, password string) (bool, error) {
	h.mu.Lock()
	h.now++
	h.most = max(h.most, h.now)
	h.mu.Unlock()
	h.entered <- struct{}{}
	<-h.gate
	h.mu.Lock()
	h.now--
	h.mu.Unlock()
	return h.PasswordHasher.Verify(encoded, password)
}

// Issue 11 §11: argon2id memory grew with concurrent sign-ins (100 took
// 1.8 GiB). At most HashConcurrency hashes run at once; a sign-in that
// finds no slot in time answers temporarily_unavailable, having written
// and read nothing.
func TestArgon2ConcurrencyIsBounded(t *testing.T) {
	h := &gateHasher{PasswordHasher: cheapPasswords, gate: make(chan struct{}), entered: make(chan struct{}, 64)}
	r := newRig(t, func(o *tokens.Options) {
		o.Passwords, o.HashConcurrency, o.HashQueueWait = h, 2, time.Hour
	})
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { _, err := r.signInFrom(c, testUser, testPassword, "192.0.2.1"); errs <- err }()
	}
	<-h.entered
	<-h.entered
	// Two hashes are running and six sign-ins wait for a slot. One more,
	// whose request ends before a slot frees up, is turned away.
	r.store.ResetOps()
	ctx, cancel := context.WithTimeout(r.ctx, 50*time.Millisecond)
	defer cancel()
	_, err := r.svc.Token(ctx, tokens.TokenRequest{
		Client: c.auth(), GrantType: oauth.GrantPassword, Username: testUser, Password: testPassword, Scope: "read", IP: "192.0.2.2",
	})
	wantCode(t, err, oauth.CodeTemporarilyUnavailable)
	if e := oauth.As(err); e.RetryAfter <= 0 {
		t.Errorf("RetryAfter = %v; want set", e.RetryAfter)
	}
	if ops := r.coreOps(); ops["ReserveLoginAttempt"] != 0 || ops["GetUser"] != 0 {
		t.Errorf("a sign-in turned away made store calls %v; want none but the client's", ops)
	}
	close(h.gate)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("a waiting sign-in = %v; want signed in once a slot freed up", err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.most != 2 {
		t.Errorf("at most %d hashes ran at once; want 2", h.most)
	}
}
