package tokens

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// AuthRequestTTL is how long a pending authorization request waits for
// the user to sign in and consent (docs/design.md §10).
const AuthRequestTTL = 10 * time.Minute

// Bounds on what an authorization request may carry into the table and
// back into a redirect URI.
const (
	maxStateLen     = 1024
	maxNonceLen     = 512
	maxLoginHintLen = maxUsernameLen
)

// AuthorizationRequest is an authorization request (RFC 6749 §4.1.1,
// OpenID Connect Core §3.1.2.1) as the browser sent it, with the
// browser's cookies. Nothing in it is trusted yet.
type AuthorizationRequest struct {
	ClientID            string
	RedirectURI         string
	ResponseType        string
	ResponseMode        string
	Scope               string
	State               string
	CodeChallenge       string
	CodeChallengeMethod string
	Nonce               string
	Prompt              string
	MaxAge              string
	LoginHint           string
	// Resources are the resource parameters (RFC 8707 §2), which alone
	// may repeat.
	Resources []string
	// Request and RequestURI are OpenID request objects (Core §6), which
	// Latchkey does not support.
	Request    string
	RequestURI string
	// LoginCookie and CSRFCookie are the values of the browser's login
	// session and CSRF cookies, empty when it sent none.
	LoginCookie string
	CSRFCookie  string
}

// AuthRequest is a pending authorization request as stored while the user
// signs in and consents: everything the code will be bound to, under the
// SHA-256 of the request id the login form carries (docs/design.md §10). The
// form references it; it never carries its values.
type AuthRequest struct {
	Hash          []byte
	ClientID      string
	ClientName    string
	FirstParty    bool
	RedirectURI   string
	State         string
	Scopes        []string
	Resources     []string
	Nonce         string
	CodeChallenge string
	LoginHint     string
	// ForceConsent is prompt=consent: ask even when consent is remembered.
	ForceConsent bool
	// CSRFHash is SHA-256 of the browser's CSRF cookie: only the browser
	// that started the request may post its forms.
	CSRFHash []byte
	// DeviceHash names the device authorization (DeviceGrant.Hash) whose
	// user code the user entered: the request ends on the verification
	// page, not at a redirect URI (RFC 8628 §3.3).
	DeviceHash []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// authParams are an authorization request's parameters once checked.
type authParams struct {
	scopes    []string
	resources []string
	nonce     string
	challenge string
	loginHint string
	prompt    prompts
	// maxAge is the max_age in seconds, or -1 when none was sent.
	maxAge int
}

// prompts are the values of the prompt parameter (OpenID Connect Core
// §3.1.2.1). select_account is served as login: there is no account
// chooser, but the form lets the user sign in as someone else.
type prompts struct{ none, login, consent bool }

// checkAuthorization validates the parameters of a request whose client
// and redirect URI are already known good, in the order of RFC 6749
// §4.1.2.1: every error it returns is sent back to the redirect URI.
func checkAuthorization(c Client, r AuthorizationRequest) (authParams, error) {
	if err := checkResponse(c, r); err != nil {
		return authParams{}, err
	}
	if err := checkPKCE(r.CodeChallenge, r.CodeChallengeMethod); err != nil {
		return authParams{}, err
	}
	p := authParams{challenge: r.CodeChallenge, nonce: r.Nonce, loginHint: r.LoginHint, maxAge: -1}
	var err error
	if p.scopes, err = grantedScopes(r.Scope, c.offlineScopes()); err != nil {
		return authParams{}, err
	}
	if p.resources, err = c.ResolveResources(r.Resources); err != nil {
		return authParams{}, err
	}
	if p.prompt, err = parsePrompt(r.Prompt); err != nil {
		return authParams{}, err
	}
	if p.maxAge, err = parseMaxAge(r.MaxAge); err != nil {
		return authParams{}, err
	}
	return p, checkLengths(r)
}

// checkResponse checks what is asked for: an authorization code in the
// query (RFC 6749 §4.1.1), by a client allowed that grant.
func checkResponse(c Client, r AuthorizationRequest) error {
	switch {
	case r.Request != "":
		return oauth.RequestNotSupported("request objects are not supported")
	case r.RequestURI != "":
		return oauth.RequestURINotSupported("request_uri is not supported")
	case r.ResponseType == "":
		return oauth.InvalidRequest("response_type is required")
	case r.ResponseType != oauth.ResponseTypeCode:
		return oauth.UnsupportedResponseType("only response_type=code is supported")
	case r.ResponseMode != "" && r.ResponseMode != oauth.ResponseModeQuery:
		return oauth.InvalidRequest("only response_mode=query is supported")
	case !c.AllowsGrant(oauth.GrantAuthorizationCode):
		return oauth.UnauthorizedClient("the client may not use the authorization_code grant")
	}
	return nil
}

// checkPKCE requires a code challenge with method S256 from every client,
// public and confidential (RFC 9700 §2.1.1); plain and a missing method,
// which RFC 7636 §4.3 reads as plain, are refused.
func checkPKCE(challenge, method string) error {
	switch {
	case challenge == "":
		return oauth.InvalidRequest("code_challenge is required (PKCE, RFC 7636)")
	case method != oauth.ChallengeMethodS256:
		return oauth.InvalidRequest("code_challenge_method must be S256")
	case len(challenge) != 43 || !pkceChars(challenge):
		return oauth.InvalidRequest("code_challenge must be the base64url SHA-256 of the code verifier (43 characters)")
	}
	return nil
}

// pkceChars reports whether s uses only the unreserved characters of
// RFC 7636 §4.1: A-Z a-z 0-9 - . _ ~.
func pkceChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return false
		}
	}
	return true
}

// parsePrompt reads the prompt parameter; none may not be combined with
// any other value (OpenID Connect Core §3.1.2.1).
func parsePrompt(v string) (prompts, error) {
	var p prompts
	values := strings.Fields(v)
	for _, f := range values {
		switch f {
		case oauth.PromptNone:
			p.none = true
		case oauth.PromptLogin, oauth.PromptSelectAccount:
			p.login = true
		case oauth.PromptConsent:
			p.consent = true
		default:
			return prompts{}, oauth.InvalidRequest("prompt must be none, login, consent or select_account")
		}
	}
	if p.none && len(values) > 1 {
		return prompts{}, oauth.InvalidRequest("prompt=none cannot be combined with other values")
	}
	return p, nil
}

// parseMaxAge reads max_age, a number of seconds, or -1 when absent.
func parseMaxAge(v string) (int, error) {
	if v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || len(v) > 10 {
		return 0, oauth.InvalidRequest("max_age must be a non-negative number of seconds")
	}
	return n, nil
}

func checkLengths(r AuthorizationRequest) error {
	switch {
	case len(r.Nonce) > maxNonceLen:
		return oauth.InvalidRequest("nonce is longer than 512 characters")
	case len(r.LoginHint) > maxLoginHintLen:
		return oauth.InvalidRequest("login_hint is longer than 256 characters")
	}
	return nil
}

// pendingRequest is the stored form of a checked request for c.
func pendingRequest(c Client, r AuthorizationRequest, p authParams, now time.Time) AuthRequest {
	return AuthRequest{
		ClientID: c.ID, ClientName: c.Name, FirstParty: c.FirstParty, RedirectURI: r.RedirectURI,
		State: r.State, Scopes: slices.Clone(p.scopes), Resources: slices.Clone(p.resources), Nonce: p.nonce,
		CodeChallenge: p.challenge, LoginHint: p.loginHint, ForceConsent: p.prompt.consent,
		CreatedAt: now, ExpiresAt: now.Add(AuthRequestTTL),
	}
}
