package oauth

// The device authorization grant (RFC 8628).
const (
	// GrantDeviceCode is the grant type of a device access token request
	// (RFC 8628 §3.4).
	GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
	// ParamDeviceCode and ParamUserCode are the device flow's parameters
	// (RFC 8628 §3.2, §3.3).
	ParamDeviceCode = "device_code"
	ParamUserCode   = "user_code"
)

// Error codes of the device access token response (RFC 8628 §3.5).
const (
	CodeAuthorizationPending = "authorization_pending"
	CodeSlowDown             = "slow_down"
	CodeExpiredToken         = "expired_token"
)

// AuthorizationPending reports that the user has not decided yet (RFC 8628 §3.5).
func AuthorizationPending(description string) *Error {
	return newError(CodeAuthorizationPending, description)
}

// SlowDown reports a client that polls faster than its interval; it must
// wait five seconds longer from now on (RFC 8628 §3.5).
func SlowDown(description string) *Error { return newError(CodeSlowDown, description) }

// ExpiredToken reports a device code past its expires_in (RFC 8628 §3.5).
func ExpiredToken(description string) *Error { return newError(CodeExpiredToken, description) }

// DeviceAuthorizationResponse is the answer of the device authorization
// endpoint (RFC 8628 §3.2).
type DeviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int    `json:"expires_in"`
	Interval                int    `json:"interval"`
}
