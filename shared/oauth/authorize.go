package oauth

// The words of the authorization endpoint (RFC 6749 §4.1), PKCE
// (RFC 7636), the iss response parameter (RFC 9207) and the OpenID
// Connect parameters and errors the browser flow uses (OpenID Connect
// Core 1.0 §3.1.2), and of RP-initiated logout (OpenID Connect
// RP-Initiated Logout 1.0 §2).

// Authorization request and response parameters.
const (
	ParamResponseType          = "response_type"
	ParamResponseMode          = "response_mode"
	ParamRedirectURI           = "redirect_uri"
	ParamState                 = "state"
	ParamCode                  = "code"
	ParamCodeChallenge         = "code_challenge"
	ParamCodeChallengeMethod   = "code_challenge_method"
	ParamCodeVerifier          = "code_verifier"
	ParamNonce                 = "nonce"
	ParamPrompt                = "prompt"
	ParamMaxAge                = "max_age"
	ParamLoginHint             = "login_hint"
	ParamRequest               = "request"
	ParamRequestURI            = "request_uri"
	ParamIssuer                = "iss"
	ParamError                 = "error"
	ParamErrorDescription      = "error_description"
	ParamIDTokenHint           = "id_token_hint"
	ParamPostLogoutRedirectURI = "post_logout_redirect_uri"
)

// Values of the authorization request.
const (
	ResponseTypeCode    = "code"
	ResponseModeQuery   = "query"
	ChallengeMethodS256 = "S256"
	PromptNone          = "none"
	PromptLogin         = "login"
	PromptConsent       = "consent"
	PromptSelectAccount = "select_account"
)

// Error codes of the authorization endpoint (RFC 6749 §4.1.2.1) and of
// OpenID Connect Core §3.1.2.6.
const (
	CodeAccessDenied            = "access_denied"
	CodeUnsupportedResponseType = "unsupported_response_type"
	CodeLoginRequired           = "login_required"
	CodeConsentRequired         = "consent_required"
	CodeInteractionRequired     = "interaction_required"
	CodeRequestNotSupported     = "request_not_supported"
	CodeRequestURINotSupported  = "request_uri_not_supported"
)

// AccessDenied reports that the user (or the server) refused the request.
func AccessDenied(description string) *Error { return newError(CodeAccessDenied, description) }

// UnsupportedResponseType reports a response_type other than code.
func UnsupportedResponseType(description string) *Error {
	return newError(CodeUnsupportedResponseType, description)
}

// LoginRequired answers prompt=none when the user is not signed in.
func LoginRequired(description string) *Error { return newError(CodeLoginRequired, description) }

// ConsentRequired answers prompt=none when the user has not consented.
func ConsentRequired(description string) *Error { return newError(CodeConsentRequired, description) }

// RequestNotSupported answers a request object (OpenID Connect Core §6).
func RequestNotSupported(description string) *Error {
	return newError(CodeRequestNotSupported, description)
}

// RequestURINotSupported answers a request_uri (OpenID Connect Core §6).
func RequestURINotSupported(description string) *Error {
	return newError(CodeRequestURINotSupported, description)
}
