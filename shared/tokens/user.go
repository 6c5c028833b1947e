package tokens

import "time"

// User is a resource owner who signs in with a password.
type User struct {
	Username string
	// Subject is the stable id used as the tokens' sub claim.
	Subject      string
	PasswordHash string
	// Claims are the user's claims (OpenID Connect Core §5.1 and any
	// others, such as groups): JSON values, served by userinfo and copied
	// into tokens as the scopes and the client allow.
	Claims       map[string]any
	FailedLogins int
	LastFailedAt time.Time
	Disabled     bool
	CreatedAt    time.Time
}

// maxUsernameLen bounds usernames, in bytes.
const maxUsernameLen = 256
