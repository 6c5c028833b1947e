package httpapi

import (
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/console"
	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Function names: one per folder in functions/ and Lambda in template.yaml.
const (
	FunctionToken        = "token"
	FunctionRefresh      = "refresh"
	FunctionRevoke       = "revoke"
	FunctionMint         = "mint"
	FunctionIntrospect   = "introspect"
	FunctionSessionsList = "sessions-list"
	FunctionAuthorize    = "authorize"
)

// LogicalID returns the name of function's resource in template.yaml: the
// folder name in CamelCase plus "Function" (sessions-list is
// SessionsListFunction). functions/Makefile derives the folder back from it.
func LogicalID(function string) string {
	var b strings.Builder
	for _, word := range strings.Split(function, "-") {
		if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String() + "Function"
}

// API serves the endpoints over one core Service.
type API struct {
	svc *tokens.Service
	log *slog.Logger
	// timeout bounds a request without a host deadline (deadline.go).
	timeout timeoutNanos
}

// New returns the API over svc, logging to log.
func New(svc *tokens.Service, log *slog.Logger) *API {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{svc: svc, log: log}
}

// Route is one endpoint: the function that serves it, its method and its
// path pattern (net/http.ServeMux syntax, which matches API Gateway's).
type Route struct {
	Function string
	Method   string
	Path     string
	handler  func(*API, http.ResponseWriter, *http.Request)
}

// routes is the route table. A test holds it equal to the HttpApi events
// in template.yaml, so local and deployed never drift.
var routes = []Route{
	{FunctionToken, http.MethodPost, "/oauth2/token", (*API).token},
	{FunctionToken, http.MethodGet, "/.well-known/oauth-authorization-server", (*API).metadata},
	{FunctionToken, http.MethodGet, "/.well-known/jwks.json", (*API).jwks},
	{FunctionToken, http.MethodGet, "/.well-known/openid-configuration", (*API).metadata},
	{FunctionToken, http.MethodPost, pathDeviceAuthorization, (*API).deviceAuthorization},
	{FunctionRefresh, http.MethodPost, "/oauth2/refresh", (*API).refresh},
	{FunctionRevoke, http.MethodPost, "/oauth2/revoke", (*API).revoke},
	{FunctionRevoke, http.MethodDelete, "/sessions/{id}", (*API).revokeSession},
	{FunctionRevoke, http.MethodDelete, "/sessions", (*API).revokeSubject},
	{FunctionRevoke, http.MethodDelete, "/tokens/{id}", (*API).revokeLongLived},
	{FunctionMint, http.MethodPost, "/tokens", (*API).mint},
	{FunctionIntrospect, http.MethodPost, "/oauth2/introspect", (*API).introspect},
	{FunctionIntrospect, http.MethodGet, pathUserinfo, (*API).userinfo},
	{FunctionIntrospect, http.MethodPost, pathUserinfo, (*API).userinfo},
	{FunctionSessionsList, http.MethodGet, "/sessions", (*API).listSessions},
	{FunctionAuthorize, http.MethodGet, pathAuthorize, (*API).authorize},
	{FunctionAuthorize, http.MethodPost, pathAuthorize, (*API).authorize},
	{FunctionAuthorize, http.MethodGet, pathLogin, (*API).loginPage},
	{FunctionAuthorize, http.MethodPost, pathLogin, (*API).login},
	{FunctionAuthorize, http.MethodGet, pathConsent, (*API).consentPage},
	{FunctionAuthorize, http.MethodPost, pathConsent, (*API).consent},
	{FunctionAuthorize, http.MethodGet, pathDevice, (*API).devicePage},
	{FunctionAuthorize, http.MethodPost, pathDevice, (*API).device},
	{FunctionAuthorize, http.MethodGet, pathLogout, (*API).logoutPage},
	{FunctionAuthorize, http.MethodPost, pathLogout, (*API).logout},
	{FunctionAuthorize, http.MethodGet, pathStylesheet, (*API).stylesheetHandler},
	{FunctionAuthorize, http.MethodGet, console.Path, (*API).consolePage},
	{FunctionAuthorize, http.MethodGet, console.Path + "/{file}", (*API).consoleFile},
	{FunctionAuthorize, http.MethodPost, pathRegister, (*API).register},
	{FunctionAuthorize, http.MethodGet, pathRegister + "/{id}", (*API).readRegistration},
	{FunctionAuthorize, http.MethodDelete, pathRegister + "/{id}", (*API).deleteRegistration},
}

// Routes returns the route table.
func Routes() []Route { return slices.Clone(routes) }

// Handler returns the routes of the named functions on one mux, or every
// route when none is named. A known path called with another method is
// answered 405, an unknown path 404, both as JSON errors.
func (a *API) Handler(functions ...string) http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range routes {
		if len(functions) > 0 && !slices.Contains(functions, rt.Function) {
			continue
		}
		handle := rt.handler
		mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) { handle(a, w, r) })
		allowed[rt.Path] = append(allowed[rt.Path], rt.Method)
	}
	for path, methods := range allowed {
		mux.Handle(path, a.methodNotAllowed(methods))
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, oauth.NotFound("no endpoint at "+r.URL.Path))
	}))
	h := a.withDeadline(cleanPaths(mux, a))
	if !a.svc.HasFixedIssuer() {
		h = requestIssuer(h, a)
	}
	return h
}

// cleanPaths answers a path that is not in canonical form (//, /./, /../)
// with 404 itself: ServeMux would redirect it with a 307, which makes a
// browser post the credentials again (RFC 9700 §4.12).
func cleanPaths(next http.Handler, a *API) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "" || p[0] != '/' || path.Clean(p) != p {
			a.writeError(w, r, oauth.NotFound("no endpoint at this path"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestIssuer names the issuer after the host the request reached, for
// deployments without a configured ISSUER. Behind API Gateway the host is
// the API's own domain, which a caller cannot choose. A request without a
// plain host name (and port) is refused: the issuer is never "https://"
// alone, nor a URL with a path or user part smuggled into the Host header.
func requestIssuer(next http.Handler, a *API) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !plainHost.MatchString(r.Host) {
			a.writeError(w, r, oauth.InvalidRequest("the request names no host this server can be the issuer of"))
			return
		}
		next.ServeHTTP(w, r.WithContext(tokens.WithIssuer(r.Context(), "https://"+r.Host)))
	})
}

// plainHost is a DNS name or IPv4 address, with an optional port.
var plainHost = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$`)

func (a *API) methodNotAllowed(methods []string) http.HandlerFunc {
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		a.writeError(w, r, oauth.MethodNotAllowed(r.Method+" is not allowed here; use "+allow))
	}
}
