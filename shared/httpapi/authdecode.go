package httpapi

import (
	"net/http"
	"net/url"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// maxQueryBytes bounds an authorization request's query string; browsers
// and API Gateway cap URLs near this size anyway.
const maxQueryBytes = 8 << 10

// paramRequestID names the pending request in the login and consent
// pages' URLs and forms.
const paramRequestID = "request"

// Parameters of the login and consent forms (keep these names: docs and
// automated checks rely on them).
const (
	paramDecision = "decision"
)

// authorizeParams reads an authorization request from the query of a GET
// or the form body of a POST (OpenID Connect Core §3.1.2.1: both).
func authorizeParams(r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return parseAuthorizeQuery(r.URL.RawQuery)
	}
	if mediaType(r) != contentTypeForm {
		return nil, oauth.InvalidRequest("the content type must be " + contentTypeForm)
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return parseAuthorizeQuery(string(body))
}

// parseAuthorizeQuery decodes the parameters of an authorization request.
// A parameter sent twice is an error (RFC 6749 §3.1), except resource,
// which may repeat (RFC 8707 §2).
func parseAuthorizeQuery(raw string) (url.Values, error) {
	if len(raw) > maxQueryBytes {
		return nil, oauth.InvalidRequest("the request is longer than 8 KiB")
	}
	v, err := url.ParseQuery(raw)
	if err != nil {
		return nil, oauth.InvalidRequest("the request's parameters are malformed")
	}
	for k, vs := range v {
		if len(vs) > 1 && k != oauth.ParamResource {
			return nil, oauth.InvalidRequest("the parameter " + k + " is repeated")
		}
	}
	return v, nil
}

// authorizationRequest is the core's view of the decoded parameters.
func authorizationRequest(v url.Values) tokens.AuthorizationRequest {
	return tokens.AuthorizationRequest{
		ClientID: v.Get(oauth.ParamClientID), RedirectURI: v.Get(oauth.ParamRedirectURI),
		ResponseType: v.Get(oauth.ParamResponseType), ResponseMode: v.Get(oauth.ParamResponseMode),
		Scope: v.Get(oauth.ParamScope), State: v.Get(oauth.ParamState),
		CodeChallenge: v.Get(oauth.ParamCodeChallenge), CodeChallengeMethod: v.Get(oauth.ParamCodeChallengeMethod),
		Nonce: v.Get(oauth.ParamNonce), Prompt: v.Get(oauth.ParamPrompt), MaxAge: v.Get(oauth.ParamMaxAge),
		LoginHint: v.Get(oauth.ParamLoginHint), Resources: v[oauth.ParamResource],
		Request: v.Get(oauth.ParamRequest), RequestURI: v.Get(oauth.ParamRequestURI),
	}
}

// decodeLoginForm decodes the posted login form: the pending request it
// belongs to, username and password.
func decodeLoginForm(body []byte) (tokens.LoginRequest, error) {
	form, err := decodeForm(body)
	if err != nil {
		return tokens.LoginRequest{}, err
	}
	return tokens.LoginRequest{
		RequestID: form.Get(paramRequestID), Username: form.Get(oauth.ParamUsername), Password: form.Get(oauth.ParamPassword),
	}, nil
}

// decodeConsentForm decodes the posted consent form: the pending request
// and the button pressed.
func decodeConsentForm(body []byte) (tokens.ConsentDecision, error) {
	form, err := decodeForm(body)
	if err != nil {
		return tokens.ConsentDecision{}, err
	}
	return tokens.ConsentDecision{RequestID: form.Get(paramRequestID), Decision: form.Get(paramDecision)}, nil
}

// logoutRequest is the core's view of an RP-initiated logout request.
func logoutRequest(v url.Values) tokens.LogoutRequest {
	return tokens.LogoutRequest{
		ClientID: v.Get(oauth.ParamClientID), IDTokenHint: v.Get(oauth.ParamIDTokenHint),
		PostLogoutRedirectURI: v.Get(oauth.ParamPostLogoutRedirectURI), State: v.Get(oauth.ParamState),
	}
}

// browserForm reads a form posted by one of the pages.
func browserForm(r *http.Request) ([]byte, error) {
	if mediaType(r) != contentTypeForm {
		return nil, oauth.InvalidRequest("the content type must be " + contentTypeForm)
	}
	return readBody(r)
}
