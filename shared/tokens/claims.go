package tokens

import "time"

// AccessClaims are the claims of an access token in the RFC 9068 profile.
type AccessClaims struct {
	Issuer    string
	Subject   string
	Audience  []string
	ExpiresAt time.Time
	IssuedAt  time.Time
	JTI       string
	ClientID  string
	Scope     []string
	// SessionID and AuthTime are set when the token belongs to a session.
	SessionID string
	AuthTime  time.Time
}
