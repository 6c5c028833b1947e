package oauth

// Token exchange vocabulary (RFC 8693 §2.1, §3).
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

	// Token type identifiers (RFC 8693 §3).
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"

	ParamSubjectToken       = "subject_token"
	ParamSubjectTokenType   = "subject_token_type"
	ParamActorToken         = "actor_token"
	ParamActorTokenType     = "actor_token_type"
	ParamRequestedTokenType = "requested_token_type"
	ParamAudience           = "audience"
)

// Actor is the act claim of RFC 8693 §4.1 as JSON, in an introspection
// answer: who acts, and nested, for whom that one acted in turn.
type Actor struct {
	Sub string `json:"sub"`
	Act *Actor `json:"act,omitempty"`
}
