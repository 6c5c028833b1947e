package storetest

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// The browser sign-in's items (docs/design.md §10): pending requests, codes,
// login sessions and consents.

func newAuthRequest(secret string) tokens.AuthRequest {
	return tokens.AuthRequest{
		Hash: hash(secret), ClientID: "app", ClientName: "App", FirstParty: true,
		RedirectURI: "https://app.example/cb?x=1", State: "st", Scopes: []string{"openid", "read"},
		Resources: []string{"https://api.example"}, Nonce: "n-0S6", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		LoginHint: "alice", ForceConsent: true, CSRFHash: hash("csrf-" + secret),
		CreatedAt: t0, ExpiresAt: t0.Add(tokens.AuthRequestTTL),
	}
}

func newCode(secret string) tokens.AuthCode {
	return tokens.AuthCode{
		Hash: hash(secret), ClientID: "app", RedirectURI: "https://app.example/cb", CodeChallenge: "challenge-" + secret,
		Subject: "user-1", Scopes: []string{"openid", "offline_access"}, Resources: []string{"https://api.example"},
		Nonce: "n", AuthTime: t0.Add(-time.Minute), LoginID: "login-1", IssuedAt: t0, ExpiresAt: t0.Add(tokens.CodeTTL),
	}
}

func newLogin(secret string) tokens.LoginSession {
	return tokens.LoginSession{
		Hash: hash(secret), ID: "login-" + secret, Subject: "user-1", Username: "alice", AuthTime: t0,
		IdleExpiresAt: t0.Add(12 * time.Hour), AbsoluteExpiresAt: t0.Add(7 * 24 * time.Hour),
	}
}

// redemption is the redemption that matches newCode(secret).
func redemption(secret string, at time.Time) tokens.CodeRedemption {
	c := newCode(secret)
	return tokens.CodeRedemption{
		Hash: c.Hash, ClientID: c.ClientID, RedirectURI: c.RedirectURI, CodeChallenge: c.CodeChallenge,
		At: at, SessionID: "sess-" + secret, KeepUntil: at.Add(30 * 24 * time.Hour),
	}
}

func testSignIn(t *testing.T, newStore NewStore) {
	t.Run("AuthRequest", testAuthRequests(newStore))
	t.Run("Finish", testFinish(newStore))
	t.Run("Code", testCodes(newStore))
	t.Run("RedeemRace", testRedeemRace(newStore))
	t.Run("Login", testLogins(newStore))
	t.Run("Consent", testConsents(newStore))
}

func testAuthRequests(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		r := newAuthRequest("r1")
		must(t, f.CreateAuthRequest(f.ctx, r))
		checkRead(t, "GetAuthRequest", r)(f.GetAuthRequest(f.ctx, r.Hash))
		other := r
		other.State = "another"
		wantErr(t, "CreateAuthRequest of another request under a taken hash", f.CreateAuthRequest(f.ctx, other), tokens.ErrAlreadyExists)
		wantErr(t, "CreateAuthRequest of the same request again", f.CreateAuthRequest(f.ctx, r), nil)
		_, err := f.GetAuthRequest(f.ctx, hash("unknown"))
		wantErr(t, "GetAuthRequest(unknown)", err, tokens.ErrNotFound)
		f.clock.Set(r.ExpiresAt.Add(-time.Second))
		_, err = f.GetAuthRequest(f.ctx, r.Hash)
		wantErr(t, "GetAuthRequest a second before expiry", err, nil)
		f.clock.Set(r.ExpiresAt)
		_, err = f.GetAuthRequest(f.ctx, r.Hash)
		wantErr(t, "GetAuthRequest at expiry", err, tokens.ErrNotFound)
		wantErr(t, "FinishAuthRequest at expiry", f.FinishAuthRequest(f.ctx, r.Hash, tokens.AuthWrites{}), tokens.ErrNotFound)
	}
}

func testFinish(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		r, code, login := newAuthRequest("r1"), newCode("c1"), newLogin("l1")
		consent := tokens.Consent{Subject: "user-1", ClientID: "app", Scopes: []string{"read", "openid"}, GrantedAt: t0}
		must(t, f.CreateAuthRequest(f.ctx, r))
		must(t, f.FinishAuthRequest(f.ctx, r.Hash, tokens.AuthWrites{Code: &code, Login: &login, Consent: &consent}))
		_, err := f.GetAuthRequest(f.ctx, r.Hash)
		wantErr(t, "GetAuthRequest after FinishAuthRequest", err, tokens.ErrNotFound)
		checkRead(t, "GetLogin", login)(f.GetLogin(f.ctx, login.Hash))
		consent.Scopes = []string{"openid", "read"} // sorted, as a string set
		checkRead(t, "GetConsent", consent)(f.GetConsent(f.ctx, "user-1", "app"))
		got, err := f.RedeemCode(f.ctx, redemption("c1", t0))
		if err != nil || got.Subject != code.Subject {
			t.Errorf("RedeemCode of the finished request's code = %+v, %v; want it", got, err)
		}
		second := newCode("c2")
		wantErr(t, "FinishAuthRequest again", f.FinishAuthRequest(f.ctx, r.Hash, tokens.AuthWrites{Code: &second}), tokens.ErrNotFound)
		_, err = f.RedeemCode(f.ctx, redemption("c2", t0))
		wantErr(t, "RedeemCode of the code a failed FinishAuthRequest carried", err, tokens.ErrNotFound)

		r2 := newAuthRequest("r2")
		must(t, f.CreateAuthRequest(f.ctx, r2))
		taken := newLogin("l1")
		wantErr(t, "FinishAuthRequest with a taken login hash", f.FinishAuthRequest(f.ctx, r2.Hash, tokens.AuthWrites{Login: &taken}), tokens.ErrAlreadyExists)
		if _, err := f.GetAuthRequest(f.ctx, r2.Hash); err != nil {
			t.Errorf("GetAuthRequest after a failed FinishAuthRequest = %v; want it still pending", err)
		}
		must(t, f.FinishAuthRequest(f.ctx, r2.Hash, tokens.AuthWrites{}))
		_, err = f.GetAuthRequest(f.ctx, r2.Hash)
		wantErr(t, "GetAuthRequest after FinishAuthRequest with nothing to write", err, tokens.ErrNotFound)
	}
}

func testCodes(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		c := newCode("c1")
		must(t, f.CreateCode(f.ctx, c))
		taken := newCode("c1")
		taken.Subject = "user-2"
		wantErr(t, "CreateCode of a taken hash", f.CreateCode(f.ctx, taken), tokens.ErrAlreadyExists)
		for _, tc := range []struct {
			name string
			edit func(*tokens.CodeRedemption)
		}{
			{"another client", func(r *tokens.CodeRedemption) { r.ClientID = "other" }},
			{"another redirect URI", func(r *tokens.CodeRedemption) { r.RedirectURI += "x" }},
			{"another challenge", func(r *tokens.CodeRedemption) { r.CodeChallenge = "wrong" }},
		} {
			r := redemption("c1", t0)
			tc.edit(&r)
			got, err := f.RedeemCode(f.ctx, r)
			wantErr(t, "RedeemCode with "+tc.name, err, tokens.ErrConflict)
			check(t, "RedeemCode with "+tc.name+" returns the stored code", got, c, nil)
		}
		_, err := f.RedeemCode(f.ctx, redemption("unknown", t0))
		wantErr(t, "RedeemCode(unknown)", err, tokens.ErrNotFound)
		at := t0.Add(10 * time.Second)
		f.clock.Set(at)
		want := c
		r := redemption("c1", at)
		want.RedeemedAt, want.SessionID, want.ExpiresAt = at, r.SessionID, r.KeepUntil
		checkRead(t, "RedeemCode", want)(f.RedeemCode(f.ctx, r))
		again := redemption("c1", at.Add(time.Second))
		got, err := f.RedeemCode(f.ctx, again)
		wantErr(t, "RedeemCode again", err, tokens.ErrConflict)
		check(t, "RedeemCode again returns the first redemption", got, want, nil)
		f.clock.Set(c.ExpiresAt.Add(time.Hour))
		_, err = f.RedeemCode(f.ctx, again)
		wantErr(t, "a redeemed code is kept until KeepUntil", err, tokens.ErrConflict)

		expiring := newCode("c3")
		must(t, f.CreateCode(f.ctx, expiring))
		_, err = f.RedeemCode(f.ctx, redemption("c3", f.clock.Now()))
		wantErr(t, "RedeemCode after expiry", err, tokens.ErrNotFound)
	}
}

func testRedeemRace(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		must(t, f.CreateCode(f.ctx, newCode("race")))
		race(t, tokens.ErrConflict, func(i int) error {
			r := redemption("race", t0)
			r.SessionID = "sess-" + string(rune('a'+i))
			_, err := f.RedeemCode(f.ctx, r)
			return err
		})
	}
}

func testLogins(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		l := newLogin("l1")
		must(t, f.CreateLogin(f.ctx, l))
		checkRead(t, "GetLogin", l)(f.GetLogin(f.ctx, l.Hash))
		other := l
		other.Subject = "user-2"
		wantErr(t, "CreateLogin of a taken hash", f.CreateLogin(f.ctx, other), tokens.ErrAlreadyExists)
		idle := t0.Add(13 * time.Hour)
		must(t, f.TouchLogin(f.ctx, l.Hash, idle))
		l.IdleExpiresAt = idle
		checkRead(t, "GetLogin after TouchLogin", l)(f.GetLogin(f.ctx, l.Hash))
		wantErr(t, "TouchLogin(unknown)", f.TouchLogin(f.ctx, hash("unknown"), idle), tokens.ErrNotFound)
		f.clock.Set(idle)
		_, err := f.GetLogin(f.ctx, l.Hash)
		wantErr(t, "GetLogin at the idle expiry", err, tokens.ErrNotFound)
		wantErr(t, "TouchLogin at the idle expiry", f.TouchLogin(f.ctx, l.Hash, idle.Add(time.Hour)), tokens.ErrNotFound)

		f.clock.Set(t0)
		l2 := newLogin("l2")
		must(t, f.CreateLogin(f.ctx, l2), f.DeleteLogin(f.ctx, l2.Hash), f.DeleteLogin(f.ctx, l2.Hash))
		_, err = f.GetLogin(f.ctx, l2.Hash)
		wantErr(t, "GetLogin after DeleteLogin", err, tokens.ErrNotFound)
	}
}

func testConsents(newStore NewStore) func(*testing.T) {
	return func(t *testing.T) {
		f := setup(t, newStore)
		_, err := f.GetConsent(f.ctx, "user-1", "app")
		wantErr(t, "GetConsent(none)", err, tokens.ErrNotFound)
		grant := func(at time.Time, scopes ...string) {
			r := newAuthRequest(at.String())
			must(t, f.CreateAuthRequest(f.ctx, r))
			c := tokens.Consent{Subject: "user-1", ClientID: "app", Scopes: scopes, GrantedAt: at}
			must(t, f.FinishAuthRequest(f.ctx, r.Hash, tokens.AuthWrites{Consent: &c}))
		}
		grant(t0, "read", "openid")
		grant(t0.Add(time.Minute), "write", "read")
		want := tokens.Consent{Subject: "user-1", ClientID: "app", Scopes: []string{"openid", "read", "write"}, GrantedAt: t0.Add(time.Minute)}
		checkRead(t, "GetConsent after two grants", want)(f.GetConsent(f.ctx, "user-1", "app"))
		_, err = f.GetConsent(f.ctx, "user-1", "other")
		wantErr(t, "GetConsent of another client", err, tokens.ErrNotFound)
		must(t, f.DeleteConsent(f.ctx, "user-1", "app"), f.DeleteConsent(f.ctx, "user-1", "app"))
		_, err = f.GetConsent(f.ctx, "user-1", "app")
		wantErr(t, "GetConsent after DeleteConsent", err, tokens.ErrNotFound)
	}
}

// checkRead returns a check of a read's result against want; an error fails.
func checkRead[T any](t *testing.T, what string, want T) func(T, error) {
	return func(got T, err error) {
		t.Helper()
		check(t, what, got, want, err)
	}
}
