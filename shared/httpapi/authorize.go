package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/tokens"
)

// authorize serves GET and POST /oauth2/authorize (RFC 6749 §4.1.1,
// OpenID Connect Core §3.1.2.1). Errors the core cannot send back to a
// validated redirect URI are shown on the error page.
func (a *API) authorize(w http.ResponseWriter, r *http.Request) {
	v, err := authorizeParams(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	req := authorizationRequest(v)
	req.LoginCookie, req.CSRFCookie = a.cookieValue(r, LoginCookie), a.cookieValue(r, CSRFCookie)
	next, err := a.svc.Authorize(r.Context(), req)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.follow(w, r, next, http.StatusFound)
}

// loginPage serves GET /oauth2/login: the hosted login form of a pending
// request (one read).
func (a *API) loginPage(w http.ResponseWriter, r *http.Request) {
	view, err := a.svc.LoginPage(r.Context(), r.URL.Query().Get(paramRequestID))
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.writePage(w, r, http.StatusOK, "login.html", view)
}

// login serves POST /oauth2/login: a failed attempt shows the form again
// (400), a success continues the request (303).
func (a *API) login(w http.ResponseWriter, r *http.Request) {
	body, err := browserForm(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in, err := decodeLoginForm(body)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in.CSRF, in.IP = a.cookieValue(r, CSRFCookie), clientIP(r)
	res, err := a.svc.Login(r.Context(), in)
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case res.Form != nil:
		a.writePage(w, r, http.StatusBadRequest, "login.html", res.Form)
	default:
		a.follow(w, r, res.Next, http.StatusSeeOther)
	}
}

// consentView is what consent.html renders.
type consentView struct {
	RequestID, ClientName, Username string
	Scopes                          []scopeView
	// What the user should weigh about a client (tokens.ConsentView).
	RedirectHost, ClientHost string
	Loopback, SelfRegistered bool
}

// consentPage serves GET /oauth2/consent: the client and the scopes it
// asks for, with buttons named decision (allow, deny).
func (a *API) consentPage(w http.ResponseWriter, r *http.Request) {
	view, next, err := a.svc.ConsentPage(r.Context(), r.URL.Query().Get(paramRequestID), a.cookieValue(r, LoginCookie))
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case next.Page != "":
		a.follow(w, r, next, http.StatusFound)
	default:
		a.writePage(w, r, http.StatusOK, "consent.html", consentView{
			RequestID: view.RequestID, ClientName: view.ClientName, Username: view.Username, Scopes: scopeViews(view.Scopes),
			RedirectHost: view.RedirectHost, ClientHost: view.ClientHost, Loopback: view.Loopback, SelfRegistered: view.SelfRegistered,
		})
	}
}

// consent serves POST /oauth2/consent: the user's decision.
func (a *API) consent(w http.ResponseWriter, r *http.Request) {
	body, err := browserForm(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in, err := decodeConsentForm(body)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	in.CSRF, in.LoginCookie = a.cookieValue(r, CSRFCookie), a.cookieValue(r, LoginCookie)
	next, err := a.svc.Consent(r.Context(), in)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	a.follow(w, r, next, http.StatusSeeOther)
}

// logoutView is what logout.html renders: the request, carried to the
// POST that confirms it and validated again there.
type logoutView struct {
	ClientName, ClientID, PostLogoutRedirectURI, State, IDTokenHint string
}

// logoutPage serves GET /oauth2/logout, the end_session_endpoint (OpenID
// Connect RP-Initiated Logout 1.0 §2): a signed-in browser is asked to
// confirm, so another site cannot sign the user out; one that is not
// signed in goes straight on.
func (a *API) logoutPage(w http.ResponseWriter, r *http.Request) {
	v, err := parseAuthorizeQuery(r.URL.RawQuery)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	req := logoutRequest(v)
	req.LoginCookie = a.cookieValue(r, LoginCookie)
	view, err := a.svc.CheckLogout(r.Context(), req)
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case !view.SignedIn:
		a.finishLogout(w, r, req, http.StatusFound)
	default:
		a.writePage(w, r, http.StatusOK, "logout.html", logoutView{
			ClientName: view.ClientName, ClientID: req.ClientID, PostLogoutRedirectURI: req.PostLogoutRedirectURI,
			State: req.State, IDTokenHint: req.IDTokenHint,
		})
	}
}

// logout serves POST /oauth2/logout: the confirmed sign-out. The login
// cookie is SameSite=Lax, so a cross-site POST carries none and ends
// nothing.
func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	body, err := browserForm(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	v, err := decodeForm(body)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	req := logoutRequest(v)
	req.LoginCookie = a.cookieValue(r, LoginCookie)
	a.finishLogout(w, r, req, http.StatusSeeOther)
}

func (a *API) finishLogout(w http.ResponseWriter, r *http.Request, req tokens.LogoutRequest, status int) {
	next, err := a.svc.Logout(r.Context(), req)
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case next.Redirect != "":
		a.follow(w, r, next, status)
	default:
		if next.EndLogin {
			http.SetCookie(w, loginCookie(a.secureCookies(r), "", 0))
		}
		a.writePage(w, r, http.StatusOK, "signedout.html", nil)
	}
}
