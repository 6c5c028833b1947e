package tokens

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Device authorization (RFC 8628, docs/design.md §10): codes live ten
// minutes, a client polls every five seconds, five more after each
// slow_down. A device code has 256 random bits and is stored as SHA-256;
// a user code has eight letters of a 20-letter alphabet without vowels or
// look-alikes (34.6 bits, RFC 8628 §6.1), shown XXXX-XXXX, and is stored
// as an HMAC under the identifier key, since a plain hash of so few bits
// is undone by trying them all.
const (
	DeviceCodeTTL      = 10 * time.Minute
	DeviceInterval     = 5 * time.Second
	DeviceSlowDown     = 5 * time.Second
	DeviceCodePrefix   = "lk_dc_"
	UserCodeAlphabet   = "BCDFGHJKLMNPQRSTVWXZ"
	userCodeLen        = 8
	maxDeviceCodeLen   = 128
	deviceCreateTries  = 3
	pathDeviceVerifier = "/oauth2/device"
)

// deviceKeep is how long a device grant's item outlives its expiry, so
// that a late poll is answered expired_token rather than invalid_grant.
const deviceKeep = time.Hour

// Statuses of a device grant.
const (
	DevicePending  = "pending"
	DeviceApproved = "approved"
	DeviceDenied   = "denied"
	DeviceUsed     = "used"
)

// DeviceGrant is a device authorization as stored (RFC 8628 §3.2): what
// the client asked for, what the user decided, and the polling state.
type DeviceGrant struct {
	// Hash is SHA-256 of the device code; UserCodeHash the HMAC of the
	// normalised user code (userCodeHash).
	Hash         []byte
	UserCodeHash []byte
	ClientID     string
	ClientName   string
	Scopes       []string
	Resources    []string
	Status       string
	// Subject, AuthTime and LoginID name who approved, from which login.
	Subject  string
	AuthTime time.Time
	LoginID  string
	// Interval is the minimum time between polls; NextPollAt the
	// earliest time of the next one.
	Interval   time.Duration
	NextPollAt time.Time
	CreatedAt  time.Time
	ExpiresAt  time.Time
	DecidedAt  time.Time
	// SessionID is the session the tokens live in, set when they are issued.
	SessionID string
}

// KeepUntil is when the grant's item goes (its ttl).
func (g DeviceGrant) KeepUntil() time.Time { return g.ExpiresAt.Add(deviceKeep) }

// DeviceDecision is what DecideDevice writes on a pending grant.
type DeviceDecision struct {
	Status   string
	Subject  string
	AuthTime time.Time
	LoginID  string
	At       time.Time
}

// DeviceAuthorizationRequest is a device authorization request (RFC 8628
// §3.1), decoded from the wire.
type DeviceAuthorizationRequest struct {
	Client    ClientAuth
	Scope     string
	Resources []string
}

// DeviceAuthorization implements the device authorization endpoint (RFC
// 8628 §3.1, §3.2): an authenticated or public client allowed the device
// grant gets a device code to poll with and a user code to show. One
// write (both items in one transaction), the client read aside.
func (s *Service) DeviceAuthorization(ctx context.Context, r DeviceAuthorizationRequest) (oauth.DeviceAuthorizationResponse, error) {
	c, err := s.AuthenticateClient(ctx, r.Client)
	if err != nil {
		return oauth.DeviceAuthorizationResponse{}, err
	}
	if !c.AllowsGrant(oauth.GrantDeviceCode) {
		return oauth.DeviceAuthorizationResponse{}, oauth.UnauthorizedClient("the client may not use the device_code grant")
	}
	g := DeviceGrant{ClientID: c.ID, ClientName: c.Name, Status: DevicePending, Interval: DeviceInterval}
	if g.Scopes, err = grantedScopes(r.Scope, c.offlineScopes()); err != nil {
		return oauth.DeviceAuthorizationResponse{}, err
	}
	if g.Resources, err = c.ResolveResources(r.Resources); err != nil {
		return oauth.DeviceAuthorizationResponse{}, err
	}
	deviceCode, userCode, err := s.createDeviceGrant(ctx, g)
	if err != nil {
		return oauth.DeviceAuthorizationResponse{}, err
	}
	s.audit(ctx, slog.LevelInfo, "device_authorization_issued", slog.String("client_id", c.ID), slog.String("outcome", "ok"))
	verify := s.Issuer(ctx) + pathDeviceVerifier
	return oauth.DeviceAuthorizationResponse{
		DeviceCode: deviceCode, UserCode: userCode, VerificationURI: verify,
		VerificationURIComplete: verify + "?" + url.Values{oauth.ParamUserCode: {userCode}}.Encode(),
		ExpiresIn:               int(DeviceCodeTTL / time.Second), Interval: int(DeviceInterval / time.Second),
	}, nil
}

// createDeviceGrant stores g with new codes, trying new ones when a user
// code is taken (one chance in 2.5·10¹⁰ per live grant).
func (s *Service) createDeviceGrant(ctx context.Context, g DeviceGrant) (deviceCode, userCode string, err error) {
	now := s.now()
	g.CreatedAt, g.NextPollAt, g.ExpiresAt = now, now, now.Add(DeviceCodeTTL)
	for range deviceCreateTries {
		deviceCode, userCode = DeviceCodePrefix+newSecret(), newUserCode()
		g.Hash, g.UserCodeHash = HashToken(deviceCode), s.userCodeHash(userCode)
		err = s.store.CreateDeviceGrant(ctx, g)
		if !errors.Is(err, ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return "", "", storeError(err)
	}
	return deviceCode, userCode, nil
}

// newUserCode returns eight random letters of UserCodeAlphabet, shown
// XXXX-XXXX. Bytes of 240 and above are drawn again, so every letter is
// equally likely.
func newUserCode() string {
	var b strings.Builder
	for b.Len() < userCodeLen+1 {
		for _, r := range randomBytes(16) {
			if r >= 240 || b.Len() == userCodeLen+1 {
				continue
			}
			if b.Len() == userCodeLen/2 {
				b.WriteByte('-')
			}
			b.WriteByte(UserCodeAlphabet[int(r)%len(UserCodeAlphabet)])
		}
	}
	return b.String()
}

// NormalizeUserCode returns a user code as typed in canonical form
// (upper case, without dashes or spaces), and whether it can be one
// (RFC 8628 §6.1: case- and punctuation-insensitive entry).
func NormalizeUserCode(typed string) (string, bool) {
	if len(typed) > 32 {
		return "", false
	}
	code := strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(typed)))
	if len(code) != userCodeLen || strings.Trim(code, UserCodeAlphabet) != "" {
		return "", false
	}
	return code, true
}

// userCodeHash is the HMAC of a user code under the identifier key.
func (s *Service) userCodeHash(userCode string) []byte {
	code, _ := NormalizeUserCode(userCode)
	m := hmac.New(sha256.New, s.identKey)
	m.Write([]byte("user code\x00" + code))
	return m.Sum(nil)
}
