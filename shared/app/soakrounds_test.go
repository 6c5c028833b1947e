package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// strictRound: of 32 concurrent presentations exactly one rotates; the
// others are reuse outside a 0 s grace, and the session ends revoked.
func (s *soak) strictRound(t *testing.T, username string) {
	token := s.login(t, s.strict, username)
	seen, ok := []string{token}, 0
	for _, res := range s.refreshAll(s.strict, token, soakRefreshers) {
		soakNo5xx(t, "strict refresh", res)
		switch {
		case res.Status == http.StatusOK:
			ok++
			seen = append(seen, res.Str("refresh_token"))
		case res.Str("error") != "invalid_grant":
			t.Errorf("strict refresh = %d %s; want 200 or invalid_grant", res.Status, res.Body)
		}
	}
	sess := s.session(t, token)
	if ok != 1 || sess.Generation != 2 {
		t.Errorf("strict: %d answers 200, generation %d; want exactly 1 and generation 2 (one rotation)", ok, sess.Generation)
	}
	if sess.Status != tokens.SessionRevoked || sess.RevokedReason != tokens.ReasonReuseDetected {
		t.Errorf("strict: session %s/%s; want revoked/%s (the losers presented a spent token)", sess.Status, sess.RevokedReason, tokens.ReasonReuseDetected)
	} else {
		s.figures.reuseRevocations.Add(1)
	}
	s.figures.rotations.Add(int64(sess.Generation - 1))
	s.oneLiveGeneration(t, s.strict, seen)
}

// graceRound: 32 concurrent presentations all get 200 and the identical
// new refresh token; one rotation; the session stays active.
func (s *soak) graceRound(t *testing.T, username string) {
	token := s.login(t, s.grace, username)
	issued := map[string]int{}
	for _, res := range s.refreshAll(s.grace, token, soakRefreshers) {
		soakNo5xx(t, "grace refresh", res)
		if res.Status != http.StatusOK {
			t.Errorf("grace refresh = %d %s; want 200", res.Status, res.Body)
			continue
		}
		issued[res.Str("refresh_token")]++
	}
	sess := s.session(t, token)
	if len(issued) != 1 || sess.Generation != 2 || sess.Status != tokens.SessionActive {
		t.Errorf("grace: %d distinct refresh tokens, generation %d, session %s; want 1, 2, active", len(issued), sess.Generation, sess.Status)
	}
	s.figures.rotations.Add(int64(sess.Generation - 1))
	for rt, n := range issued {
		s.figures.graceReplays.Add(int64(n - (sess.Generation - 1)))
		s.oneLiveGeneration(t, s.grace, []string{token, rt})
	}
}

// revokeRound: 16 goroutines keep presenting the session's first token
// (the first rotates, the rest replay in grace) while the client revokes
// it. A refresh that starts after the revocation answered 200 must fail.
func (s *soak) revokeRound(t *testing.T, username string) {
	token := s.login(t, s.grace, username)
	var revoked atomic.Bool
	var answered, ok, refusedAfter atomic.Int64
	var mu sync.Mutex
	seen := []string{token}
	var wg sync.WaitGroup
	for range soakRevokeRacers {
		wg.Go(func() {
			for after := 0; after < 2; {
				started := revoked.Load()
				res := s.refresh(s.grace, token)
				answered.Add(1)
				soakNo5xx(t, "refresh racing a revocation", res)
				switch {
				case started && res.Status == http.StatusOK:
					t.Errorf("a refresh started after the revocation answered 200 = %d %s; want invalid_grant", res.Status, res.Body)
				case started:
					refusedAfter.Add(1)
				case res.Status == http.StatusOK:
					ok.Add(1)
					mu.Lock()
					seen = append(seen, res.Str("refresh_token"))
					mu.Unlock()
				}
				if started {
					after++
				}
			}
		})
	}
	for answered.Load() < soakRevokeRacers/2 {
		time.Sleep(100 * time.Microsecond)
	}
	res := s.post("/oauth2/revoke", s.grace, url.Values{"token": {token}, "token_type_hint": {"refresh_token"}})
	if res.Status != http.StatusOK {
		t.Errorf("revoke while refreshing = %d %s; want 200", res.Status, res.Body)
	}
	revoked.Store(true)
	wg.Wait()
	sess := s.session(t, token)
	if sess.Status != tokens.SessionRevoked || sess.RevokedReason != tokens.ReasonRevoked {
		t.Errorf("session after revoke = %s/%s; want revoked/%s", sess.Status, sess.RevokedReason, tokens.ReasonRevoked)
	}
	s.figures.revokeRaces.Add(1)
	s.figures.refusedAfterRevoke.Add(refusedAfter.Load())
	s.figures.rotations.Add(int64(sess.Generation - 1))
	s.figures.graceReplays.Add(ok.Load() - int64(sess.Generation-1))
	s.oneLiveGeneration(t, s.grace, seen)
}

// oneLiveGeneration introspects every refresh token the round saw for one
// session: at most one is active, and it is the session's current token.
func (s *soak) oneLiveGeneration(t *testing.T, c faultCred, seen []string) {
	t.Helper()
	sess := s.session(t, seen[0])
	var live []string
	slices.Sort(seen)
	for _, rt := range slices.Compact(seen) {
		res := s.post("/oauth2/introspect", c, url.Values{"token": {rt}})
		soakNo5xx(t, "introspect", res)
		if active, _ := res.JSON["active"].(bool); active {
			live = append(live, rt)
		}
	}
	switch {
	case len(live) > 1:
		t.Errorf("session %s has %d live refresh generations; want at most 1", sess.ID, len(live))
	case len(live) == 1 && (sess.Status != tokens.SessionActive || !bytes.Equal(tokens.HashToken(live[0]), sess.CurrentHash)):
		t.Errorf("session %s (%s): an active refresh token is not its current one", sess.ID, sess.Status)
	}
}

// mintListRound mints long-lived tokens while others page through the
// subject's sessions: every page is well-formed, and once the mints are
// done a listing holds every minted token.
func (s *soak) mintListRound(t *testing.T, subject string) {
	var mu sync.Mutex
	var minted []string
	var done atomic.Bool
	var minters, listers sync.WaitGroup
	for i := range soakMinters {
		minters.Go(func() {
			body := fmt.Sprintf(`{"name":"soak %d","subject":%q,"scopes":["read"],"expires_in":86400}`, i, subject)
			res := s.do(http.MethodPost, "/tokens", "application/json", body, s.bearer())
			soakNo5xx(t, "mint", res)
			if res.Status != http.StatusCreated {
				t.Errorf("mint = %d %s; want 201", res.Status, res.Body)
				return
			}
			s.figures.mints.Add(1)
			mu.Lock()
			minted = append(minted, res.Str("id"))
			mu.Unlock()
		})
	}
	for range soakListers {
		listers.Go(func() {
			for first := true; first || !done.Load(); first = false {
				s.listAll(t, subject)
			}
		})
	}
	minters.Wait()
	done.Store(true)
	listers.Wait()
	for attempt := 0; ; attempt++ {
		ids := s.listAll(t, subject)
		missing := slices.DeleteFunc(slices.Clone(minted), func(id string) bool { return slices.Contains(ids, id) })
		if len(missing) == 0 {
			return
		}
		if attempt == 4 {
			t.Errorf("minted tokens %v missing from GET /sessions after %d listings", missing, attempt+1)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *soak) bearer() http.Header { return http.Header{"Authorization": {"Bearer " + s.adminToken}} }

// listAll pages through the subject's live sessions and tokens, two a
// page, checking every page, and returns the ids listed.
func (s *soak) listAll(t *testing.T, subject string) []string {
	var ids []string
	q := url.Values{"subject": {subject}, "limit": {"2"}}
	for page := 0; page < 100; page++ {
		res := s.do(http.MethodGet, "/sessions?"+q.Encode(), "", "", s.bearer())
		s.figures.pages.Add(1)
		soakNo5xx(t, "GET /sessions", res)
		if res.Status != http.StatusOK {
			t.Errorf("GET /sessions = %d %s; want 200", res.Status, res.Body)
			return ids
		}
		entries, _ := res.JSON["sessions"].([]any)
		for _, e := range entries {
			entry, _ := e.(map[string]any)
			if problem := soakEntryProblem(entry, subject); problem != "" {
				t.Errorf("GET /sessions entry %v: %s", entry, problem)
			}
			id, _ := entry["id"].(string)
			if slices.Contains(ids, id) {
				t.Errorf("GET /sessions listed %s twice in one traversal", id)
			}
			ids = append(ids, id)
		}
		next := res.Str("next_cursor")
		if next == "" {
			return ids
		}
		q.Set("cursor", next)
	}
	t.Errorf("GET /sessions: more than 100 pages for subject %s", subject)
	return ids
}

// soakEntryProblem says what is wrong with one row of the sessions page,
// or "".
func soakEntryProblem(e map[string]any, subject string) string {
	str := func(k string) string { v, _ := e[k].(string); return v }
	scopes, _ := e["scopes"].([]any)
	_, issuedErr := time.Parse(time.RFC3339, str("issued_at"))
	switch {
	case e == nil:
		return "not an object"
	case str("id") == "":
		return "no id"
	case str("subject") != subject:
		return "subject " + str("subject") + ", want " + subject
	case str("status") != tokens.SessionActive:
		return "status " + str("status") + " in a listing of active entries"
	case len(scopes) == 0:
		return "no scopes"
	case issuedErr != nil:
		return "issued_at: " + issuedErr.Error()
	case str("type") == tokens.ListTypeLongLived && str("name") == "":
		return "a long-lived token without a name"
	case str("type") == tokens.ListTypeOAuth && str("client_id") == "":
		return "a session without a client_id"
	case str("type") != tokens.ListTypeLongLived && str("type") != tokens.ListTypeOAuth:
		return "type " + str("type")
	}
	return ""
}
