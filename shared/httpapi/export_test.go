package httpapi

// The request decoders, for the fuzz targets of package httpapi_test
// (fuzz_test.go). Those live outside the package because the targets that
// drive whole handlers need apptest, which imports this package.
var (
	DecodeForm = decodeForm
	BasicAuth  = basicAuth
	ClientAuth = clientAuth
	// The browser sign-in's decoders (fuzz_signin_test.go).
	DecodeLoginForm     = decodeLoginForm
	ParseAuthorizeQuery = parseAuthorizeQuery
)

// The wire structs of the handlers, for the OpenAPI test.
type (
	RefreshBody    = refreshBody
	MintBody       = mintBody
	MintAnswer     = mintAnswer
	SessionView    = sessionView
	SessionsAnswer = sessionsAnswer
	RevokedAnswer  = revokedAnswer
)
