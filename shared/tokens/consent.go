package tokens

import (
	"context"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Consent is what a subject allowed a client: the scopes it may be
// granted without asking again (docs/design.md §10). Consents accumulate:
// allowing more scopes later adds them.
type Consent struct {
	Subject   string
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
}

// covers reports whether the consent includes every scope asked for.
func (c Consent) covers(scopes []string) bool { return len(oauth.Missing(scopes, c.Scopes)) == 0 }

// Decisions a user posts on the consent page (the buttons named decision).
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// ConsentView is what the consent page shows.
type ConsentView struct {
	RequestID  string
	ClientName string
	Username   string
	Scopes     []string
	// RedirectHost is where the browser goes after the decision, and
	// Loopback says it is a program on the user's own computer.
	RedirectHost string
	Loopback     bool
	// SelfRegistered marks a client that registered itself: its name is
	// its own claim. ClientHost is the host of a client_id URL (a Client
	// ID Metadata Document), the one thing about it that is verified.
	SelfRegistered bool
	ClientHost     string
}

// ConsentDecision is the consent form as posted, with the browser's cookies.
type ConsentDecision struct {
	RequestID   string
	CSRF        string
	LoginCookie string
	Decision    string
}

// AuthWrites are what ending a pending request writes with it, in one
// request (AuthorizationStore.FinishAuthRequest).
type AuthWrites struct {
	Code    *AuthCode
	Login   *LoginSession
	Consent *Consent
}

// needsConsent reports whether the user must be asked: always for
// prompt=consent, never for a first-party client otherwise, and for other
// clients unless a remembered consent covers the scopes (one read).
func (s *Service) needsConsent(ctx context.Context, firstParty, force bool, subject, clientID string, scopes []string) (bool, error) {
	switch {
	case force:
		return true, nil
	case firstParty:
		return false, nil
	}
	got, err := s.store.GetConsent(ctx, subject, clientID)
	if notFound(err) {
		return true, nil
	}
	if err != nil {
		return false, storeError(err)
	}
	return !got.covers(scopes), nil
}

// ConsentPage returns what the consent page of a pending request shows.
// Without a live login session the user is sent to the login page first.
func (s *Service) ConsentPage(ctx context.Context, requestID, loginCookie string) (ConsentView, Next, error) {
	req, err := s.getPending(ctx, requestID)
	if err == nil && req.DeviceHash != nil {
		err = errRequestGone() // a device's request is decided on its own page
	}
	if err != nil {
		return ConsentView{}, Next{}, err
	}
	login, ended, err := s.liveLogin(ctx, loginCookie)
	if err != nil {
		return ConsentView{}, Next{}, err
	}
	if login == nil {
		return ConsentView{}, Next{Page: PageLogin, RequestID: requestID, EndLogin: ended}, nil
	}
	view := ConsentView{RequestID: requestID, ClientName: req.ClientName, Username: login.Username, Scopes: req.Scopes}
	return describeClient(view, req), Next{}, nil
}

// Consent records the user's decision on the consent page. Allow
// remembers the consent and ends the request with a code, in one write;
// deny ends it with access_denied (RFC 6749 §4.1.2.1).
func (s *Service) Consent(ctx context.Context, d ConsentDecision) (Next, error) {
	if d.Decision != DecisionAllow && d.Decision != DecisionDeny {
		return Next{}, oauth.InvalidRequest("decision must be allow or deny")
	}
	req, err := s.pendingFor(ctx, d.RequestID, d.CSRF)
	if err == nil && req.DeviceHash != nil {
		err = errRequestGone() // a device's request is decided on its own page
	}
	if err != nil {
		return Next{}, err
	}
	login, ended, err := s.liveLogin(ctx, d.LoginCookie)
	if err != nil {
		return Next{}, err
	}
	if login == nil {
		return Next{Page: PageLogin, RequestID: d.RequestID, EndLogin: ended}, nil
	}
	if d.Decision == DecisionDeny {
		return s.deny(ctx, req, *login)
	}
	consent := Consent{Subject: login.Subject, ClientID: req.ClientID, Scopes: req.Scopes, GrantedAt: s.now()}
	next, err := s.finish(ctx, req, AuthWrites{Consent: &consent}, *login, "consent")
	if err == nil {
		s.extendRegistration(ctx, req.ClientID)
	}
	return next, err
}

func (s *Service) deny(ctx context.Context, req AuthRequest, login LoginSession) (Next, error) {
	if err := s.store.FinishAuthRequest(ctx, req.Hash, AuthWrites{}); err != nil {
		if notFound(err) {
			return Next{}, errRequestGone()
		}
		return Next{}, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "consent_denied", slog.String("client_id", req.ClientID), slog.String("sub", login.Subject),
		slog.String("outcome", oauth.CodeAccessDenied))
	return s.replyTo(ctx, req.RedirectURI, req.State).fail(oauth.AccessDenied("the user denied the request")), nil
}

// withdrawConsent forgets what subject consented to for client: revoking
// a session of the client withdraws its consent (docs/design.md §10). A
// failure is an outage the caller reports.
func (s *Service) withdrawConsent(ctx context.Context, subject, clientID string) error {
	if err := s.store.DeleteConsent(ctx, subject, clientID); err != nil {
		return storeError(err)
	}
	return nil
}
