package tokens

import (
	"errors"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// The core's one error vocabulary: every public Service method returns an
// *oauth.Error. Store sentinels (ErrNotFound, ErrConflict, ...) stay
// inside the core; what reaches a caller is built here, fresh each time,
// so no caller can change a shared value.

// storeError turns a store failure into the OAuth answer: an error that
// already is an *oauth.Error passes through, anything else is an outage
// (temporarily_unavailable, 503 with Retry-After; invariant 4).
func storeError(err error) error {
	if oauth.As(err) != nil {
		return err
	}
	return oauth.TemporarilyUnavailable(err)
}

// signerError turns a Signer or Verifier failure into the OAuth answer:
// one caused by the store it reads (ErrUnavailable) is an outage, anything
// else (a missing or bad key, a bug) is server_error, which retrying will
// not mend.
func signerError(err error) error {
	if oauth.As(err) != nil || errors.Is(err, ErrUnavailable) {
		return storeError(err)
	}
	return oauth.ServerError(err)
}

// errInactive is every reason a token is not active; the reason is not
// told to the caller (RFC 7662 §2.2).
func errInactive() error {
	return oauth.InvalidToken("the token is invalid, expired or revoked")
}

// isInactive reports whether err is errInactive's answer.
func isInactive(err error) bool {
	e := oauth.As(err)
	return e != nil && e.Code == oauth.CodeInvalidToken && !e.NoCredentials
}

func notFound(err error) bool { return errors.Is(err, ErrNotFound) }

var errNoRefreshKey = errors.New("tokens: no refresh key configured")

// noSuch answers a request for a thing that does not exist or that the
// caller may not see: the two are never told apart.
func noSuch(what string) error { return oauth.NotFound("no such " + what) }

// invalidSettings reports client or user settings an operator must fix.
func invalidSettings(problems ...string) error {
	return oauth.InvalidRequest(strings.Join(problems, "; ")).WithCause(ErrInvalidSettings)
}

// adminStoreError turns a store failure of an operator command into its
// answer: a taken key or a missing item says so; the rest is an outage.
func adminStoreError(err error, what string) error {
	switch {
	case errors.Is(err, ErrAlreadyExists):
		return oauth.InvalidRequest(what + " already exists")
	case notFound(err):
		return noSuch(what)
	}
	return storeError(err)
}
