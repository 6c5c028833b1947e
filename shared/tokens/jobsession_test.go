package tokens_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Job sessions: a token exchange with offline_access starts a session of
// the service for the user, which outlives the user's own session.

// jobService registers a service that may exchange into job sessions of
// 24 hours, refreshed at the token endpoint.
func (x exchangeRig) jobService() client {
	x.t.Helper()
	secret := "lk_cs_job-secret"
	c := tokens.Client{
		ID: tokens.NewID(), Name: "jobs", AuthMethod: oauth.AuthClientSecretBasic, SecretHash: tokens.HashToken(secret),
		Grants: []string{oauth.GrantClientCredentials, oauth.GrantRefreshToken}, Scopes: []string{"read", "deploy"},
		MayExchange: true, AllowOfflineAccess: true, AccessTokenFormat: tokens.FormatJWT, AccessTokenTTL: 10 * time.Minute,
		RefreshAbsoluteTTL: 24 * time.Hour, RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: 30 * time.Second,
		Resources: []string{jobsResource}, MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: start,
	}
	if err := x.store.CreateClient(x.ctx, c); err != nil {
		x.t.Fatal(err)
	}
	return client{Client: c, secret: secret}
}

// TestJobSession: the answer has a refresh token of a session of the
// service for alice, carrying act, with the service's lifetime; its
// access token names the job session; the budget is the subject's read,
// the session cap's query and one write.
func TestJobSession(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	svc := x.jobService()
	x.store.ResetOps()
	resp := x.mustExchange(svc, x.userAT, "read offline_access")
	if resp.RefreshToken == "" || resp.Scope != "read offline_access" || resp.IssuedTokenType != oauth.TokenTypeAccessToken ||
		resp.RefreshTokenExpiresIn != int64(24*time.Hour/time.Second) {
		t.Fatalf("exchange = %+v; want an access token, a refresh token of 24 h, scope read offline_access", resp)
	}
	if ops, want := x.coreOps(), map[string]int{"GetClient": 1, "AccessState": 1, "ActiveSessions": 1, "CreateSession": 1}; !maps.Equal(ops, want) {
		t.Errorf("store calls = %v; want %v", ops, want)
	}
	job := x.session(resp.RefreshToken)
	act := &tokens.Actor{Subject: svc.ID}
	if job.ClientID != svc.ID || job.Subject != x.user.Subject || !reflect.DeepEqual(job.Act, act) ||
		!job.AbsoluteExpiresAt.Equal(start.Add(24*time.Hour)) || !reflect.DeepEqual(job.Scopes, []string{"read", "offline_access"}) {
		t.Errorf("job session = %+v; want the service's for %s, act %+v, absolute expiry in 24 h", job, x.user.Subject, act)
	}
	if c := x.claims(resp.AccessToken); c.SessionID != job.ID || !reflect.DeepEqual(c.Act, act) || c.Subject != x.user.Subject {
		t.Errorf("claims = sid %s act %+v sub %s; want the job session, act %+v, alice", c.SessionID, c.Act, c.Subject, act)
	}
	refreshed := x.mustRefresh(svc, resp.RefreshToken)
	if c := x.claims(refreshed.AccessToken); !reflect.DeepEqual(c.Act, act) || c.Subject != x.user.Subject || c.SessionID != job.ID {
		t.Errorf("refreshed claims = act %+v sub %s sid %s; want act %+v, alice, the job session", c.Act, c.Subject, c.SessionID, act)
	}
}

// TestJobSessionOutlivesUserSession: the user's own session ending —
// revoked, or past its absolute expiry of an hour — leaves the job
// running; signing the user out everywhere ends it.
func TestJobSessionOutlivesUserSession(t *testing.T) {
	for _, ending := range []string{"revoked", "expired"} {
		t.Run(ending, func(t *testing.T) {
			x := newExchangeRig(t, tokens.FormatJWT)
			x.rig = x.on(t)
			svc, app := x.jobService(), x.firstParty(tokens.ClientSpec{RefreshAbsoluteTTL: time.Hour})
			login := x.login(app, "read offline_access")
			job := x.mustExchange(svc, login.AccessToken, "read offline_access").RefreshToken
			if ending == "revoked" {
				alice := tokens.Principal{Subject: x.user.Subject, ClientID: app.ID, Scopes: []string{"read"}}
				if _, err := x.svc.RevokeSession(x.ctx, alice, sessionID(login.RefreshToken)); err != nil {
					t.Fatal(err)
				}
			}
			x.clock.Advance(2 * time.Hour)
			if _, err := x.refresh(app, login.RefreshToken, ""); err == nil {
				t.Fatal("the user's own session still refreshes")
			}
			resp := x.mustRefresh(svc, job)
			if !x.active(svc, resp.AccessToken) {
				t.Fatal("the job's refreshed access token is not active")
			}

			admin := tokens.Principal{Subject: "ops", ClientID: "ops", Scopes: []string{tokens.ScopeAdmin}}
			if _, err := x.svc.RevokeSubject(x.ctx, admin, x.user.Subject); err != nil {
				t.Fatal(err)
			}
			_, err := x.refresh(svc, resp.RefreshToken, "")
			wantCode(t, err, oauth.CodeInvalidGrant)
			if x.active(svc, resp.AccessToken) {
				t.Error("the job's access token is active after signing the user out everywhere")
			}
		})
	}
}

// TestJobSessionListed: the sessions page lists the job as a session of
// the service for the user, with act.
func TestJobSessionListed(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	svc := x.jobService()
	job := x.mustExchange(svc, x.userAT, "read offline_access").RefreshToken
	page := x.list(tokens.Principal{Subject: x.user.Subject, ClientID: x.app.ID, Scopes: []string{"read"}}, tokens.SessionsRequest{ClientID: svc.ID})
	if len(page.Entries) != 1 || page.Entries[0].Session == nil || page.Entries[0].Session.ID != sessionID(job) ||
		!reflect.DeepEqual(page.Entries[0].Session.Act, &tokens.Actor{Subject: svc.ID}) {
		t.Errorf("sessions of the service = %+v; want the job session with act", page.Entries)
	}
}

// TestJobSessionRefusals: offline_access needs the subject token and the
// service to hold it.
func TestJobSessionRefusals(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	svc := x.jobService()
	noOffline, err := x.passwordGrant(x.app, testUser, testPassword, "read")
	if err != nil {
		t.Fatal(err)
	}
	_, err = x.exchange(svc, noOffline.AccessToken, tokens.TokenRequest{SubjectTokenType: at, Scope: "read offline_access"})
	wantCode(t, err, oauth.CodeInvalidScope)
	_, err = x.exchange(x.service, x.userAT, tokens.TokenRequest{SubjectTokenType: at, Scope: "read offline_access"})
	wantCode(t, err, oauth.CodeInvalidScope)
	_, err = x.exchange(svc, x.userAT, tokens.TokenRequest{SubjectTokenType: at, Scope: "offline_access"})
	wantCode(t, err, oauth.CodeInvalidScope)
	if resp := x.mustExchange(svc, x.userAT, ""); resp.RefreshToken != "" || resp.Scope != "read" {
		t.Errorf("exchange without a scope = %+v; want scope read and no refresh token", resp)
	}
}
