package tokens

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Token exchange (RFC 8693) for user-triggered automation: a service,
// an authenticated confidential client registered with MayExchange,
// presents a user's access token as the subject token and gets a token
// of its own for the job: sub is the user, act names the service (a
// chain of exchanges nests act, at most MaxActorDepth levels), the
// scopes are those both the subject token and the service hold, and aud
// is what the resource and audience parameters name among the service's
// registered resources (RFC 8707).
//
// With offline_access, held by the subject token and allowed to the
// service, the answer also has a refresh token of a job session: a
// session of the service for the user, with the service's own lifetimes,
// so the job runs on after the user's own session ends. Its tokens carry
// act, the sessions page lists it with act, and it ends as any session
// does: revoked by id, by signing the user out everywhere, or at its
// absolute expiry.

// MaxActorDepth bounds a delegation chain: the act claim of an exchanged
// token nests at most this many actors (RFC 8693 §4.1).
const MaxActorDepth = 4

// Actor is an act or may_act claim (RFC 8693 §4.1, §4.4): the party that
// acts and, nested in Act, the party it acted for in turn.
type Actor struct {
	Subject string
	Act     *Actor
}

// Depth is the number of actors in the chain a, 0 for nil.
func (a *Actor) Depth() int {
	n := 0
	for ; a != nil; a = a.Act {
		n++
	}
	return n
}

// Clone returns a deep copy of the chain a.
func (a *Actor) Clone() *Actor {
	if a == nil {
		return nil
	}
	return &Actor{Subject: a.Subject, Act: a.Act.Clone()}
}

// exchange implements RFC 8693 §2 at the token endpoint for client c,
// already authenticated.
func (s *Service) exchange(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	if c.Public() || !c.MayExchange {
		return oauth.TokenResponse{}, oauth.UnauthorizedClient("the client may not exchange tokens")
	}
	if err := checkExchangeRequest(r); err != nil {
		return oauth.TokenResponse{}, err
	}
	subject, err := s.exchangeSubject(ctx, c, r.SubjectToken)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	g, err := exchangeGrant(c, r, subject)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	now := s.now()
	var job *jobSession
	if slices.Contains(g.scopes, oauth.ScopeOfflineAccess) {
		if job, err = s.newJobSession(c, &g, r, now); err != nil {
			return oauth.TokenResponse{}, err
		}
	}
	at, err := s.issueAccess(ctx, c, g, now)
	if err == nil {
		err = s.persistExchange(ctx, c, at, job)
	}
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "token_exchanged", slog.String("client_id", c.ID), slog.String("sub", g.subject),
		slog.String("sid", sessionID(g.session)), slog.String("jti", at.jti), slog.Int("act_depth", g.act.Depth()),
		slog.String("outcome", "ok"))
	resp := at.response(g.scopes)
	resp.IssuedTokenType = oauth.TokenTypeAccessToken
	if job != nil {
		resp = withRefresh(resp, job.token, job.session, now)
	}
	return resp, nil
}

// jobSession is a session an exchange starts, and its first refresh token.
type jobSession struct {
	session Session
	token   string
}

// newJobSession builds the job session of grant g and binds g to it: the
// session's own lifetimes are the service's, its audience the grant's,
// and its act the grant's chain, which every refresh carries on.
func (s *Service) newJobSession(c Client, g *accessGrant, r TokenRequest, now time.Time) (*jobSession, error) {
	g.jti = NewID()
	sess, token, err := s.newSession(c, g.subject, g.scopes, now, g.jti, r.IP, r.UserAgent)
	if err != nil {
		return nil, err
	}
	sess.Audience, sess.Act = g.resources, g.act
	g.session = &sess
	return &jobSession{session: sess, token: token}, nil
}

// persistExchange stores what an exchange issued: a reference token
// first, then the job session if there is one (as the password grant
// orders them, so a failed session write leaves nothing usable).
func (s *Service) persistExchange(ctx context.Context, c Client, at issuedAccess, job *jobSession) error {
	if err := s.persist(ctx, at); err != nil {
		return err
	}
	if job == nil {
		return nil
	}
	return s.createSessionCapped(ctx, c, job.session)
}

// checkExchangeRequest checks the parameters of RFC 8693 §2.1 that need
// no read. The authenticated client is the actor: an actor token is not
// taken.
func checkExchangeRequest(r TokenRequest) error {
	switch {
	case r.SubjectToken == "":
		return oauth.InvalidRequest("subject_token is required")
	case r.SubjectTokenType == "":
		return oauth.InvalidRequest("subject_token_type is required")
	case r.SubjectTokenType != oauth.TokenTypeAccessToken:
		return oauth.InvalidRequest("subject_token_type must be " + oauth.TokenTypeAccessToken)
	case r.ActorToken != "" || r.ActorTokenType != "":
		return oauth.InvalidRequest("actor_token is not supported: the authenticated client is the actor")
	case r.RequestedTokenType != "" && r.RequestedTokenType != oauth.TokenTypeAccessToken:
		return oauth.InvalidRequest("requested_token_type must be " + oauth.TokenTypeAccessToken)
	}
	return nil
}

// exchangeSubject checks the subject token: an active access token of
// this issuer (one read, as introspection), whose may_act, when it has
// one, names the client (RFC 8693 §4.4). Anything else is invalid_request
// (RFC 8693 §2.2.2).
func (s *Service) exchangeSubject(ctx context.Context, c Client, token string) (TokenInfo, error) {
	info, err := s.inspect(ctx, token)
	if isInactive(err) {
		return TokenInfo{}, oauth.InvalidRequest("the subject token is not an active access token")
	}
	if err != nil {
		return TokenInfo{}, err
	}
	switch {
	case info.Kind != KindAccess:
		return TokenInfo{}, oauth.InvalidRequest("the subject token is not an active access token")
	case info.MayAct != nil && info.MayAct.Subject != c.ID:
		return TokenInfo{}, oauth.InvalidRequest("the subject token does not let this client act for its subject")
	}
	return info, nil
}

// exchangeGrant decides what the exchanged token is for: the subject's
// sub, the scopes, the audience and the act chain with c in front.
func exchangeGrant(c Client, r TokenRequest, subject TokenInfo) (accessGrant, error) {
	act := &Actor{Subject: c.ID, Act: subject.Act.Clone()}
	if act.Depth() > MaxActorDepth {
		return accessGrant{}, oauth.InvalidRequest("the delegation chain of the subject token is too long")
	}
	scopes, err := exchangeScopes(r.Scope, subject.Scopes, c.offlineScopes())
	if err != nil {
		return accessGrant{}, err
	}
	resources, err := c.ResolveResources(slices.Concat(r.Resources, r.Audiences))
	if err != nil {
		return accessGrant{}, err
	}
	return accessGrant{subject: subject.Subject, scopes: scopes, resources: resources, jti: NewID(), act: act}, nil
}

// exchangeScopes returns the exchanged token's scopes: those asked for,
// when both the subject token and the client hold each of them, else
// every scope both hold but offline_access, which starts a job session
// and must be asked for. Asking for more, or for a token with no scope
// besides offline_access, is invalid_scope: an exchange narrows, never
// widens.
func exchangeScopes(requested string, subject, client []string) ([]string, error) {
	both := slices.DeleteFunc(slices.Clone(subject), func(sc string) bool { return !slices.Contains(client, sc) })
	want := oauth.ParseScope(requested)
	if len(want) == 0 {
		want = slices.DeleteFunc(slices.Clone(both), isOfflineAccess)
	}
	if missing := oauth.Missing(want, both); len(missing) > 0 {
		return nil, oauth.InvalidScope("scope not held by both the subject token and the client: " + oauth.JoinScope(missing))
	}
	if !slices.ContainsFunc(want, func(sc string) bool { return !isOfflineAccess(sc) }) {
		return nil, oauth.InvalidScope("the subject token and the client hold no scope in common")
	}
	return want, nil
}

func isOfflineAccess(scope string) bool { return scope == oauth.ScopeOfflineAccess }

// Wire returns the chain as introspection answers it, nil for none.
func (a *Actor) Wire() *oauth.Actor {
	if a == nil {
		return nil
	}
	return &oauth.Actor{Sub: a.Subject, Act: a.Act.Wire()}
}
