package tokens_test

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// max_sessions_per_subject (docs/design.md §2): one more session revokes the
// subject's oldest sessions of that client, in the same write as the new
// session.

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
	// Every capped login reads the subject's active sessions once and
	// writes the session and its evictions in one request.
	if !maps.Equal(ops[2], ops[3]) || ops[3]["ActiveSessions"] != 1 || ops[3]["CreateSessionEvicting"] != 1 || ops[3]["CreateSession"] != 0 {
		t.Errorf("store calls of the third login %v and the fourth (evicting) %v; want the same, one ActiveSessions and one CreateSessionEvicting",
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
