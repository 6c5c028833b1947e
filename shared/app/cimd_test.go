package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/latchkey/latchkey/shared/app/apptest"
	"github.com/latchkey/latchkey/shared/clientmetadata"
	cmt "github.com/latchkey/latchkey/shared/clientmetadata/clientmetadatatest"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/tokens"
)

// Client ID Metadata Documents (issue 13 §1, second bullet): the client's
// metadata is served over local TLS by a throw-away CA that the fetcher
// trusts, under names the test's resolver sends to 127.0.0.1.

// cimdRig is a Latchkey accepting metadata documents and the server that
// publishes them.
type cimdRig struct {
	h        *apptest.Harness
	docs     *cmt.Server
	resolver *cmt.Resolver
	// documents by path; a path without one is 404.
	documents map[string]string
}

func newCIMDRig(t *testing.T, hosts ...string) *cimdRig {
	t.Helper()
	r := &cimdRig{resolver: cmt.NewResolver(), documents: map[string]string{}}
	r.docs = cmt.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		doc, ok := r.documents[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(doc))
	}))
	for _, host := range cmt.Hosts {
		r.resolver.Answer(host, cmt.Addrs("127.0.0.1"))
	}
	fetcher := clientmetadata.New(clientmetadata.Options{Resolver: r.resolver, RootCAs: r.docs.CA.Pool, AllowLoopback: true})
	r.h = apptest.NewWith(t, apptest.Setup{ClientMetadata: fetcher, Config: []func(*config.Config){func(c *config.Config) {
		withRegistration(c)
		c.Registration.Dynamic, c.Registration.MetadataDocuments, c.Registration.MetadataHosts = false, true, hosts
	}}})
	r.h.User(testUser, testPassword)
	return r
}

// publish serves a document at host+path whose client_id is clientID and
// returns the document's URL.
func (r *cimdRig) publish(host, path, clientID string) string {
	u := r.docs.URL(host, path)
	if clientID == "" {
		clientID = u
	}
	r.documents[path] = `{"client_id":"` + clientID + `","client_name":"Notes for Desktop","redirect_uris":["` + mcpCallback + `"],` +
		`"grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}`
	return u
}

func (r *cimdRig) authorize(b *apptest.Browser, clientID, verifier string) apptest.Page {
	return b.Get("/oauth2/authorize?" + url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {mcpCallback}, "scope": {"notes:read offline_access"},
		"state": {"st"}, "code_challenge": {tokens.S256(verifier)}, "code_challenge_method": {"S256"}, "resource": {mcpResource},
	}.Encode())
}

// TestMetadataDocumentClientSignsIn: a client_id URL is fetched and
// used; the consent page names the host the document came from, is shown
// every time; the token names the MCP server.
func TestMetadataDocumentClientSignsIn(t *testing.T) {
	r := newCIMDRig(t)
	md := r.h.Do(http.MethodGet, "/.well-known/oauth-authorization-server", "", "", nil)
	if md.JSON["client_id_metadata_document_supported"] != true {
		t.Errorf("metadata = %s; want client_id_metadata_document_supported true", md.Body)
	}
	clientID := r.publish("client.test", "/oauth/client.json", "")
	f := &dcrFlow{h: r.h, b: r.h.Browser(), clientID: clientID, verifier: oauth2.GenerateVerifier()}
	consent := f.consentPage(f.authorize())
	for _, want := range []string{"Notes for Desktop", "published by <strong>client.test</strong>", "this computer"} {
		if !strings.Contains(consent.Body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	tok := f.redeem(consent)
	if tok.Status != http.StatusOK || tok.Str("refresh_token") == "" {
		t.Fatalf("token = %d %s; want tokens", tok.Status, tok.Body)
	}
	if aud := jwtPayload(tok.Str("access_token"))["aud"]; aud != mcpResource {
		t.Errorf("aud = %v; want %s", aud, mcpResource)
	}
	refreshed := r.h.PostForm("/oauth2/token", "", "", url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID},
		"refresh_token": {tok.Str("refresh_token")}})
	if refreshed.Status != http.StatusOK {
		t.Errorf("refresh = %d %s; want 200", refreshed.Status, refreshed.Body)
	}
	if again := f.authorize(); !strings.HasPrefix(again.Location(), "/oauth2/consent?") {
		t.Errorf("second sign-in went to %q; want the consent page again", again.Location())
	}
}

// TestMetadataDocumentsRefused: a document that does not name its own
// URL, a host off the allow-list, a document that is missing, or one
// whose host resolves to loopback or the metadata service without the
// loopback exception: the user sees an error page and no code is issued.
func TestMetadataDocumentsRefused(t *testing.T) {
	r := newCIMDRig(t, "client.test", "other.test")
	b := r.h.Browser()
	mismatch := r.publish("client.test", "/mismatch.json", r.docs.URL("other.test", "/mismatch.json"))
	offList := r.publish("evil.test", "/evil.json", "")
	missing := r.docs.URL("client.test", "/missing.json")
	for name, clientID := range map[string]string{
		"client_id differs from the URL": mismatch, "host not allowed": offList, "no document": missing,
		"a query": r.docs.URL("client.test", "/c.json?x=1"), "dot segments": r.docs.URL("client.test", "/a/../c.json"),
	} {
		t.Run(name, func(t *testing.T) {
			p := r.authorize(b, clientID, oauth2.GenerateVerifier())
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "no known client") {
				t.Errorf("authorize = %d %q; want the error page", p.Status, p.Location())
			}
		})
	}
	if n := r.resolver.Calls("evil.test"); n != 0 {
		t.Errorf("lookups of a host off the allow-list = %d; want 0 (nothing fetched)", n)
	}
}

// TestMetadataDocumentSSRF: without the loopback exception (a deployed
// Latchkey), a client_id whose host resolves to 127.0.0.1 or
// 169.254.169.254 is never fetched; the document server, reachable and
// serving a valid document, sees no request.
func TestMetadataDocumentSSRF(t *testing.T) {
	r := newCIMDRig(t)
	strict := clientmetadata.New(clientmetadata.Options{Resolver: r.resolver, RootCAs: r.docs.CA.Pool})
	h := apptest.NewWith(t, apptest.Setup{ClientMetadata: strict, Config: []func(*config.Config){func(c *config.Config) {
		withRegistration(c)
		c.Registration.MetadataDocuments = true
	}}})
	clientID := r.publish("client.test", "/oauth/client.json", "")
	b := h.Browser()
	for _, addr := range []string{"127.0.0.1", "169.254.169.254"} {
		r.resolver.Answer("client.test", cmt.Addrs(addr))
		p := b.Get("/oauth2/authorize?" + url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {mcpCallback},
			"code_challenge": {tokens.S256(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}.Encode())
		if p.Status != http.StatusBadRequest || r.docs.Requests() != 0 {
			t.Errorf("%s: authorize = %d after %d document requests; want the error page and none", addr, p.Status, r.docs.Requests())
		}
		if !strings.Contains(h.Logs.String(), "special-use address") {
			t.Errorf("%s: the log does not say why: %s", addr, h.Logs.String())
		}
	}
}
