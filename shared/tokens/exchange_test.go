package tokens_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// exchangeRig is a rig with a first-party app (read, write) that alice
// signed in to, and a service allowed to exchange (read, deploy; the
// resource https://jobs.test).
type exchangeRig struct {
	*rig
	app, service client
	user         tokens.User
	userAT       string // alice's access token from the app: read write
}

const (
	jobsResource = "https://jobs.test"
	at           = oauth.TokenTypeAccessToken
)

func newExchangeRig(t *testing.T, format string) exchangeRig {
	t.Helper()
	r := newRig(t)
	x := exchangeRig{rig: r, app: r.firstParty(tokens.ClientSpec{}), user: r.user(testUser)}
	x.service = x.registerService("svc", format, []string{"read", "deploy"})
	x.userAT = r.login(x.app, "read write offline_access").AccessToken
	r.store.ResetOps()
	return x
}

// registerService registers a confidential client allowed to exchange, with
// jobsResource among its resources. ClientSpec has no resources, so it
// goes to the store directly, as an operator's tooling would put it.
func (x exchangeRig) registerService(name, format string, scopes []string) client {
	x.t.Helper()
	secret := "lk_cs_" + name + "-secret"
	c := tokens.Client{
		ID: tokens.NewID(), Name: name, AuthMethod: oauth.AuthClientSecretBasic, SecretHash: tokens.HashToken(secret),
		Grants: []string{oauth.GrantClientCredentials}, Scopes: scopes, MayExchange: true,
		AccessTokenFormat: format, AccessTokenTTL: 10 * time.Minute, Resources: []string{jobsResource},
		MaxSessionsPerSubject: tokens.DefaultMaxSessions, CreatedAt: start,
	}
	if err := x.store.CreateClient(x.ctx, c); err != nil {
		x.t.Fatal(err)
	}
	return client{Client: c, secret: secret}
}

// exchange asks as c for a token for subject with the request's other
// fields from req.
func (x exchangeRig) exchange(c client, subject string, req tokens.TokenRequest) (oauth.TokenResponse, error) {
	req.Client, req.GrantType, req.SubjectToken = c.auth(), oauth.GrantTokenExchange, subject
	return x.svc.Token(x.ctx, req)
}

func (x exchangeRig) mustExchange(c client, subject, scope string) oauth.TokenResponse {
	x.t.Helper()
	resp, err := x.exchange(c, subject, tokens.TokenRequest{SubjectTokenType: at, Scope: scope})
	if err != nil {
		x.t.Fatalf("exchange as %s: %v", c.Name, err)
	}
	return resp
}

// TestExchange: the exchanged JWT is the user's (sub), acting through the
// service (act), with the scopes both hold, client_id the service, and
// issued_token_type in the answer; the request reads the subject token's
// state once, writes nothing, and is audited.
func TestExchange(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	resp := x.mustExchange(x.service, x.userAT, "")
	want := oauth.TokenResponse{TokenType: "Bearer", ExpiresIn: 600, Scope: "read", IssuedTokenType: oauth.TokenTypeAccessToken}
	got := resp
	got.AccessToken = ""
	if resp.AccessToken == "" || got != want {
		t.Errorf("exchange = %+v; want %+v with an access token", resp, want)
	}
	c := x.claims(resp.AccessToken)
	if c.Subject != x.user.Subject || c.ClientID != x.service.ID || !reflect.DeepEqual(c.Scope, []string{"read"}) ||
		!reflect.DeepEqual(c.Act, &tokens.Actor{Subject: x.service.ID}) || !reflect.DeepEqual(c.Audience, []string{issuer}) || c.SessionID != "" {
		t.Errorf("claims = %+v (act %+v); want sub %s, client_id and act.sub %s, scope read, aud the issuer, no sid",
			c, c.Act, x.user.Subject, x.service.ID)
	}
	if ops, want := x.coreOps(), map[string]int{"GetClient": 1, "AccessState": 1}; !maps.Equal(ops, want) {
		t.Errorf("store calls = %v; want %v", ops, want)
	}
	if !x.logged("token_exchanged") {
		t.Error("no token_exchanged audit event")
	}
	x.wantIntrospected(resp.AccessToken, &oauth.Actor{Sub: x.service.ID})
}

// wantIntrospected checks that the service sees its exchanged token as
// alice's, with scope read and act.
func (x exchangeRig) wantIntrospected(token string, act *oauth.Actor) {
	x.t.Helper()
	in := x.introspect(x.service, token)
	if !in.Active || in.Sub != x.user.Subject || in.Scope != "read" || in.ClientID != x.service.ID || !reflect.DeepEqual(in.Act, act) {
		x.t.Errorf("introspection = %+v (act %+v); want active, sub %s, scope read, client_id %s, act %+v",
			in, in.Act, x.user.Subject, x.service.ID, act)
	}
}

// TestExchangeRefusals: every refusal has its RFC 8693 §2.2.2 code and
// writes nothing.
func TestExchangeRefusals(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	notAllowed := x.client(tokens.ClientSpec{Grants: []string{oauth.GrantClientCredentials}, Scopes: []string{"read"}})
	public := x.client(tokens.ClientSpec{Public: true, Grants: []string{oauth.GrantRefreshToken}, Scopes: []string{"read"}})
	noCommon := x.registerService("ops", tokens.FormatJWT, []string{"deploy"})
	login := x.login(x.app, "read offline_access")
	for _, tc := range []struct {
		name string
		as   client
		req  tokens.TokenRequest
		code string
	}{
		{"client not allowed to exchange", notAllowed, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at}, oauth.CodeUnauthorizedClient},
		{"public client", public, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at}, oauth.CodeUnauthorizedClient},
		{"no subject_token", x.service, tokens.TokenRequest{SubjectTokenType: at}, oauth.CodeInvalidRequest},
		{"no subject_token_type", x.service, tokens.TokenRequest{SubjectToken: x.userAT}, oauth.CodeInvalidRequest},
		{"refresh_token subject type", x.service, tokens.TokenRequest{SubjectToken: login.RefreshToken, SubjectTokenType: oauth.TokenTypeRefreshToken}, oauth.CodeInvalidRequest},
		{"a refresh token said to be an access token", x.service, tokens.TokenRequest{SubjectToken: login.RefreshToken, SubjectTokenType: at}, oauth.CodeInvalidRequest},
		{"garbage subject token", x.service, tokens.TokenRequest{SubjectToken: "eyJhbGciOiJub25lIn0.e30.", SubjectTokenType: at}, oauth.CodeInvalidRequest},
		{"actor_token", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, ActorToken: "x", ActorTokenType: at}, oauth.CodeInvalidRequest},
		{"requested refresh token type", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, RequestedTokenType: oauth.TokenTypeRefreshToken}, oauth.CodeInvalidRequest},
		{"scope the service lacks", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, Scope: "read write"}, oauth.CodeInvalidScope},
		{"scope the user's token lacks", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, Scope: "deploy"}, oauth.CodeInvalidScope},
		{"offline_access", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, Scope: "read offline_access"}, oauth.CodeInvalidScope},
		{"no scope in common", noCommon, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at}, oauth.CodeInvalidScope},
		{"resource not registered", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, Resources: []string{"https://other.test"}}, oauth.CodeInvalidTarget},
		{"audience not registered", x.service, tokens.TokenRequest{SubjectToken: x.userAT, SubjectTokenType: at, Audiences: []string{"jobs"}}, oauth.CodeInvalidTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x.store.ResetOps()
			_, err := x.exchange(tc.as, tc.req.SubjectToken, tc.req)
			wantCode(t, err, tc.code)
			if w := x.writes(); len(w) != 0 {
				t.Errorf("writes = %v; want none", w)
			}
		})
	}
}

// TestExchangeInactiveSubject: a subject token of a revoked session, or
// past its expiry, is refused.
func TestExchangeInactiveSubject(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	login := x.login(x.app, "read offline_access")
	if _, err := x.svc.RevokeSession(x.ctx, tokens.Principal{Subject: x.user.Subject, Scopes: []string{"latchkey:admin"}}, sessionID(login.RefreshToken)); err != nil {
		t.Fatal(err)
	}
	_, err := x.exchange(x.service, login.AccessToken, tokens.TokenRequest{SubjectTokenType: at})
	wantCode(t, err, oauth.CodeInvalidRequest)
	x.clock.Advance(16 * time.Minute)
	_, err = x.exchange(x.service, x.userAT, tokens.TokenRequest{SubjectTokenType: at})
	wantCode(t, err, oauth.CodeInvalidRequest)
}

// TestExchangeNarrowsOnly: an exchanged token exchanged again by another
// service keeps its narrow scopes (asking for the user's wider ones is
// invalid_scope) and nests act: the newest actor outermost.
func TestExchangeNarrowsOnly(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	first := x.mustExchange(x.service, x.userAT, "read")
	second := x.registerService("svc2", tokens.FormatJWT, []string{"read", "write"})
	_, err := x.exchange(second, first.AccessToken, tokens.TokenRequest{SubjectTokenType: at, Scope: "read write"})
	wantCode(t, err, oauth.CodeInvalidScope)
	resp := x.mustExchange(second, first.AccessToken, "")
	c := x.claims(resp.AccessToken)
	wantAct := &tokens.Actor{Subject: second.ID, Act: &tokens.Actor{Subject: x.service.ID}}
	if c.Subject != x.user.Subject || !reflect.DeepEqual(c.Scope, []string{"read"}) || !reflect.DeepEqual(c.Act, wantAct) {
		t.Errorf("claims = sub %s scope %v act %+v; want sub %s, scope [read], act %+v", c.Subject, c.Scope, c.Act, x.user.Subject, wantAct)
	}
	wire := &oauth.Actor{Sub: second.ID, Act: &oauth.Actor{Sub: x.service.ID}}
	if in := x.introspect(second, resp.AccessToken); !in.Active || in.Scope != "read" || !reflect.DeepEqual(in.Act, wire) {
		t.Errorf("introspection = %+v (act %+v); want active, scope read, act %+v", in, in.Act, wire)
	}
}

// TestExchangeChainDepth: a chain of MaxActorDepth actors is the
// longest; one more exchange is refused.
func TestExchangeChainDepth(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	token := x.userAT
	for depth := 1; depth <= tokens.MaxActorDepth; depth++ {
		token = x.mustExchange(x.service, token, "").AccessToken
		if got := x.claims(token).Act.Depth(); got != depth {
			t.Fatalf("act depth after %d exchanges = %d", depth, got)
		}
	}
	_, err := x.exchange(x.service, token, tokens.TokenRequest{SubjectTokenType: at})
	wantCode(t, err, oauth.CodeInvalidRequest)
}

// TestExchangeAudience: resource and audience name the service's
// registered resources, which become aud.
func TestExchangeAudience(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	for _, req := range []tokens.TokenRequest{{SubjectTokenType: at, Resources: []string{jobsResource}}, {SubjectTokenType: at, Audiences: []string{jobsResource}}} {
		resp, err := x.exchange(x.service, x.userAT, req)
		if err != nil {
			t.Fatal(err)
		}
		if aud := x.claims(resp.AccessToken).Audience; !reflect.DeepEqual(aud, []string{jobsResource}) {
			t.Errorf("aud = %v; want [%s]", aud, jobsResource)
		}
	}
}

// TestExchangeMayAct: a subject token whose may_act names another party
// is refused; one naming the service is taken (RFC 8693 §4.4).
func TestExchangeMayAct(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatJWT)
	signed := func(mayAct string) string {
		tok, err := x.keys.Sign(x.ctx, tokens.AccessClaims{
			Issuer: issuer, Subject: x.user.Subject, Audience: []string{issuer}, IssuedAt: start, ExpiresAt: start.Add(time.Minute),
			JTI: tokens.NewID(), ClientID: x.app.ID, Scope: []string{"read"}, MayAct: &tokens.Actor{Subject: mayAct},
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	_, err := x.exchange(x.service, signed("someone-else"), tokens.TokenRequest{SubjectTokenType: at})
	wantCode(t, err, oauth.CodeInvalidRequest)
	if _, err := x.exchange(x.service, signed(x.service.ID), tokens.TokenRequest{SubjectTokenType: at}); err != nil {
		t.Errorf("exchange with may_act naming the service = %v; want a token", err)
	}
}

// TestExchangeReference: a service with reference tokens gets one, stored
// with its act (one write besides the subject's read).
func TestExchangeReference(t *testing.T) {
	x := newExchangeRig(t, tokens.FormatReference)
	resp := x.mustExchange(x.service, x.userAT, "read")
	if ops, want := x.coreOps(), map[string]int{"GetClient": 1, "AccessState": 1, "CreateReferenceToken": 1}; !maps.Equal(ops, want) {
		t.Errorf("store calls = %v; want %v", ops, want)
	}
	state, err := x.store.AccessState(x.ctx, tokens.AccessStateQuery{ReferenceHash: tokens.HashToken(resp.AccessToken)})
	if err != nil || state.Reference == nil {
		t.Fatalf("AccessState = %+v, %v; want the reference token", state, err)
	}
	if want := (&tokens.Actor{Subject: x.service.ID}); !reflect.DeepEqual(state.Reference.Act, want) || state.Reference.Subject != x.user.Subject {
		t.Errorf("stored token sub %s act %+v; want sub %s act %+v", state.Reference.Subject, state.Reference.Act, x.user.Subject, want)
	}
	x.wantIntrospected(resp.AccessToken, &oauth.Actor{Sub: x.service.ID})
}
