package lkclient

import (
	"errors"
	"fmt"
)

// ErrSignInRequired is what every [*SignInRequiredError] matches with
// errors.Is: the stored grant is gone (revoked, expired, reused outside
// the grace window, or never stored) and only a new sign-in helps.
var ErrSignInRequired = errors.New("lkclient: sign-in required")

// ErrNoToken is what a [Store] answers when it holds no token yet.
var ErrNoToken = errors.New("lkclient: no stored token")

// SignInRequiredError reports that the refresh token was refused with
// invalid_grant (RFC 6749 §5.2), or that there is none: retrying cannot
// help, the user must sign in again (with [DeviceSignIn], say).
type SignInRequiredError struct {
	// Code is the OAuth error code the server answered, empty when no
	// request was made (no stored token).
	Code string
	// Description is the server's error_description, or why no request
	// was made.
	Description string
	// Err is the underlying error: an *oauth2.RetrieveError, or
	// ErrNoToken.
	Err error
}

// Error describes the refusal.
func (e *SignInRequiredError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("lkclient: sign-in required: %s", e.Description)
	}
	return fmt.Sprintf("lkclient: sign-in required: %s: %s", e.Code, e.Description)
}

// Is makes errors.Is(err, ErrSignInRequired) true.
func (e *SignInRequiredError) Is(target error) bool { return target == ErrSignInRequired }

// Unwrap returns the underlying error.
func (e *SignInRequiredError) Unwrap() error { return e.Err }

// PersistError reports that a rotated token could not be saved. The new
// access token is not handed out: the process might stop before the
// refresh token reaches the store, and the next process would present a
// spent one. The source keeps the rotated token in memory and tries the
// store again on the next call, without another refresh request.
type PersistError struct{ Err error }

// Error describes the failure.
func (e *PersistError) Error() string { return "lkclient: saving the rotated token: " + e.Err.Error() }

// Unwrap returns the store's error.
func (e *PersistError) Unwrap() error { return e.Err }
