package httpapi

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
	"github.com/latchkey/latchkey/shared/tokens"
)

// maxBodyBytes bounds every request body; token requests are a few
// hundred bytes.
const maxBodyBytes = 64 << 10

const contentTypeForm = "application/x-www-form-urlencoded"

// readBody reads the whole body up to maxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, oauth.InvalidRequest("the request body could not be read")
	}
	if len(b) > maxBodyBytes {
		return nil, oauth.InvalidRequest("the request body exceeds 64 KiB")
	}
	return b, nil
}

// mediaType returns the request's media type, lower case, without parameters.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// parseForm decodes an application/x-www-form-urlencoded body (RFC 6749
// §3.2). A parameter sent twice is an error (RFC 6749 §3.1), except
// resource, which RFC 8707 §2 lets a client repeat; so is any other
// content type.
func parseForm(r *http.Request) (url.Values, error) {
	if mediaType(r) != contentTypeForm {
		return nil, oauth.InvalidRequest("the content type must be " + contentTypeForm)
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return decodeForm(body)
}

func decodeForm(body []byte) (url.Values, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauth.InvalidRequest("the form body is malformed")
	}
	for k, v := range form {
		if len(v) > 1 && k != oauth.ParamResource && k != oauth.ParamAudience {
			return nil, oauth.InvalidRequest("the parameter " + k + " is repeated")
		}
	}
	return form, nil
}

// clientAuth extracts the client's credentials from the Basic
// authorization header or the form (RFC 6749 §2.3.1). Using both at once
// is an error (RFC 6749 §2.3).
func clientAuth(r *http.Request, form url.Values) (tokens.ClientAuth, error) {
	id, secret := form.Get(oauth.ParamClientID), form.Get(oauth.ParamClientSecret)
	if r.Header.Get("Authorization") == "" {
		method := oauth.AuthClientSecretPost
		if secret == "" {
			method = oauth.AuthNone
		}
		return tokens.ClientAuth{ID: id, Secret: secret, Method: method}, nil
	}
	bid, bsecret, err := basicAuth(r.Header.Get("Authorization"))
	if err != nil {
		return tokens.ClientAuth{}, err
	}
	if secret != "" || (id != "" && id != bid) {
		return tokens.ClientAuth{}, oauth.InvalidRequest("use only one client authentication method")
	}
	return tokens.ClientAuth{ID: bid, Secret: bsecret, Method: oauth.AuthClientSecretBasic}, nil
}

func errBadBasic() error {
	return oauth.InvalidRequest("the Authorization header must be Basic base64(client_id:client_secret)")
}

// basicAuth decodes an HTTP Basic header whose user and password are
// form-urlencoded, as RFC 6749 §2.3.1 requires.
func basicAuth(header string) (string, string, error) {
	scheme, payload, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", errBadBasic()
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(payload))
	if err != nil {
		return "", "", errBadBasic()
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return "", "", errBadBasic()
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err := errors.Join(err1, err2); err != nil || id == "" {
		return "", "", errBadBasic()
	}
	return id, secret, nil
}

// clientIP returns the caller's address: API Gateway's source IP behind
// Lambda, the peer address locally. Forwarded headers are not trusted.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
