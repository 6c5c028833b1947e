package tokens_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// max_sessions_per_subject (docs/design.md §2): one more session revokes the
// subject's oldest sessions of that client, right after the new session
// is written (issue 11 §9: create, then trim).

func TestSessionCapEvictsTheOldest(t *testing.T) {
	r := newRig(t)
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 3})
	var logins []oauth.TokenResponse
	var ops []map[string]int
	for range 4 {
		r.clock.Advance(time.Second) // distinct creation times: "oldest" is defined
		r.store.ResetOps()
		logins = append(logins, r.login(c, "read offline_access"))
		ops = append(ops, r.coreOps())
	}
	// Every capped login writes its session, then reads the subject's
	// active sessions once; evicting one costs one more write.
	evicting := maps.Clone(ops[2])
	evicting["RevokeSession"]++
	if ops[2]["CreateSession"] != 1 || ops[2]["ActiveSessions"] != 1 || ops[2]["RevokeSession"] != 0 || !maps.Equal(ops[3], evicting) {
		t.Errorf("store calls of the third login %v and the fourth (evicting) %v; want one CreateSession and one ActiveSessions each, and one RevokeSession more for the fourth",
			ops[2], ops[3])
	}
	evicted := logins[0]
	if s := r.session(evicted.RefreshToken); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonEvicted {
		t.Errorf("oldest session = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonEvicted)
	}
	if !strings.Contains(r.logs.String(), `"sid":"`+sessionID(evicted.RefreshToken)+`"`) || !r.logged("session_evicted") {
		t.Error("no session_evicted audit event naming the evicted session")
	}
	_, err := r.refresh(c, evicted.RefreshToken, "")
	wantCode(t, err, oauth.CodeInvalidGrant)
	if r.active(c, evicted.AccessToken) {
		t.Error("the evicted session's access token is active")
	}
	page := r.list(tokens.Principal{Subject: alice.Subject}, tokens.SessionsRequest{})
	if len(page.Entries) != 3 {
		t.Errorf("active sessions = %d; want 3", len(page.Entries))
	}
	for i, l := range logins[1:] {
		if !r.active(c, l.AccessToken) {
			t.Errorf("surviving session %d: access token inactive", i+1)
		}
		r.mustRefresh(c, l.RefreshToken)
	}
}

// The cap counts one client's sessions of one subject: other clients'
// sessions and other subjects' sessions are not evicted.
func TestSessionCapIsPerClientAndSubject(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	r.user(otherUser)
	c := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 2})
	other := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: 2})
	bystanders := []string{
		r.login(other, "read offline_access").RefreshToken,
		r.loginAs(c, otherUser, "read offline_access").RefreshToken,
	}
	var mine []string
	for range 4 {
		r.clock.Advance(time.Second)
		mine = append(mine, r.login(c, "read offline_access").RefreshToken)
	}
	for i, tok := range mine {
		if got, want := r.session(tok).Status, map[bool]string{true: tokens.SessionRevoked, false: tokens.SessionActive}[i < 2]; got != want {
			t.Errorf("session %d of 4 under a cap of 2 = %s; want %s", i+1, got, want)
		}
	}
	for i, tok := range bystanders {
		if s := r.session(tok); s.Status != tokens.SessionActive {
			t.Errorf("bystander session %d = %s; want active", i+1, s.Status)
		}
	}
}

// barrier holds every ActiveSessions answer until n reads have been made
// (or a second has passed): the worst interleaving of a burst, every
// login's read before any login's next write.
type barrier struct {
	tokens.Store
	n       int
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func (b *barrier) ActiveSessions(ctx context.Context, subject, clientID string) ([]tokens.Session, error) {
	active, err := b.Store.ActiveSessions(ctx, subject, clientID)
	b.mu.Lock()
	b.arrived++
	if b.arrived == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
	case <-time.After(time.Second):
	}
	return active, err
}

// Issue 11 §9: the cap was checked before the session was written, so 40
// concurrent logins with a cap of 5 left 32 to 35 active. Each login now
// writes its session and then trims to the cap, never evicting its own:
// the login that reads last sees the whole burst and leaves its own and
// the cap−1 newest others, which no other login evicts. So once a burst
// is over at most the cap, and at least the cap−1, are active; here the
// barrier makes every read see every write of the burst.
func TestSessionCapHoldsUnderConcurrency(t *testing.T) {
	const limit, burst = 5, 40
	b := &barrier{n: burst, all: make(chan struct{})}
	r := newRig(t, func(o *tokens.Options) { b.Store = o.Store; o.Store = b })
	alice := r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{MaxSessionsPerSubject: limit})
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			_, err := r.svc.Token(r.ctx, tokens.TokenRequest{
				Client: c.auth(), GrantType: oauth.GrantPassword, Username: testUser, Password: testPassword,
				Scope: "read offline_access", IP: fmt.Sprintf("198.51.100.%d", i+1),
			})
			if err != nil {
				t.Errorf("login: %v", err)
			}
		})
	}
	wg.Wait()
	page := r.list(tokens.Principal{Subject: alice.Subject}, tokens.SessionsRequest{Limit: tokens.MaxPageSize})
	if n := len(page.Entries); n > limit || n < limit-1 {
		t.Errorf("%d concurrent logins under a cap of %d left %d sessions active; want %d or %d", burst, limit, n, limit-1, limit)
	}
}
