package oauth

// Grant types (RFC 6749 §4, RFC 8693).
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
	GrantAuthorizationCode = "authorization_code"
)

// Client authentication methods (RFC 7591 §2).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
	AuthNone              = "none"
)

// Token types and hints (RFC 6749 §7.1, RFC 7009 §2.1).
const (
	TokenTypeBearer       = "Bearer"
	HintAccessToken       = "access_token"
	HintRefreshToken      = "refresh_token"
	ScopeOfflineAccess    = "offline_access"
	ParamGrantType        = "grant_type"
	ParamClientID         = "client_id"
	ParamClientSecret     = "client_secret"
	ParamScope            = "scope"
	ParamResource         = "resource"
	ParamAccessToken      = "access_token"
	ParamUsername         = "username"
	ParamPassword         = "password"
	ParamRefreshToken     = "refresh_token"
	ParamToken            = "token"
	ParamTokenTypeHint    = "token_type_hint"
	HeaderWWWAuthenticate = "WWW-Authenticate"
)
