package httpapi

import (
	"net/http"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Paths of the device authorization grant (RFC 8628 §3.1, §3.3).
const (
	pathDeviceAuthorization = "/oauth2/device_authorization"
	pathDevice              = "/oauth2/device"
)

// deviceAuthorization serves POST /oauth2/device_authorization (RFC 8628
// §3.1): a device code, a user code and where the user enters it.
func (a *API) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	form, err := parseForm(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	auth, err := clientAuth(r, form)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	resp, err := a.svc.DeviceAuthorization(r.Context(), tokens.DeviceAuthorizationRequest{
		Client: auth, Scope: form.Get(oauth.ParamScope), Resources: form[oauth.ParamResource],
	})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// deviceView is what device.html renders.
type deviceView struct {
	UserCode, Error, RequestID, ClientName, Username string
	Scopes                                           []scopeView
	Done, Allowed                                    bool
}

func deviceViewOf(v tokens.DeviceView) deviceView {
	return deviceView{
		UserCode: v.UserCode, Error: v.Error, RequestID: v.RequestID, ClientName: v.ClientName, Username: v.Username,
		Scopes: scopeViews(v.Scopes), Done: v.Done, Allowed: v.Allowed,
	}
}

// devicePage serves GET /oauth2/device, the verification URI (RFC 8628
// §3.3): the user code form, filled from verification_uri_complete, or,
// with a pending request, the client and the scopes to approve.
func (a *API) devicePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := q.Get(paramRequestID); id != "" {
		view, next, err := a.svc.DevicePage(r.Context(), id, a.cookieValue(r, LoginCookie))
		a.deviceAnswer(w, r, view, next, err, http.StatusFound)
		return
	}
	view, csrf := a.svc.DeviceForm(q.Get(oauth.ParamUserCode), a.cookieValue(r, CSRFCookie))
	if csrf != "" {
		http.SetCookie(w, csrfCookie(a.secureCookies(r), csrf))
	}
	a.writePage(w, r, http.StatusOK, "device.html", deviceViewOf(view))
}

// device serves POST /oauth2/device: a user code typed into the form
// (counted per source), or the decision on a pending request (buttons
// named decision, allow or deny).
func (a *API) device(w http.ResponseWriter, r *http.Request) {
	body, err := browserForm(r)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	form, err := decodeForm(body)
	if err != nil {
		a.errorPage(w, r, err)
		return
	}
	csrf, login := a.cookieValue(r, CSRFCookie), a.cookieValue(r, LoginCookie)
	if id := form.Get(paramRequestID); id != "" {
		d := tokens.ConsentDecision{RequestID: id, Decision: form.Get(paramDecision), CSRF: csrf, LoginCookie: login}
		view, next, err := a.svc.DecideDevice(r.Context(), d)
		a.deviceAnswer(w, r, view, next, err, http.StatusSeeOther)
		return
	}
	entry := tokens.DeviceEntry{UserCode: form.Get(oauth.ParamUserCode), CSRF: csrf, LoginCookie: login, IP: clientIP(r)}
	next, view, err := a.svc.EnterUserCode(r.Context(), entry)
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case view != nil:
		a.writePage(w, r, http.StatusBadRequest, "device.html", deviceViewOf(*view))
	default:
		a.follow(w, r, next, http.StatusSeeOther)
	}
}

// deviceAnswer shows a view of the verification page, or sends the
// browser on (to sign in first).
func (a *API) deviceAnswer(w http.ResponseWriter, r *http.Request, view tokens.DeviceView, next tokens.Next, err error, status int) {
	switch {
	case err != nil:
		a.errorPage(w, r, err)
	case next.Page != "":
		a.follow(w, r, next, status)
	default:
		a.writePage(w, r, http.StatusOK, "device.html", deviceViewOf(view))
	}
}
