package tokens

import (
	"context"
	"errors"
	"log/slog"

	"github.com/latchkey/latchkey/shared/oauth"
)

const badDeviceCode = "the device code is invalid, already used or was issued to another client"

// deviceToken answers a device access token request (RFC 8628 §3.4,
// §3.5). Each poll is one conditional write that returns the grant, and
// no read: authorization_pending while the user has not decided,
// slow_down (and five seconds more to wait, a second write) when it
// comes before the interval has passed, access_denied, expired_token, or,
// once approved, the tokens, once: a second conditional write marks the
// grant used before they are issued.
func (s *Service) deviceToken(ctx context.Context, c Client, r TokenRequest) (oauth.TokenResponse, error) {
	switch {
	case r.DeviceCode == "":
		return oauth.TokenResponse{}, oauth.InvalidRequest("device_code is required")
	case len(r.DeviceCode) > maxDeviceCodeLen:
		return oauth.TokenResponse{}, s.deviceFailed(ctx, c, "malformed")
	}
	now := s.now()
	hash := HashToken(r.DeviceCode)
	g, err := s.store.PollDevice(ctx, hash, c.ID, now, DeviceSlowDown)
	early := errors.Is(err, ErrConflict)
	switch {
	case notFound(err):
		return oauth.TokenResponse{}, s.deviceFailed(ctx, c, "unknown")
	case err != nil && !early:
		return oauth.TokenResponse{}, storeError(err)
	case g.ClientID != c.ID:
		return oauth.TokenResponse{}, s.deviceFailed(ctx, c, "other_client")
	}
	return s.devicePolled(ctx, c, g, r, early)
}

// devicePolled answers a recorded poll from the grant's state.
func (s *Service) devicePolled(ctx context.Context, c Client, g DeviceGrant, r TokenRequest, early bool) (oauth.TokenResponse, error) {
	now := s.now()
	switch {
	case g.Status == DeviceUsed:
		return oauth.TokenResponse{}, s.deviceFailed(ctx, c, "already_used")
	case !now.Before(g.ExpiresAt):
		return oauth.TokenResponse{}, oauth.ExpiredToken("the device code has expired: start again")
	case g.Status == DeviceDenied:
		return oauth.TokenResponse{}, oauth.AccessDenied("the user denied the request")
	case g.Status == DeviceApproved:
		return s.redeemDevice(ctx, c, g, r)
	case early:
		return oauth.TokenResponse{}, oauth.SlowDown("polling too often: wait the interval, five seconds longer from now on")
	}
	return oauth.TokenResponse{}, oauth.AuthorizationPending("the user has not approved the request yet")
}

// redeemDevice marks an approved grant used, then issues its tokens as a
// redeemed authorization code's are: a new session whose auth_time is the
// user's login, a refresh token when offline_access was granted.
func (s *Service) redeemDevice(ctx context.Context, c Client, g DeviceGrant, r TokenRequest) (oauth.TokenResponse, error) {
	sid := NewID()
	g, err := s.store.RedeemDevice(ctx, g.Hash, sid, s.now())
	switch {
	case errors.Is(err, ErrConflict) && g.SessionID == sid:
		// This very write had landed: the SDK retried it after a lost answer.
	case errors.Is(err, ErrConflict) || notFound(err):
		return oauth.TokenResponse{}, s.deviceFailed(ctx, c, "already_used")
	case err != nil:
		return oauth.TokenResponse{}, storeError(err)
	}
	code := AuthCode{
		ClientID: g.ClientID, Subject: g.Subject, Scopes: g.Scopes, Resources: g.Resources,
		AuthTime: g.AuthTime, LoginID: g.LoginID, SessionID: sid,
	}
	return s.codeTokens(ctx, c, code, r, s.now())
}

func (s *Service) deviceFailed(ctx context.Context, c Client, reason string) error {
	s.audit(ctx, slog.LevelWarn, "device_code_refused", slog.String("client_id", c.ID), slog.String("outcome", reason))
	return oauth.InvalidGrant(badDeviceCode)
}
