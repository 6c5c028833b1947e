package tokens

import (
	"context"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Login session lifetimes where the deployment names none (docs/design.md §10).
const (
	DefaultLoginIdleTTL     = 12 * time.Hour
	DefaultLoginAbsoluteTTL = 7 * 24 * time.Hour
)

// LoginSession is a user signed in at the hosted login page: what lets a
// second client sign the same browser in without the password again
// (single sign-on). The browser holds a random cookie; the table holds
// its SHA-256.
type LoginSession struct {
	Hash []byte
	// ID is the login session's public id: the sid of ID tokens and of
	// the codes issued from it (OpenID Connect Front-Channel Logout §3).
	ID       string
	Subject  string
	Username string
	// AuthTime is when the user typed the password: the auth_time of
	// every token issued from this login.
	AuthTime          time.Time
	IdleExpiresAt     time.Time
	AbsoluteExpiresAt time.Time
}

// ExpiresAt is when the login session ends: the earlier of its idle and
// absolute expiry.
func (l LoginSession) ExpiresAt() time.Time {
	if l.IdleExpiresAt.Before(l.AbsoluteExpiresAt) {
		return l.IdleExpiresAt
	}
	return l.AbsoluteExpiresAt
}

// LoginView is what the login page shows.
type LoginView struct {
	RequestID  string
	ClientName string
	// Username fills the username field: the login_hint, or what the
	// user typed before a failed attempt.
	Username string
	// Error is the message of a failed attempt.
	Error string
}

// LoginRequest is the login form as posted, with the CSRF cookie.
type LoginRequest struct {
	RequestID string
	CSRF      string
	Username  string
	Password  string
	// IP is the caller's address: sign-in attempts are counted per user
	// and source (signin.go).
	IP string
}

// LoginResult is where a login attempt leads: Next after a success, or
// the form again (Form) after a failure.
type LoginResult struct {
	Next
	Form *LoginView
}

// Messages of the login page. A failed sign-in never says whether the
// user exists (docs/design.md §2).
const (
	msgMissingCredentials = "Enter your username and password."
	msgBadCredentials     = "Invalid username or password."
)

// LoginPage returns what the login page of a pending request shows, with
// one read (the request).
func (s *Service) LoginPage(ctx context.Context, requestID string) (LoginView, error) {
	req, err := s.getPending(ctx, requestID)
	if err != nil {
		return LoginView{}, err
	}
	return LoginView{RequestID: requestID, ClientName: req.ClientName, Username: req.LoginHint}, nil
}

// Login checks a posted login form with the password grant's own
// verification, lockout and non-disclosure (checkPassword), starts a login
// session, and continues the pending request: to the consent page, or
// back to the client with a code.
func (s *Service) Login(ctx context.Context, r LoginRequest) (LoginResult, error) {
	req, err := s.pendingFor(ctx, r.RequestID, r.CSRF)
	if err != nil {
		return LoginResult{}, err
	}
	form := LoginView{RequestID: r.RequestID, ClientName: req.ClientName, Username: r.Username}
	if r.Username == "" || r.Password == "" {
		form.Error = msgMissingCredentials
		return LoginResult{Form: &form}, nil
	}
	u, err := s.checkPassword(ctx, Client{ID: req.ClientID, Name: req.ClientName}, r.Username, r.Password, r.IP)
	if e := oauth.As(err); e != nil && e.Code == oauth.CodeInvalidGrant {
		form.Error = msgBadCredentials
		return LoginResult{Form: &form}, nil
	}
	if err != nil {
		return LoginResult{}, err
	}
	now := s.now()
	login, cookie := s.newLogin(u, now)
	next, err := s.afterLogin(ctx, req, r.RequestID, login)
	if err != nil {
		return LoginResult{}, err
	}
	s.audit(ctx, slog.LevelInfo, "login_succeeded", slog.String("client_id", req.ClientID),
		slog.String("sub", u.Subject), slog.String("login_id", login.ID), slog.String("outcome", "ok"))
	next.Login = &cookie
	return LoginResult{Next: next}, nil
}

// afterLogin continues a pending request once the user has signed in: to
// the consent page when consent is needed (the login session is written
// alone), else a code, written with the login session in one request.
func (s *Service) afterLogin(ctx context.Context, req AuthRequest, id string, login LoginSession) (Next, error) {
	if req.DeviceHash != nil {
		// A device request is approved on the verification page.
		if err := s.store.CreateLogin(ctx, login); err != nil {
			return Next{}, storeError(err)
		}
		return Next{Page: PageDevice, RequestID: id}, nil
	}
	need, err := s.needsConsent(ctx, req.FirstParty, req.ForceConsent, login.Subject, req.ClientID, req.Scopes)
	if err != nil {
		return Next{}, err
	}
	if !need {
		return s.finish(ctx, req, AuthWrites{Login: &login}, login, "login")
	}
	if err := s.store.CreateLogin(ctx, login); err != nil {
		return Next{}, storeError(err)
	}
	return Next{Page: PageConsent, RequestID: id}, nil
}

// newLogin starts a login session for u at now and returns its cookie.
func (s *Service) newLogin(u User, now time.Time) (LoginSession, LoginCookie) {
	value := newSecret()
	abs := now.Add(s.loginAbsoluteTTL())
	l := LoginSession{
		Hash: HashToken(value), ID: NewID(), Subject: u.Subject, Username: u.Username,
		AuthTime: now, IdleExpiresAt: IdleExpiry(now, s.loginIdleTTL(), abs), AbsoluteExpiresAt: abs,
	}
	return l, LoginCookie{Value: value, MaxAge: abs.Sub(now)}
}

// usableLogin returns the login session the cookie names when it is live
// and recent enough for the request (prompt=login and max_age ask for a
// fresh sign-in). ended reports a cookie that names no live session, which
// the browser should forget.
func (s *Service) usableLogin(ctx context.Context, cookie string, p authParams) (l *LoginSession, ended bool, err error) {
	l, ended, err = s.liveLogin(ctx, cookie)
	if l == nil || err != nil {
		return nil, ended, err
	}
	age := s.now().Sub(l.AuthTime)
	if p.prompt.login || p.maxAge == 0 || (p.maxAge > 0 && age > time.Duration(p.maxAge)*time.Second) {
		return nil, false, nil
	}
	s.touchLogin(ctx, *l)
	return l, false, nil
}

// liveLogin reads the login session a cookie names; nil when there is
// none, with ended true when the cookie named nothing live.
func (s *Service) liveLogin(ctx context.Context, cookie string) (*LoginSession, bool, error) {
	if cookie == "" {
		return nil, false, nil
	}
	if !wellFormedSecret(cookie) {
		return nil, true, nil
	}
	l, err := s.store.GetLogin(ctx, HashToken(cookie))
	switch {
	case notFound(err):
		return nil, true, nil
	case err != nil:
		return nil, false, storeError(err)
	case !s.now().Before(l.ExpiresAt()):
		return nil, true, nil
	}
	return s.loginOfActiveUser(ctx, l)
}

// loginOfActiveUser ends a login session whose user has since been
// disabled (latchkey user disable): single sign-on, consent and device
// approval must not hand such a user a code. One user read.
func (s *Service) loginOfActiveUser(ctx context.Context, l LoginSession) (*LoginSession, bool, error) {
	u, err := s.store.GetUser(ctx, l.Username)
	switch {
	case notFound(err) || (err == nil && u.Disabled):
		s.audit(ctx, slog.LevelInfo, "login_session_ended", slog.String("sub", l.Subject), slog.String("outcome", "user_disabled"))
		return nil, true, nil
	case err != nil:
		return nil, false, storeError(err)
	}
	return &l, false, nil
}

// touchLogin slides a login session's idle window when a twelfth of it
// has passed since it last moved, so that single sign-on costs a write
// at most that often. A failure is logged: the login is still valid.
func (s *Service) touchLogin(ctx context.Context, l LoginSession) {
	idle := s.loginIdleTTL()
	next := IdleExpiry(s.now(), idle, l.AbsoluteExpiresAt)
	if next.Sub(l.IdleExpiresAt) < idle/12 {
		return
	}
	if err := s.store.TouchLogin(ctx, l.Hash, next); err != nil {
		s.audit(ctx, slog.LevelWarn, "login_touch_failed", slog.String("sub", l.Subject), slog.String("cause", err.Error()))
	}
}

// getPending reads the pending request a form or page names. A request
// that is unknown, used or expired is an error for the user to see.
func (s *Service) getPending(ctx context.Context, id string) (AuthRequest, error) {
	if !wellFormedSecret(id) {
		return AuthRequest{}, errRequestGone()
	}
	req, err := s.store.GetAuthRequest(ctx, HashToken(id))
	switch {
	case notFound(err):
		return AuthRequest{}, errRequestGone()
	case err != nil:
		return AuthRequest{}, storeError(err)
	case !s.now().Before(req.ExpiresAt):
		return AuthRequest{}, errRequestGone()
	}
	return req, nil
}

// pendingFor reads the pending request a posted form names and checks
// that the browser posting it is the one that started it: its CSRF
// cookie hashes to the one the request was bound to (constant time).
func (s *Service) pendingFor(ctx context.Context, id, csrf string) (AuthRequest, error) {
	req, err := s.getPending(ctx, id)
	if err != nil {
		return AuthRequest{}, err
	}
	if !wellFormedSecret(csrf) || !sameHash(csrf, req.CSRFHash) {
		s.audit(ctx, slog.LevelWarn, "csrf_check_failed", slog.String("client_id", req.ClientID), slog.String("outcome", "refused"))
		return AuthRequest{}, oauth.InvalidRequest("the form could not be verified: allow cookies for this site, go back to the application and sign in again")
	}
	return req, nil
}

func errRequestGone() error {
	return oauth.InvalidRequest("this sign-in request has expired or was already used: go back to the application and sign in again")
}

func (s *Service) loginIdleTTL() time.Duration {
	return orDefaultDuration(s.loginIdle, DefaultLoginIdleTTL)
}

func (s *Service) loginAbsoluteTTL() time.Duration {
	return orDefaultDuration(s.loginAbsolute, DefaultLoginAbsoluteTTL)
}
