package oauth

// The words of Dynamic Client Registration (RFC 7591), its management
// protocol (RFC 7592) and of OAuth Client ID Metadata Documents
// (draft-ietf-oauth-client-id-metadata-document).

// Error codes of RFC 7591 §3.2.2.
const (
	CodeInvalidRedirectURI    = "invalid_redirect_uri"
	CodeInvalidClientMetadata = "invalid_client_metadata"
)

// Application types (OpenID Connect Dynamic Client Registration 1.0 §2).
const (
	ApplicationWeb    = "web"
	ApplicationNative = "native"
)

// InvalidRedirectURI reports a redirect URI that may not be registered.
func InvalidRedirectURI(description string) *Error {
	return newError(CodeInvalidRedirectURI, description)
}

// InvalidClientMetadata reports other client metadata that may not be
// registered.
func InvalidClientMetadata(description string) *Error {
	return newError(CodeInvalidClientMetadata, description)
}

// ClientMetadata is the client metadata of RFC 7591 §2 that Latchkey
// reads; the rest is ignored, as §2 asks. It is both what a client asks
// to register and, in ClientInformation, what was registered.
type ClientMetadata struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	ApplicationType         string   `json:"application_type,omitempty"`
}

// ClientInformation is the answer to a registration (RFC 7591 §3.2.1)
// and to a read of it (RFC 7592 §3). A public client gets no secret.
type ClientInformation struct {
	ClientID         string `json:"client_id"`
	ClientIDIssuedAt int64  `json:"client_id_issued_at"`
	// RegistrationAccessToken is shown once, in the answer to the
	// registration (RFC 7592 §3); RegistrationClientURI is where the
	// client reads or deletes its registration with it.
	RegistrationAccessToken string   `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string   `json:"registration_client_uri"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientName              string   `json:"client_name"`
	Scope                   string   `json:"scope"`
	ApplicationType         string   `json:"application_type"`
}

// ClientIDMetadataDocument is a Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document §4): the client's own
// metadata, published at its client_id, an https URL. ClientSecret and
// ClientSecretExpiresAt are read only to refuse a document that has them
// (§4.1).
type ClientIDMetadataDocument struct {
	ClientID              string `json:"client_id"`
	ClientSecret          string `json:"client_secret,omitempty"`
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
	ClientMetadata
}
