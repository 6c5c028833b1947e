package oauth

// TokenResponse is the successful answer of the token endpoint (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// RefreshTokenExpiresIn is how long the refresh token stays usable if
	// unused (the earlier of the idle and absolute expiry); not in RFC
	// 6749, but sent by several servers and used to set cookie lifetimes.
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in,omitempty"`
	Scope                 string `json:"scope,omitempty"`
	IssuedTokenType       string `json:"issued_token_type,omitempty"`
	// IDToken is the OpenID Connect ID token, issued when the scopes
	// hold openid (OpenID Connect Core §3.1.3.3, §12.2).
	IDToken string `json:"id_token,omitempty"`
}

// ErrorResponse is the JSON body of an error (RFC 6749 §5.2).
type ErrorResponse struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// ServerMetadata is the authorization server metadata of RFC 8414 §2
// and, the same document, the OpenID Provider metadata of OpenID Connect
// Discovery 1.0 §3, with RFC 9207's iss parameter and RP-Initiated Logout
// 1.0's end_session_endpoint.
type ServerMetadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	EndSessionEndpoint    string `json:"end_session_endpoint"`
	RevocationEndpoint    string `json:"revocation_endpoint,omitempty"`
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`
	// DeviceAuthorizationEndpoint is RFC 8628 §4's.
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethods     []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	IntrospectionEndpointAuthMethods  []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	TokenEndpointAuthSigningAlgs      []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	ClaimTypesSupported               []string `json:"claim_types_supported"`
	// The parameters of OpenID Connect Core §5.5 and §6 are not supported;
	// request_uri_parameter_supported defaults to true, so all three are
	// said explicitly (Discovery §3).
	ClaimsParameterSupported     bool `json:"claims_parameter_supported"`
	RequestParameterSupported    bool `json:"request_parameter_supported"`
	RequestURIParameterSupported bool `json:"request_uri_parameter_supported"`
	// AuthorizationResponseIssParameterSupported: every authorization
	// response carries iss (RFC 9207 §3).
	AuthorizationResponseIssParameterSupported bool   `json:"authorization_response_iss_parameter_supported"`
	ServiceDocumentation                       string `json:"service_documentation,omitempty"`
	// RegistrationEndpoint is named when dynamic registration is on
	// (RFC 8414 §2, RFC 7591 §3).
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	// ClientIDMetadataDocumentSupported: an https client_id URL naming a
	// Client ID Metadata Document is accepted
	// (draft-ietf-oauth-client-id-metadata-document §6).
	ClientIDMetadataDocumentSupported bool `json:"client_id_metadata_document_supported"`
	// ProtectedResources are the resources self-registered clients may
	// ask tokens for (RFC 9728 §4).
	ProtectedResources []string `json:"protected_resources,omitempty"`
}

// IntrospectionResponse is the answer of RFC 7662 §2.2. An inactive token
// is exactly {"active": false}.
type IntrospectionResponse struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Username  string   `json:"username,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	Exp       int64    `json:"exp,omitempty"`
	Iat       int64    `json:"iat,omitempty"`
	Nbf       int64    `json:"nbf,omitempty"`
	Sub       string   `json:"sub,omitempty"`
	Aud       []string `json:"aud,omitempty"`
	Iss       string   `json:"iss,omitempty"`
	Jti       string   `json:"jti,omitempty"`
	Sid       string   `json:"sid,omitempty"`
	// Act names who acts for sub in an exchanged token (RFC 8693 §4.1).
	Act *Actor `json:"act,omitempty"`
}
