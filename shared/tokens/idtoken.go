package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ScopeOpenID asks for an ID token (OpenID Connect Core §3.1.2.1).
const ScopeOpenID = "openid"

// IDClaims are the claims of an OpenID Connect ID token (Core §2).
type IDClaims struct {
	Issuer   string
	Subject  string
	Audience []string
	// AuthorizedParty (azp) is the client the token was issued to; set
	// when the audience is not that client alone (Core §2).
	AuthorizedParty string
	ExpiresAt       time.Time
	IssuedAt        time.Time
	// AuthTime is when the user authenticated (Core §2, auth_time).
	AuthTime time.Time
	// Nonce is the authorization request's nonce, echoed (Core §3.1.3.7).
	Nonce string
	// AccessTokenHash is at_hash (Core §3.1.3.6); SessionID is sid
	// (Front-Channel Logout 1.0 §3, RP-Initiated Logout).
	AccessTokenHash string
	SessionID       string
	// Claims are user claims the ID token carries besides the registered
	// ones; a name Latchkey sets itself is never taken from here.
	Claims map[string]any
}

// IDTokenSigner signs ID tokens with the current key of an algorithm
// (AlgRS256 or AlgES256) under typ JWT. The signer the Service is given
// implements it when the deployment issues ID tokens.
type IDTokenSigner interface {
	SignIDToken(ctx context.Context, alg string, c IDClaims) (string, error)
}

var errNoIDSigner = errors.New("tokens: the signer cannot sign ID tokens")

// IDTokenRequest is what one ID token is issued for.
type IDTokenRequest struct {
	Client   Client
	Subject  string
	AuthTime time.Time
	Nonce    string
	// SessionID is sid: the session (or login session) the token belongs to.
	SessionID string
	// AccessToken, when one is issued with the ID token, gives at_hash.
	AccessToken string
	// Claims are the user's claims the ID token may carry; only those
	// Scopes allow are used (ClaimsForScopes).
	Claims map[string]any
	Scopes []string
}

// wantsIDToken reports whether scopes ask for an ID token.
func wantsIDToken(scopes []string) bool { return slices.Contains(scopes, ScopeOpenID) }

// idToken builds and signs an ID token (OpenID Connect Core §2, §3.1.3.3)
// for r. It is the one place ID tokens are made: the authorization_code
// grant calls it when the scopes hold openid, and so does a refresh of a
// session that holds openid (Core §12.2). Its lifetime is the client's
// access token lifetime; aud is the client alone, so azp is not needed.
func (s *Service) idToken(ctx context.Context, r IDTokenRequest) (string, error) {
	signer, ok := s.signer.(IDTokenSigner)
	if !ok {
		return "", oauth.ServerError(errNoIDSigner)
	}
	now := s.now().Truncate(time.Second)
	c := IDClaims{
		Issuer: s.Issuer(ctx), Subject: r.Subject, Audience: []string{r.Client.ID},
		IssuedAt: now, ExpiresAt: now.Add(s.accessTTL(r.Client)), AuthTime: r.AuthTime.Truncate(time.Second),
		Nonce: r.Nonce, SessionID: r.SessionID, AccessTokenHash: AccessTokenHash(r.AccessToken),
		Claims: ClaimsForScopes(r.Claims, r.Scopes),
	}
	token, err := signer.SignIDToken(ctx, orDefault(r.Client.IDTokenAlg, AlgRS256), c)
	if err != nil {
		return "", signerError(err)
	}
	return token, nil
}

// AccessTokenHash is at_hash (OpenID Connect Core §3.1.3.6): the base64url
// encoding of the left half of the SHA-256 of the access token, SHA-256
// being the hash of both RS256 and ES256. It is "" when there is no token.
func AccessTokenHash(accessToken string) string {
	if accessToken == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:sha256.Size/2])
}

// withIDToken adds an ID token for r to resp when r.Scopes hold openid,
// bound to resp's access token by at_hash.
func (s *Service) withIDToken(ctx context.Context, resp oauth.TokenResponse, r IDTokenRequest) (oauth.TokenResponse, error) {
	if !wantsIDToken(r.Scopes) {
		return resp, nil
	}
	r.AccessToken = resp.AccessToken
	token, err := s.idToken(ctx, r)
	if err != nil {
		return oauth.TokenResponse{}, err
	}
	resp.IDToken = token
	return resp, nil
}

// sessionIDToken is the ID token request of a session's tokens: sid is
// the login session it came from, or the session itself when there is
// none (the password grant), the same through every refresh.
func sessionIDToken(c Client, sess Session, scopes []string) IDTokenRequest {
	sid := sess.LoginID
	if sid == "" {
		sid = sess.ID
	}
	return IDTokenRequest{
		Client: c, Subject: sess.Subject, AuthTime: sess.AuthTime, SessionID: sid,
		Claims: sess.Claims, Scopes: scopes,
	}
}

// userClaims returns the claims of the user with subject when the scopes
// or the client ask for any: one read of the user's subject item. Nothing
// is read otherwise, and a user whose claims were never set has none.
func (s *Service) userClaims(ctx context.Context, c Client, subject string, scopes []string) (map[string]any, error) {
	if len(c.AccessTokenClaims) == 0 && !asksForClaims(scopes) {
		return nil, nil
	}
	u, err := s.store.GetUserBySubject(ctx, subject)
	if notFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	return u.Claims, nil
}
