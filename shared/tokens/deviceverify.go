package tokens

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// PageDevice is the verification page (RFC 8628 §3.3), named in Next.Page.
const PageDevice = "device"

// Each source may enter deviceEntryLimit user codes per sign-in window
// (RFC 8628 §5.1): every entry counts, right or wrong, because giving a
// right one back would let an attacker clear his count with codes of his
// own. deviceEntryCounter is the key they are counted under, which no
// username's HMAC can be.
const (
	deviceEntryLimit   = 10
	deviceEntryCounter = "device-user-code"
)

// Messages of the verification page.
const (
	msgBadUserCode   = "That code is not valid or has expired. Check the code your device shows."
	msgTooManyCodes  = "Too many codes were entered from your network. Wait a few minutes and try again."
	msgMissingCookie = "Your browser did not send this site's cookie: allow cookies for this site and reload the page."
)

// DeviceView is what the verification page shows: the form for the user
// code (RequestID empty), the request to approve, or the outcome (Done).
type DeviceView struct {
	UserCode string
	Error    string
	// RequestID, ClientName, Username and Scopes describe the request
	// to approve.
	RequestID  string
	ClientName string
	Username   string
	Scopes     []string
	// Done and Allowed report the decision taken.
	Done, Allowed bool
}

// DeviceEntry is the user code form as posted, with the browser's cookies.
type DeviceEntry struct {
	UserCode    string
	CSRF        string
	LoginCookie string
	IP          string
}

// DeviceForm returns the user code form, filled with the code of a
// verification_uri_complete (RFC 8628 §3.3.1), and a new CSRF value when
// the browser has none: the form is refused without it.
func (s *Service) DeviceForm(typed, csrf string) (DeviceView, string) {
	view := DeviceView{}
	if code, ok := NormalizeUserCode(typed); ok {
		view.UserCode = code[:userCodeLen/2] + "-" + code[userCodeLen/2:]
	}
	if wellFormedSecret(csrf) {
		return view, ""
	}
	return view, newSecret()
}

// EnterUserCode looks up the user code a user typed (one counted entry,
// one read) and starts a pending request for it, bound to the browser's
// CSRF cookie; the user goes on to sign in, or to approve at once when
// already signed in. A wrong code shows the form again.
func (s *Service) EnterUserCode(ctx context.Context, e DeviceEntry) (Next, *DeviceView, error) {
	form := &DeviceView{UserCode: e.UserCode}
	code, ok := NormalizeUserCode(e.UserCode)
	switch {
	case !wellFormedSecret(e.CSRF):
		form.Error = msgMissingCookie
		return Next{}, form, nil
	case !ok:
		form.Error = msgBadUserCode
		return Next{}, form, nil
	}
	if msg, err := s.reserveDeviceEntry(ctx, e.IP); msg != "" || err != nil {
		form.Error = msg
		return Next{}, form, err
	}
	g, err := s.store.GetDeviceByUserCode(ctx, s.userCodeHash(code))
	switch {
	case notFound(err) || (err == nil && !s.now().Before(g.ExpiresAt)):
		s.audit(ctx, slog.LevelWarn, "user_code_refused", slog.String("outcome", "unknown_or_expired"))
		form.Error = msgBadUserCode
		return Next{}, form, nil
	case err != nil:
		return Next{}, nil, storeError(err)
	}
	next, err := s.askDevice(ctx, g, e)
	return next, nil, err
}

// reserveDeviceEntry counts one entry of source, or says why it may not.
func (s *Service) reserveDeviceEntry(ctx context.Context, source string) (string, error) {
	end := s.now().Truncate(signInWindow).Add(signInWindow).UTC()
	a := LoginAttempt{User: deviceEntryCounter, Source: attemptSource(source), WindowEnd: end}
	_, err := s.store.ReserveLoginAttempt(ctx, a, deviceEntryLimit)
	switch {
	case errors.Is(err, ErrConflict):
		s.audit(ctx, slog.LevelWarn, "user_code_limited", slog.String("source", a.Source), slog.String("outcome", "limit_reached"))
		return msgTooManyCodes, nil
	case err != nil:
		return "", storeError(err)
	}
	return "", nil
}

// askDevice stores the pending request of a device grant and sends the
// user to sign in, or straight to the approval when signed in already.
func (s *Service) askDevice(ctx context.Context, g DeviceGrant, e DeviceEntry) (Next, error) {
	now := s.now()
	id := newSecret()
	req := AuthRequest{
		Hash: HashToken(id), ClientID: g.ClientID, ClientName: g.ClientName, Scopes: g.Scopes, Resources: g.Resources,
		CSRFHash: HashToken(e.CSRF), DeviceHash: g.Hash, CreatedAt: now, ExpiresAt: earlier(g.ExpiresAt, now.Add(AuthRequestTTL)),
	}
	if err := s.store.CreateAuthRequest(ctx, req); err != nil {
		return Next{}, storeError(err)
	}
	login, ended, err := s.liveLogin(ctx, e.LoginCookie)
	if err != nil {
		return Next{}, err
	}
	if login == nil {
		return Next{Page: PageLogin, RequestID: id, EndLogin: ended}, nil
	}
	return Next{Page: PageDevice, RequestID: id}, nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// DevicePage returns what the approval page of a pending device request
// shows: the client and what it asks for. Without a live login session
// the user is sent to the login page first.
func (s *Service) DevicePage(ctx context.Context, requestID, loginCookie string) (DeviceView, Next, error) {
	req, err := s.getPending(ctx, requestID)
	if err == nil && req.DeviceHash == nil {
		err = errRequestGone()
	}
	if err != nil {
		return DeviceView{}, Next{}, err
	}
	login, ended, err := s.liveLogin(ctx, loginCookie)
	switch {
	case err != nil:
		return DeviceView{}, Next{}, err
	case login == nil:
		return DeviceView{}, Next{Page: PageLogin, RequestID: requestID, EndLogin: ended}, nil
	}
	return DeviceView{RequestID: requestID, ClientName: req.ClientName, Username: login.Username, Scopes: req.Scopes}, Next{}, nil
}

// DecideDevice records the user's decision on the approval page (RFC 8628
// §3.3) with one conditional write on the device grant, after reading the
// pending request (its CSRF binding) and the login session.
func (s *Service) DecideDevice(ctx context.Context, d ConsentDecision) (DeviceView, Next, error) {
	if d.Decision != DecisionAllow && d.Decision != DecisionDeny {
		return DeviceView{}, Next{}, oauth.InvalidRequest("decision must be allow or deny")
	}
	req, err := s.pendingFor(ctx, d.RequestID, d.CSRF)
	if err == nil && req.DeviceHash == nil {
		err = errRequestGone()
	}
	if err != nil {
		return DeviceView{}, Next{}, err
	}
	login, ended, err := s.liveLogin(ctx, d.LoginCookie)
	switch {
	case err != nil:
		return DeviceView{}, Next{}, err
	case login == nil:
		return DeviceView{}, Next{Page: PageLogin, RequestID: d.RequestID, EndLogin: ended}, nil
	}
	return s.decideDevice(ctx, req, *login, d.Decision == DecisionAllow)
}

func (s *Service) decideDevice(ctx context.Context, req AuthRequest, login LoginSession, allow bool) (DeviceView, Next, error) {
	dec := DeviceDecision{Status: DeviceDenied, Subject: login.Subject, AuthTime: login.AuthTime, LoginID: login.ID, At: s.now()}
	if allow {
		dec.Status = DeviceApproved
	}
	err := s.store.DecideDevice(ctx, req.DeviceHash, dec)
	switch {
	case errors.Is(err, ErrConflict) || notFound(err):
		return DeviceView{}, Next{}, oauth.InvalidRequest("this code has expired or was already used: start again on your device")
	case err != nil:
		return DeviceView{}, Next{}, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "device_"+dec.Status, slog.String("client_id", req.ClientID), slog.String("sub", login.Subject),
		slog.String("login_id", login.ID), slog.String("outcome", dec.Status))
	return DeviceView{Done: true, Allowed: allow, ClientName: req.ClientName, Username: login.Username}, Next{}, nil
}
