package oauth

import (
	"errors"
	"time"
)

// Error codes of RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1,
// RFC 8693 and RFC 8707 §2. The HTTP layer maps each code to one status.
const (
	CodeInvalidRequest         = "invalid_request"
	CodeInvalidClient          = "invalid_client"
	CodeInvalidGrant           = "invalid_grant"
	CodeUnauthorizedClient     = "unauthorized_client"
	CodeUnsupportedGrantType   = "unsupported_grant_type"
	CodeInvalidScope           = "invalid_scope"
	CodeInvalidToken           = "invalid_token"
	CodeInsufficientScope      = "insufficient_scope"
	CodeUnsupportedTokenType   = "unsupported_token_type"
	CodeInvalidTarget          = "invalid_target"
	CodeServerError            = "server_error"
	CodeTemporarilyUnavailable = "temporarily_unavailable"
	// CodeMethodNotAllowed and CodeNotFound are not OAuth codes; they
	// answer requests that reach no endpoint at all.
	CodeMethodNotAllowed = "method_not_allowed"
	CodeNotFound         = "not_found"
)

// Error is an OAuth error response (RFC 6749 §5.2). Description is shown
// to the caller; the cause, if any, is kept for logs and never shown.
type Error struct {
	Code        string
	Description string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
	// NoCredentials marks a request that sent no credentials at all: its
	// challenge carries no error code (RFC 6750 §3.1).
	NoCredentials bool
	cause         error
}

// Error returns the code and description, and the cause when there is one.
func (e *Error) Error() string {
	s := e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.cause }

// WithCause returns a copy of e that carries cause for logging.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func newError(code, description string) *Error {
	return &Error{Code: code, Description: description}
}

// InvalidRequest reports a missing, repeated or malformed parameter.
func InvalidRequest(description string) *Error { return newError(CodeInvalidRequest, description) }

// InvalidClient reports failed client authentication. Every cause gets
// the same description so that the answer never tells whether the client
// exists (docs/design.md §7.7).
func InvalidClient() *Error {
	return newError(CodeInvalidClient, "client authentication failed")
}

// InvalidGrant reports a bad, expired or revoked grant or refresh token.
func InvalidGrant(description string) *Error { return newError(CodeInvalidGrant, description) }

// UnauthorizedClient reports a client that may not use the grant.
func UnauthorizedClient(description string) *Error {
	return newError(CodeUnauthorizedClient, description)
}

// UnsupportedGrantType reports a grant type the server does not know.
func UnsupportedGrantType(description string) *Error {
	return newError(CodeUnsupportedGrantType, description)
}

// InvalidScope reports a scope that is unknown or wider than allowed.
func InvalidScope(description string) *Error { return newError(CodeInvalidScope, description) }

// InvalidToken reports a missing, bad or expired bearer token (RFC 6750 §3.1).
func InvalidToken(description string) *Error { return newError(CodeInvalidToken, description) }

// BearerRequired answers a request without a bearer token (RFC 6750 §3.1).
func BearerRequired() *Error {
	e := newError(CodeInvalidToken, "a bearer token is required")
	e.NoCredentials = true
	return e
}

// InsufficientScope reports a bearer token without the needed scope (RFC 6750 §3.1).
func InsufficientScope(description string) *Error {
	return newError(CodeInsufficientScope, description)
}

// UnsupportedTokenType reports a token type the server cannot revoke (RFC 7009 §2.2.1).
func UnsupportedTokenType(description string) *Error {
	return newError(CodeUnsupportedTokenType, description)
}

// InvalidTarget reports a resource indicator that is malformed or that
// the client may not ask for (RFC 8707 §2).
func InvalidTarget(description string) *Error { return newError(CodeInvalidTarget, description) }

// ServerError reports an unexpected failure; the cause is logged, never shown.
func ServerError(cause error) *Error {
	return newError(CodeServerError, "the server failed to handle the request").WithCause(cause)
}

// TemporarilyUnavailable reports a failure of the storage layer. The
// client may retry after the given delay.
func TemporarilyUnavailable(cause error) *Error {
	e := newError(CodeTemporarilyUnavailable, "the service is temporarily unavailable, retry later").WithCause(cause)
	e.RetryAfter = time.Second
	return e
}

// MethodNotAllowed answers a known path called with the wrong method.
func MethodNotAllowed(description string) *Error {
	return newError(CodeMethodNotAllowed, description)
}

// NotFound answers a path that no endpoint serves.
func NotFound(description string) *Error { return newError(CodeNotFound, description) }
