package app_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

// fixture is a harness with one first-party client and one user.
type fixture struct {
	*apptest.Harness
	client tokens.Client
	secret string
}

const (
	testUser     = "alice"
	testPassword = "correct horse battery"
)

// newFixture is a fixture on the memory store: for behaviour.
func newFixture(t *testing.T, spec tokens.ClientSpec) fixture {
	t.Helper()
	return fixtureOn(t, apptest.New, spec)
}

// newDynamoFixture is a fixture on DynamoDB Local: for what is about
// DynamoDB (request budgets, what is at rest in the table).
func newDynamoFixture(t *testing.T, spec tokens.ClientSpec) fixture {
	t.Helper()
	return fixtureOn(t, apptest.NewDynamo, spec)
}

func fixtureOn(t *testing.T, start func(testing.TB, ...func(*config.Config)) *apptest.Harness, spec tokens.ClientSpec) fixture {
	t.Helper()
	t.Parallel()
	h := start(t)
	if spec.Grants == nil {
		spec.Grants = []string{"password", "refresh_token", "client_credentials"}
	}
	if spec.Scopes == nil {
		spec.Scopes = []string{"read", "write"}
	}
	spec.AllowOfflineAccess = true
	c, secret := h.Client(spec)
	h.User(testUser, testPassword)
	return fixture{Harness: h, client: c, secret: secret}
}

// login runs the password grant with offline_access and returns the answer.
func (f fixture) login(scope string) apptest.Response {
	f.T.Helper()
	r := f.Token(f.client.ID, f.secret, url.Values{
		"grant_type": {"password"}, "username": {testUser}, "password": {testPassword}, "scope": {scope},
	})
	if r.Status != 200 || r.Str("refresh_token") == "" {
		f.T.Fatalf("password grant = %d %s; want 200 with a refresh token", r.Status, r.Body)
	}
	return r
}

func (f fixture) refresh(token string, extra ...string) apptest.Response {
	f.T.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
	if len(extra) == 2 {
		form.Set(extra[0], extra[1])
	}
	return f.Token(f.client.ID, f.secret, form)
}

func (f fixture) session(token string) tokens.Session {
	f.T.Helper()
	sid := token[len(tokens.RefreshTokenPrefix):]
	for i := range sid {
		if sid[i] == '.' {
			sid = sid[:i]
			break
		}
	}
	s, err := f.App.Store.GetSession(context.Background(), sid)
	if err != nil {
		f.T.Fatalf("GetSession(%s): %v", sid, err)
	}
	return s
}

func wantError(t *testing.T, r apptest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.Str("error") != code {
		t.Fatalf("answer = %d %s; want %d %s", r.Status, r.Body, status, code)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", r.Header.Get("Cache-Control"))
	}
}

func TestRotationIssuesNextGenerationAndSpendsThePrevious(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	first := f.login("read offline_access").Str("refresh_token")
	second := f.refresh(first)
	if second.Status != 200 || second.Str("refresh_token") == first || second.Str("refresh_token") == "" {
		t.Fatalf("refresh = %d %s; want 200 with a new refresh token", second.Status, second.Body)
	}
	if got := f.session(first).Generation; got != 2 {
		t.Errorf("generation after one refresh = %d; want 2", got)
	}
	third := f.refresh(second.Str("refresh_token"))
	if third.Status != 200 {
		t.Fatalf("refresh of generation 2 = %d %s; want 200", third.Status, third.Body)
	}
}

// Invariant 2: a spent token of any earlier generation, outside the grace
// window, revokes the whole session.
func TestReuseOfAnyEarlierGenerationRevokesTheSession(t *testing.T) {
	for _, back := range []int{1, 2, 3} {
		t.Run("generation current-"+string(rune('0'+back)), func(t *testing.T) {
			f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
			chain := []string{f.login("read offline_access").Str("refresh_token")}
			for range 3 {
				r := f.refresh(chain[len(chain)-1])
				if r.Status != 200 {
					t.Fatalf("refresh = %d %s", r.Status, r.Body)
				}
				chain = append(chain, r.Str("refresh_token"))
			}
			wantError(t, f.refresh(chain[len(chain)-1-back]), 400, "invalid_grant")
			if s := f.session(chain[0]); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonReuseDetected {
				t.Errorf("session = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonReuseDetected)
			}
			wantError(t, f.refresh(chain[len(chain)-1]), 400, "invalid_grant")
			if !strings.Contains(f.Logs.String(), `"event":"refresh_token_reuse_detected"`) {
				t.Error("no refresh_token_reuse_detected audit event logged")
			}
		})
	}
}

func TestGraceWindowReturnsTheSameRotatedToken(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	first := f.login("read offline_access").Str("refresh_token")
	winner := f.refresh(first)
	f.Clock.Advance(29 * time.Second)
	replay := f.refresh(first)
	if replay.Status != 200 || replay.Str("refresh_token") != winner.Str("refresh_token") {
		t.Fatalf("replay in grace = %d %s; want 200 with the winner's refresh token", replay.Status, replay.Body)
	}
	if replay.Str("access_token") == winner.Str("access_token") {
		t.Error("replay in grace returned the same access token; want a fresh one")
	}
	f.Clock.Advance(2 * time.Second)
	wantError(t, f.refresh(first), 400, "invalid_grant")
	if s := f.session(first); s.Status != tokens.SessionRevoked {
		t.Errorf("session after replay past grace = %s; want revoked", s.Status)
	}
}

// Invariant 1: under 32 concurrent presentations of one token exactly one
// rotation happens.
func TestConcurrentRefreshStrict(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	token := f.login("read offline_access").Str("refresh_token")
	answers := refreshConcurrently(f, token, 32)
	ok := 0
	for _, r := range answers {
		switch {
		case r.Status == 200:
			ok++
		case r.Str("error") != "invalid_grant":
			t.Errorf("concurrent refresh = %d %s; want 200 or invalid_grant", r.Status, r.Body)
		}
	}
	if ok != 1 {
		t.Errorf("successful refreshes = %d; want exactly 1", ok)
	}
	if got := f.session(token).Generation; got != 2 {
		t.Errorf("generation = %d; want 2 (exactly one rotation)", got)
	}
}

func TestConcurrentRefreshWithGraceAllGetTheSameToken(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	token := f.login("read offline_access").Str("refresh_token")
	answers := refreshConcurrently(f, token, 32)
	seen := map[string]int{}
	for _, r := range answers {
		if r.Status != 200 {
			t.Fatalf("concurrent refresh = %d %s; want 200 for all", r.Status, r.Body)
		}
		seen[r.Str("refresh_token")]++
	}
	if len(seen) != 1 {
		t.Errorf("distinct refresh tokens = %d; want 1 (the family never forks)", len(seen))
	}
	s := f.session(token)
	if s.Generation != 2 || s.Status != tokens.SessionActive {
		t.Errorf("session = generation %d %s; want generation 2 active", s.Generation, s.Status)
	}
}

func refreshConcurrently(f fixture, token string, n int) []apptest.Response {
	out := make([]apptest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = f.refresh(token)
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// Invariant 2: a forged token changes nothing.
func TestForgedTokenChangesNothing(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{RefreshReuseGrace: 0})
	real := f.login("read offline_access").Str("refresh_token")
	sess := f.session(real)
	prefix := tokens.RefreshTokenPrefix + sess.ID
	for name, forged := range map[string]string{
		"bad mac, current generation": prefix + ".1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"bad mac, older generation":   prefix + ".1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"bad mac, future generation":  prefix + ".9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"garbled":                     real[:len(real)-3] + "%%%",
		"unknown session":             tokens.RefreshTokenPrefix + "nosuchsession.1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"other prefix":                "lk_at_" + real[6:],
	} {
		t.Run(name, func(t *testing.T) {
			wantError(t, f.refresh(forged), 400, "invalid_grant")
		})
	}
	after := f.session(real)
	if after.Status != tokens.SessionActive || after.Generation != sess.Generation {
		t.Errorf("session after forgeries = %s generation %d; want active generation %d", after.Status, after.Generation, sess.Generation)
	}
	if r := f.refresh(real); r.Status != 200 {
		t.Errorf("genuine refresh after forgeries = %d %s; want 200", r.Status, r.Body)
	}
}

func TestRefreshByAnotherClientIsRejected(t *testing.T) {
	f := newFixture(t, tokens.ClientSpec{})
	token := f.login("read offline_access").Str("refresh_token")
	other, secret := f.Client(tokens.ClientSpec{Grants: []string{"refresh_token", "password"}, Scopes: []string{"read"}, AllowOfflineAccess: true})
	r := f.Token(other.ID, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
	wantError(t, r, 400, "invalid_grant")
	if s := f.session(token); s.Status != tokens.SessionActive || s.Generation != 1 {
		t.Errorf("session = %s generation %d; want untouched", s.Status, s.Generation)
	}
}
