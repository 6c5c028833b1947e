package tokens

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Clients named by a Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document; issue 13 §1): a client_id
// that is an https URL names the client's own metadata, which Latchkey
// fetches (shared/clientmetadata, behind ClientMetadataFetcher) instead
// of reading a registration from the table. Such a client is public, gets
// the deployment's self-registration scopes and resources, is shown on
// the consent page by the host of its URL, and is always asked about.

// isClientIDURL reports whether id is a Client Identifier URL. Latchkey's
// own client ids never start with https:// (random base32, dcr_…), as
// the draft's §7.1 asks.
func isClientIDURL(id string) bool { return strings.HasPrefix(id, "https://") }

// documentClient returns the client a Client ID Metadata Document
// describes. Anything wrong — metadata documents off, a host not allowed,
// a URL of the wrong shape, a document that cannot be fetched or does not
// qualify — is ErrNotFound (an unknown client to every caller), with the
// reason in the audit log.
func (s *Service) documentClient(ctx context.Context, id string) (Client, error) {
	if err := s.checkClientIDURL(id); err != nil {
		return Client{}, s.documentRefused(ctx, id, err)
	}
	doc, err := s.documents.FetchClientMetadata(ctx, id)
	if err != nil {
		return Client{}, s.documentRefused(ctx, id, err)
	}
	c, err := s.clientFromDocument(id, doc)
	if err != nil {
		s.documents.ForgetClientMetadata(id) // invalid documents are not kept (§5.2)
		return Client{}, s.documentRefused(ctx, id, err)
	}
	return c, nil
}

func (s *Service) documentRefused(ctx context.Context, id string, cause error) error {
	s.audit(ctx, slog.LevelWarn, "client_metadata_refused", slog.String("client_id", id), slog.String("cause", cause.Error()))
	return fmt.Errorf("%w: client metadata document: %w", ErrNotFound, cause)
}

// checkClientIDURL holds a client_id URL to the draft's §3 before
// anything is fetched: https, a host the deployment allows, a path
// without dot segments, no user information, query or fragment.
func (s *Service) checkClientIDURL(id string) error {
	u, err := url.Parse(id)
	switch {
	case s.documents == nil || !s.registration.MetadataDocuments:
		return fmt.Errorf("client metadata documents are not enabled")
	case !plausibleID(id) || err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("not an https URL of at most %d characters", maxIDLen)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || strings.Contains(id, "#"):
		return fmt.Errorf("a client_id URL has no user information, query or fragment")
	case u.Path == "" || slices.ContainsFunc(strings.Split(u.Path, "/"), func(seg string) bool { return seg == "." || seg == ".." }):
		return fmt.Errorf("a client_id URL has a path without dot segments")
	case len(s.registration.MetadataHosts) > 0 && !slices.Contains(s.registration.MetadataHosts, strings.ToLower(u.Hostname())):
		return fmt.Errorf("host %s is not among CLIENT_ID_METADATA_HOSTS", u.Hostname())
	}
	return nil
}

// clientFromDocument checks a document as registration metadata would be
// checked, plus §4.1: no secret, and no authentication method but none.
func (s *Service) clientFromDocument(id string, doc oauth.ClientIDMetadataDocument) (Client, error) {
	switch {
	case doc.ClientID != id:
		return Client{}, fmt.Errorf("its client_id is not its URL")
	case doc.ClientSecret != "" || doc.ClientSecretExpiresAt != nil:
		return Client{}, fmt.Errorf("it holds a client secret")
	case doc.TokenEndpointAuthMethod != "" && doc.TokenEndpointAuthMethod != oauth.AuthNone:
		return Client{}, fmt.Errorf("token_endpoint_auth_method %q is not supported (only none)", doc.TokenEndpointAuthMethod)
	}
	grants, err := registeredGrants(doc.ClientMetadata)
	if err != nil {
		return Client{}, err
	}
	appType, err := checkRedirectURIs(doc.RedirectURIs, doc.ApplicationType)
	if err != nil {
		return Client{}, err
	}
	name, err := clientName(doc.ClientName)
	if err != nil {
		return Client{}, err
	}
	c := s.selfRegisteredClient(id, name, grants, doc.RedirectURIs, doc.Scope, s.now().UTC())
	c.Registration = Registration{Kind: RegisteredByDocument, ApplicationType: appType}
	return c, c.validate()
}
