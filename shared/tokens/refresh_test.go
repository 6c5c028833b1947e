package tokens_test

import (
	"bytes"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Refresh (RFC 6749 §6) with rotation and reuse detection (RFC 9700
// §4.14.2, docs/design.md §3 and invariants 1 and 2).

// Each refresh spends the presented token and issues the next generation,
// for one client read, one session read and one conditional write.
func TestRefreshRotates(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	token := r.login(c, "read offline_access").RefreshToken
	seen := map[string]bool{token: true}
	for gen := 2; gen <= 3; gen++ {
		before := r.session(token)
		r.clock.Advance(time.Minute)
		r.store.ResetOps()
		resp := r.mustRefresh(c, token)
		want := map[string]int{"GetClient": 1, "GetSession": 1, "UpdateSession": 1}
		if got := r.coreOps(); !maps.Equal(got, want) {
			t.Errorf("generation %d: store calls = %v; want %v", gen, got, want)
		}
		if seen[resp.RefreshToken] || !strings.HasPrefix(resp.RefreshToken, tokens.RefreshTokenPrefix) {
			t.Fatalf("generation %d: refresh token %q; want a new one", gen, resp.RefreshToken)
		}
		seen[resp.RefreshToken] = true
		s := r.session(resp.RefreshToken)
		if s.ID != before.ID || s.Generation != gen || !s.RotatedAt.Equal(r.clock.Now()) ||
			!bytes.Equal(s.PreviousHash, before.CurrentHash) || bytes.Equal(s.CurrentHash, before.CurrentHash) {
			t.Errorf("session after refresh %d = %+v; want generation %d rotated now, the old current hash now previous", gen-1, s, gen)
		}
		if s.AccessJTI != r.claims(resp.AccessToken).JTI || s.AccessJTI == before.AccessJTI {
			t.Errorf("session access jti = %q; want the new access token's", s.AccessJTI)
		}
		token = resp.RefreshToken
	}
}

// Invariant 2: a spent token of any earlier generation, outside the grace
// window, revokes the session, and with it every token of the session.
func TestRefreshReuseRevokesTheSession(t *testing.T) {
	for _, format := range []string{tokens.FormatJWT, tokens.FormatReference} {
		for _, back := range []int{1, 2, 3} {
			t.Run(format+"/generation current-"+string(rune('0'+back)), func(t *testing.T) {
				r := newRig(t)
				r.user(testUser)
				c := r.firstParty(tokens.ClientSpec{AccessTokenFormat: format})
				rs := r.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Introspect: true})
				chain := []oauth.TokenResponse{r.login(c, "read offline_access")}
				for range 3 {
					chain = append(chain, r.mustRefresh(c, chain[len(chain)-1].RefreshToken))
				}
				_, err := r.refresh(c, chain[len(chain)-1-back].RefreshToken, "")
				wantCode(t, err, oauth.CodeInvalidGrant)
				if s := r.session(chain[0].RefreshToken); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonReuseDetected {
					t.Errorf("session = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonReuseDetected)
				}
				if !r.logged(tokens.ReasonReuseDetected) {
					t.Error("no refresh_token_reuse_detected audit event")
				}
				for i, resp := range chain {
					if r.active(rs, resp.AccessToken) {
						t.Errorf("access token of generation %d is active after reuse", i+1)
					}
				}
				if r.active(rs, chain[len(chain)-1].RefreshToken) {
					t.Error("the current refresh token is active after reuse")
				}
				_, err = r.refresh(c, chain[len(chain)-1].RefreshToken, "")
				wantCode(t, err, oauth.CodeInvalidGrant)
			})
		}
	}
}

// Within the grace window the previous token gets a fresh access token and
// the SAME current refresh token, and writes nothing; past it, it is reuse.
func TestRefreshGraceReplay(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	first := r.login(c, "read offline_access").RefreshToken
	winner := r.mustRefresh(c, first)
	r.clock.Advance(29 * time.Second)
	r.store.ResetOps()
	replay := r.mustRefresh(c, first)
	if replay.RefreshToken != winner.RefreshToken {
		t.Errorf("replay in grace refresh token = %q; want the winner's %q", replay.RefreshToken, winner.RefreshToken)
	}
	if replay.AccessToken == winner.AccessToken {
		t.Error("replay in grace returned the winner's access token; want a fresh one")
	}
	if w := r.writes(); len(w) != 0 {
		t.Errorf("replay in grace writes = %v; want none", w)
	}
	if s := r.session(first); s.Generation != 2 || s.Status != tokens.SessionActive {
		t.Errorf("session after replay = generation %d %s; want 2 active (the family never forks)", s.Generation, s.Status)
	}
	r.clock.Advance(2 * time.Second)
	_, err := r.refresh(c, first, "")
	wantCode(t, err, oauth.CodeInvalidGrant)
	if s := r.session(first); s.Status != tokens.SessionRevoked {
		t.Errorf("session after a replay past the grace = %s; want revoked", s.Status)
	}
}

// Only the immediately previous generation has a grace: an older one is
// reuse even a second after the last rotation.
func TestRefreshGraceCoversOnlyThePreviousGeneration(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	gen1 := r.login(c, "read offline_access").RefreshToken
	gen2 := r.mustRefresh(c, gen1).RefreshToken
	r.clock.Advance(time.Second)
	r.mustRefresh(c, gen2)
	_, err := r.refresh(c, gen1, "")
	wantCode(t, err, oauth.CodeInvalidGrant)
	if s := r.session(gen1); s.Status != tokens.SessionRevoked || s.RevokedReason != tokens.ReasonReuseDetected {
		t.Errorf("session = %s/%s; want revoked/%s", s.Status, s.RevokedReason, tokens.ReasonReuseDetected)
	}
}

// In reuse mode the refresh token stays the same and keeps working; the
// idle window still slides.
func TestRefreshReuseMode(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshRotation: tokens.RotationReuse, RefreshIdleTTL: time.Hour})
	token := r.login(c, "read offline_access").RefreshToken
	for i := range 3 {
		r.clock.Advance(50 * time.Minute)
		resp := r.mustRefresh(c, token)
		if resp.RefreshToken != token {
			t.Fatalf("refresh %d returned %q; want the same token in reuse mode", i+1, resp.RefreshToken)
		}
		if s := r.session(token); s.Generation != 1 || !s.IdleExpiresAt.Equal(r.clock.Now().Add(time.Hour)) {
			t.Errorf("session after refresh %d = generation %d idle %v; want 1 and %v", i+1, s.Generation, s.IdleExpiresAt, r.clock.Now().Add(time.Hour))
		}
	}
}

// A refresh may narrow the session's scopes and never widen them; the
// session keeps its scopes for the next refresh (RFC 6749 §6).
func TestRefreshScopes(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	token := r.login(c, "read write offline_access").RefreshToken
	for _, tc := range []struct {
		name, scope, want, code string
	}{
		{"narrows", "read", "read", ""},
		{"the session's scopes again", "", "read write offline_access", ""},
		{"widens", "read delete", "", oauth.CodeInvalidScope},
		{"a scope of the client the session lacks", "admin", "", oauth.CodeInvalidScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			resp, err := r.refresh(c, token, tc.scope)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				if w := r.writes(); len(w) != 0 {
					t.Errorf("writes = %v; want none", w)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.Scope != tc.want || strings.Join(r.claims(resp.AccessToken).Scope, " ") != tc.want {
				t.Errorf("scope = %q; want %q in the answer and the token", resp.Scope, tc.want)
			}
			if s := r.session(resp.RefreshToken); strings.Join(s.Scopes, " ") != "read write offline_access" {
				t.Errorf("session scopes = %v; want them unchanged", s.Scopes)
			}
			token = resp.RefreshToken
		})
	}
}

// Invariant 2: a token that is not genuine is invalid_grant and changes
// nothing: guessing never revokes anyone's session.
func TestRefreshForgedTokenChangesNothing(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	gen1 := r.login(c, "read offline_access").RefreshToken
	real := r.mustRefresh(c, gen1).RefreshToken
	otherSession := r.login(c, "read offline_access").RefreshToken
	sess := r.session(real)
	prefix := tokens.RefreshTokenPrefix + sess.ID
	mac := func(tok string) string { return tok[strings.LastIndexByte(tok, '.')+1:] }
	for name, forged := range map[string]string{
		"bad mac, current generation":     prefix + ".2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"bad mac, older generation":       prefix + ".1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"bad mac, future generation":      prefix + ".9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"generation 1's mac as 2":         prefix + ".2." + mac(gen1),
		"another session's mac":           prefix + ".2." + mac(otherSession),
		"garbled":                         real[:len(real)-3] + "%%%",
		"unknown session":                 tokens.RefreshTokenPrefix + "nosuchsession.1." + mac(real),
		"reference prefix":                tokens.ReferenceTokenPrefix + real[len(tokens.RefreshTokenPrefix):],
		"generation 0":                    prefix + ".0." + mac(real),
		"generation with a leading zero":  prefix + ".02." + mac(real),
		"mac with a trailing newline":     real + "\n",
		"the token twice":                 real + real,
		"an access token as refresh":      r.login(c, "read offline_access").AccessToken,
		"a generation past the int range": prefix + ".99999999999999999999." + mac(real),
	} {
		t.Run(name, func(t *testing.T) {
			r := r.on(t)
			r.store.ResetOps()
			_, err := r.refresh(c, forged, "")
			wantCode(t, err, oauth.CodeInvalidGrant)
			if w := r.writes(); len(w) != 0 {
				t.Errorf("writes = %v; want none", w)
			}
		})
	}
	if after := r.session(real); after.Status != tokens.SessionActive || after.Generation != sess.Generation {
		t.Errorf("session after forgeries = %s generation %d; want active generation %d", after.Status, after.Generation, sess.Generation)
	}
	r.mustRefresh(c, real)
}

// Another client's refresh token is invalid_grant and leaves the session
// as it was.
func TestRefreshByAnotherClient(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{})
	token := r.login(c, "read offline_access").RefreshToken
	other := r.firstParty(tokens.ClientSpec{})
	r.store.ResetOps()
	_, err := r.refresh(other, token, "")
	wantCode(t, err, oauth.CodeInvalidGrant)
	if w := r.writes(); len(w) != 0 {
		t.Errorf("writes = %v; want none", w)
	}
	if s := r.session(token); s.Status != tokens.SessionActive || s.Generation != 1 {
		t.Errorf("session = %s generation %d; want active generation 1", s.Status, s.Generation)
	}
}

// Invariant 1: under 32 concurrent presentations of one token exactly one
// rotation happens. Without a grace window the 31 others present a spent
// token, which is reuse.
func TestRefreshConcurrentStrict(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshReuseGrace: 0})
	token := r.login(c, "read offline_access").RefreshToken
	ok := 0
	for _, res := range refreshConcurrently(r, c, token, 32) {
		switch e := oauth.As(res.err); {
		case res.err == nil:
			ok++
		case e == nil || e.Code != oauth.CodeInvalidGrant:
			t.Errorf("concurrent refresh = %v; want success or invalid_grant", res.err)
		}
	}
	if ok != 1 {
		t.Errorf("successful refreshes = %d; want exactly 1", ok)
	}
	if s := r.session(token); s.Generation != 2 || s.Status != tokens.SessionRevoked {
		t.Errorf("session = generation %d %s; want generation 2 (one rotation), revoked by the reuse", s.Generation, s.Status)
	}
}

// With a grace window all 32 succeed with the same refresh token: one
// rotation, and the family never forks.
func TestRefreshConcurrentWithGrace(t *testing.T) {
	r := newRig(t)
	r.user(testUser)
	c := r.firstParty(tokens.ClientSpec{RefreshReuseGrace: 30 * time.Second})
	token := r.login(c, "read offline_access").RefreshToken
	seen := map[string]int{}
	for _, res := range refreshConcurrently(r, c, token, 32) {
		if res.err != nil {
			t.Fatalf("concurrent refresh = %v; want success for all", res.err)
		}
		seen[res.resp.RefreshToken]++
	}
	if len(seen) != 1 {
		t.Errorf("distinct refresh tokens = %d; want 1", len(seen))
	}
	if s := r.session(token); s.Generation != 2 || s.Status != tokens.SessionActive {
		t.Errorf("session = generation %d %s; want generation 2 active", s.Generation, s.Status)
	}
}

type refreshResult struct {
	resp oauth.TokenResponse
	err  error
}

// refreshConcurrently presents token n times at once.
func refreshConcurrently(r *rig, c client, token string, n int) []refreshResult {
	out := make([]refreshResult, n)
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-begin
			out[i].resp, out[i].err = r.refresh(c, token, "")
		})
	}
	close(begin)
	wg.Wait()
	return out
}
