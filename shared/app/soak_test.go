package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// soakRoundsEnv sets TestSoak's rounds; make soak asks for 1,000.
const (
	soakRoundsEnv     = "LATCHKEY_SOAK_ROUNDS"
	soakDefaultRounds = 50
	// soakRefreshers is how many presentations of one token race.
	soakRefreshers = 32
	// soakRevokeRacers refresh while a revocation lands.
	soakRevokeRacers = 16
	soakMinters      = 6
	soakListers      = 3
)

// TestSoak turns invariants 1 and 2 (docs/design.md §7) and the revocation
// guarantee into figures. Each round, on DynamoDB Local:
//   - strict (grace 0): 32 concurrent refreshes of one token: exactly one
//     200 and one rotation; the losers present a now-spent token outside
//     the 0 s grace, which is reuse, so the session ends revoked by reuse
//     detection (RFC 9700 §4.14.2);
//   - grace (30 s): 32 concurrent refreshes all get 200 with the identical
//     new refresh token, one rotation, the session stays active;
//   - revoke while 16 goroutines refresh: once the revocation has answered
//     200, no refresh started afterwards succeeds, and the session ends
//     revoked;
//   - mint while listing: concurrent POST /tokens and paged GET /sessions:
//     no 5xx, well-formed entries, and every minted token listed.
//
// After every round no session has two live refresh generations: of all
// the refresh tokens the round saw, at most the session's current one
// introspects active.
func TestSoak(t *testing.T) {
	t.Parallel()
	rounds := soakRounds(t)
	s := newSoak(t)
	start := time.Now()
	for round := range rounds {
		s.round(t, round)
		if t.Failed() {
			t.Fatalf("round %d failed; stopping", round)
		}
	}
	f := &s.figures
	line := fmt.Sprintf("soak: rounds=%d refreshes=%d rotations=%d grace_replays=%d reuse_revocations=%d "+
		"revoke_races=%d refused_after_revoke=%d mints=%d list_pages=%d elapsed=%s",
		rounds, f.refreshes.Load(), f.rotations.Load(), f.graceReplays.Load(), f.reuseRevocations.Load(),
		f.revokeRaces.Load(), f.refusedAfterRevoke.Load(), f.mints.Load(), f.pages.Load(), time.Since(start).Round(time.Millisecond))
	t.Log(line)
	fmt.Println(line)
}

func soakRounds(t *testing.T) int {
	v := os.Getenv(soakRoundsEnv)
	if v == "" {
		return soakDefaultRounds
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s = %q; want a positive number", soakRoundsEnv, v)
	}
	return n
}

// soakFigures are the soak's counts, shared by its goroutines.
type soakFigures struct {
	refreshes, rotations, graceReplays, reuseRevocations atomic.Int64
	revokeRaces, refusedAfterRevoke, mints, pages        atomic.Int64
}

// soak is one process with a strict and a grace first-party client, an
// admin client, and an HTTP client that keeps enough connections for the
// concurrent requests.
type soak struct {
	*apptest.Harness
	http                 *http.Client
	strict, grace, admin faultCred
	adminToken           string
	figures              soakFigures
}

func newSoak(t *testing.T) *soak {
	h := apptest.NewDynamo(t)
	firstParty := func(grace time.Duration) faultCred {
		c, secret := h.Client(tokens.ClientSpec{
			Grants: []string{"password", "refresh_token"}, Scopes: []string{"read"},
			AllowOfflineAccess: true, RefreshReuseGrace: grace,
		})
		return faultCred{c.ID, secret}
	}
	s := &soak{Harness: h, strict: firstParty(0), grace: firstParty(30 * time.Second)}
	c, secret := h.Client(tokens.ClientSpec{Grants: []string{"client_credentials"}, Scopes: []string{tokens.ScopeAdmin}})
	s.admin = faultCred{c.ID, secret}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 2 * soakRefreshers
	s.http = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	res := s.post("/oauth2/token", s.admin, url.Values{"grant_type": {"client_credentials"}, "scope": {tokens.ScopeAdmin}})
	if res.Status != http.StatusOK {
		t.Fatalf("admin token = %d %s", res.Status, res.Body)
	}
	s.adminToken = res.Str("access_token")
	return s
}

// round runs one round for a fresh user, so that each round's sessions are
// alone in the user's list and no session cap is reached.
func (s *soak) round(t *testing.T, round int) {
	username := fmt.Sprintf("soak%d", round)
	u, err := s.App.Service.CreateUser(context.Background(), username, testPassword)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	s.strictRound(t, username)
	s.graceRound(t, username)
	s.revokeRound(t, username)
	s.mintListRound(t, u.Subject)
}

// do sends one request; a transport error comes back as status 0 with
// the error as body, so goroutines report it instead of calling FailNow.
func (s *soak) do(method, path, contentType, body string, header http.Header) apptest.Response {
	req, err := http.NewRequest(method, s.Server.URL+path, strings.NewReader(body))
	if err != nil {
		return apptest.Response{Body: err.Error()}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return apptest.Response{Body: err.Error()}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return apptest.Response{Body: err.Error()}
	}
	out := apptest.Response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
	_ = json.Unmarshal(b, &out.JSON)
	return out
}

func (s *soak) post(path string, c faultCred, form url.Values) apptest.Response {
	h := http.Header{"Authorization": {apptest.BasicAuth(c.id, c.secret)}}
	return s.do(http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode(), h)
}

func (s *soak) login(t *testing.T, c faultCred, username string) string {
	t.Helper()
	res := s.post("/oauth2/token", c, url.Values{
		"grant_type": {"password"}, "username": {username}, "password": {testPassword}, "scope": {"read offline_access"},
	})
	if res.Status != http.StatusOK || res.Str("refresh_token") == "" {
		t.Fatalf("login = %d %s; want 200 with a refresh token", res.Status, res.Body)
	}
	return res.Str("refresh_token")
}

func (s *soak) refresh(c faultCred, token string) apptest.Response {
	s.figures.refreshes.Add(1)
	return s.post("/oauth2/token", c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

// refreshAll presents token n times at once and returns the answers.
func (s *soak) refreshAll(c faultCred, token string, n int) []apptest.Response {
	out := make([]apptest.Response, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = s.refresh(c, token)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// session reads a refresh token's session from the store.
func (s *soak) session(t *testing.T, token string) tokens.Session {
	t.Helper()
	sid, _, _ := strings.Cut(strings.TrimPrefix(token, tokens.RefreshTokenPrefix), ".")
	sess, err := s.App.Store.GetSession(context.Background(), sid)
	if err != nil {
		t.Fatalf("GetSession(%s): %v", sid, err)
	}
	return sess
}

// soakNo5xx fails t for a 5xx or a transport failure (status 0).
func soakNo5xx(t *testing.T, what string, res apptest.Response) {
	t.Helper()
	if res.Status == 0 || res.Status >= 500 {
		t.Errorf("%s = %d %s; want no 5xx", what, res.Status, strings.TrimSpace(res.Body))
	}
}
