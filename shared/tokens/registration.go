package tokens

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Clients that register themselves (issue 13): by Dynamic Client
// Registration (RFC 7591, managed per RFC 7592) or, in metadata.go, by a
// Client ID Metadata Document. Either is off unless the deployment turns
// it on, and either client is public, limited to the deployment's scopes
// and resources, and never approved without asking the user.

// Registration kinds (Registration.Kind).
const (
	RegisteredDynamically = "dynamic"
	RegisteredByDocument  = "metadata_document"
)

// Limits of self-registration.
const (
	// dynamicIDPrefix marks the id of a dynamically registered client, so
	// that pages and logs know it for one without a read.
	dynamicIDPrefix = "dcr_"
	// registrationTokenPrefix marks a registration access token.
	registrationTokenPrefix = "lk_rat_"
	// registrationWindow is the window in which Limit registrations per
	// source are counted; registrationCounter is the key they are
	// counted under, in the sign-in throttle's store (a username is
	// counted under its 64-hex-digit HMAC, so the two never meet).
	registrationWindow  = time.Hour
	registrationCounter = "registration"
	// registrationTouchEvery: a sign-in moves an expiry that is older
	// than this, so frequent sign-ins cost no write each.
	registrationTouchEvery = 24 * time.Hour
	maxRedirectURIs        = 10
	maxClientNameLen       = 100
)

// RegistrationPolicy is what a deployment allows self-registering
// clients (config.Registration).
type RegistrationPolicy struct {
	Dynamic           bool
	MetadataDocuments bool
	// MetadataHosts, when set, are the only hosts a client_id URL may name.
	MetadataHosts []string
	// Scopes a self-registered client may ask for, besides openid and
	// offline_access; Resources the resource indicators it may name.
	Scopes    []string
	Resources []string
	// UnusedTTL is how long a dynamic registration lives without a
	// sign-in; Limit how many registrations a source may make per hour.
	UnusedTTL time.Duration
	Limit     int
}

// Registration says how a client registered itself; zero for a client an
// operator registered.
type Registration struct {
	// Kind is RegisteredDynamically or RegisteredByDocument.
	Kind string
	// TokenHash is SHA-256 of the registration access token (RFC 7592 §1.2).
	TokenHash []byte
	// ApplicationType is web or native (OpenID Connect Registration §2).
	ApplicationType string
	// ExpiresAt is when a dynamic registration lapses unless a sign-in
	// moves it (its ttl): registrations nobody uses go away.
	ExpiresAt time.Time
}

// SelfRegistered reports whether the client registered itself: the user
// is always asked before it gets anything (issue 13 §5).
func (c Client) SelfRegistered() bool { return c.Registration.Kind != "" }

// selfRegisteredID reports whether id names a self-registered client, by
// its shape alone.
func selfRegisteredID(id string) bool {
	return strings.HasPrefix(id, dynamicIDPrefix) || strings.HasPrefix(id, "https://")
}

// RegistrationEnabled reports whether dynamic registration is on; the
// registration endpoint answers 404 and discovery names none when it is not.
func (s *Service) RegistrationEnabled() bool { return s.registration.Dynamic }

// RegisterClient implements RFC 7591 §3: it registers a public client
// from the metadata and returns its information with a registration
// access token, shown this once and stored as SHA-256. Values Latchkey
// does not offer are replaced (§2): the client is public
// (token_endpoint_auth_method none) and gets only the deployment's scopes.
// Each source (an IP address, or an IPv6 /64) may register Limit clients
// an hour; the limit is counted before anything is written.
func (s *Service) RegisterClient(ctx context.Context, m oauth.ClientMetadata, source string) (oauth.ClientInformation, error) {
	if !s.registration.Dynamic {
		return oauth.ClientInformation{}, oauth.NotFound("dynamic client registration is not enabled")
	}
	c, err := s.dynamicClient(m)
	if err != nil {
		return oauth.ClientInformation{}, err
	}
	if err := s.reserveRegistration(ctx, source); err != nil {
		return oauth.ClientInformation{}, err
	}
	token := registrationTokenPrefix + base64.RawURLEncoding.EncodeToString(randomBytes(32))
	c.Registration.TokenHash = HashToken(token)
	if err := s.store.CreateClient(ctx, c); err != nil {
		return oauth.ClientInformation{}, storeError(err)
	}
	s.audit(ctx, slog.LevelInfo, "client_registered", slog.String("client_id", c.ID), slog.String("outcome", "dynamic"))
	info := s.clientInformation(ctx, c)
	info.RegistrationAccessToken = token
	return info, nil
}

// reserveRegistration counts one registration of source in its window,
// or refuses it (temporarily_unavailable until the window ends).
func (s *Service) reserveRegistration(ctx context.Context, source string) error {
	end := s.now().Truncate(registrationWindow).Add(registrationWindow).UTC()
	a := LoginAttempt{User: registrationCounter, Source: attemptSource(source), WindowEnd: end}
	_, err := s.store.ReserveLoginAttempt(ctx, a, s.registration.Limit)
	if errors.Is(err, ErrConflict) {
		s.audit(ctx, slog.LevelWarn, "registration_limited", slog.String("outcome", "limit_reached"))
		e := oauth.TemporarilyUnavailable(nil)
		e.Description = "too many registrations from this address; try again later"
		e.RetryAfter = end.Sub(s.now())
		return e
	}
	if err != nil {
		return storeError(err)
	}
	return nil
}

// ClientRegistration implements RFC 7592 §2.1: the registration of id as
// it stands, for the holder of its registration access token.
func (s *Service) ClientRegistration(ctx context.Context, id, token string) (oauth.ClientInformation, error) {
	c, err := s.registered(ctx, id, token)
	if err != nil {
		return oauth.ClientInformation{}, err
	}
	return s.clientInformation(ctx, c), nil
}

// DeleteRegistration implements RFC 7592 §2.3: the client is gone at once
// here and, elsewhere, within the client cache's TTL; its refresh tokens
// stop working with it.
func (s *Service) DeleteRegistration(ctx context.Context, id, token string) error {
	if _, err := s.registered(ctx, id, token); err != nil {
		return err
	}
	if err := s.store.DeleteClient(ctx, id); err != nil && !notFound(err) {
		return storeError(err)
	}
	s.clients.forget(id)
	s.audit(ctx, slog.LevelInfo, "client_registration_deleted", slog.String("client_id", id), slog.String("outcome", "ok"))
	return nil
}

// registered returns the dynamically registered client id when token is
// its registration access token. An unknown client and a wrong token get
// the same invalid_token (RFC 7592 §2.1), compared in constant time.
func (s *Service) registered(ctx context.Context, id, token string) (Client, error) {
	if !s.registration.Dynamic {
		return Client{}, oauth.NotFound("dynamic client registration is not enabled")
	}
	if token == "" {
		return Client{}, oauth.BearerRequired()
	}
	c := Client{Registration: Registration{TokenHash: dummySecretHash}}
	if strings.HasPrefix(id, dynamicIDPrefix) && plausibleID(id) {
		got, err := s.store.GetClient(ctx, id)
		switch {
		case err == nil:
			c = got
		case !notFound(err):
			return Client{}, storeError(err)
		}
	}
	ok := subtle.ConstantTimeCompare(HashToken(token), c.Registration.TokenHash) == 1
	if !ok || c.Registration.Kind != RegisteredDynamically {
		return Client{}, oauth.InvalidToken("the registration access token is not valid for this client")
	}
	return c, nil
}

// clientInformation is what RFC 7591 §3.2.1 answers about c.
func (s *Service) clientInformation(ctx context.Context, c Client) oauth.ClientInformation {
	return oauth.ClientInformation{
		ClientID:                c.ID,
		ClientIDIssuedAt:        c.CreatedAt.Unix(),
		RegistrationClientURI:   s.Issuer(ctx) + "/oauth2/register/" + c.ID,
		RedirectURIs:            c.RedirectURIs,
		TokenEndpointAuthMethod: oauth.AuthNone,
		GrantTypes:              c.Grants,
		ResponseTypes:           []string{oauth.ResponseTypeCode},
		ClientName:              c.Name,
		Scope:                   oauth.JoinScope(c.Scopes),
		ApplicationType:         c.Registration.ApplicationType,
	}
}

// extendRegistration moves a dynamic registration's expiry to UnusedTTL
// from now when a sign-in uses it, at most once a day. It is best effort:
// a failure is logged and the sign-in goes on.
func (s *Service) extendRegistration(ctx context.Context, clientID string) {
	if !strings.HasPrefix(clientID, dynamicIDPrefix) {
		return
	}
	c, err := s.client(ctx, clientID)
	if err != nil || c.Registration.Kind != RegisteredDynamically {
		return
	}
	now := s.now()
	until := now.Add(s.registration.UnusedTTL)
	if until.Sub(c.Registration.ExpiresAt) < registrationTouchEvery {
		return
	}
	if err := s.store.ExtendClient(ctx, clientID, until); err != nil && !errors.Is(err, ErrConflict) {
		s.audit(ctx, slog.LevelWarn, "registration_extend_failed", slog.String("client_id", clientID), slog.String("cause", err.Error()))
		return
	}
	s.clients.forget(clientID)
}

// describeClient adds to the consent page what the user should weigh: where
// the browser will be sent, whether that is this computer, and whether
// the client's name is only its own claim.
func describeClient(v ConsentView, req AuthRequest) ConsentView {
	if u, err := url.Parse(req.RedirectURI); err == nil {
		v.RedirectHost = u.Hostname()
	}
	v.Loopback = loopbackRedirect(req.RedirectURI)
	v.SelfRegistered = selfRegisteredID(req.ClientID)
	if u, err := url.Parse(req.ClientID); err == nil && u.Scheme == "https" {
		v.ClientHost = u.Hostname()
	}
	return v
}

// RegistrationDiscovery is what discovery says about self-registration.
type RegistrationDiscovery struct {
	Dynamic, MetadataDocuments bool
	Scopes, Resources          []string
}

// RegistrationDiscovery returns what discovery publishes about
// self-registration (RFC 8414 §2, RFC 9728 §4).
func (s *Service) RegistrationDiscovery() RegistrationDiscovery {
	p := s.registration
	return RegistrationDiscovery{
		Dynamic: p.Dynamic, MetadataDocuments: p.MetadataDocuments && s.documents != nil,
		Scopes: slices.Clone(p.Scopes), Resources: slices.Clone(p.Resources),
	}
}

// Defaults of RegistrationPolicy's zero fields.
const (
	DefaultRegistrationUnusedTTL = 30 * 24 * time.Hour
	DefaultRegistrationLimit     = 10
)

func (p RegistrationPolicy) withDefaults() RegistrationPolicy {
	p.UnusedTTL = orDefaultDuration(p.UnusedTTL, DefaultRegistrationUnusedTTL)
	if p.Limit <= 0 {
		p.Limit = DefaultRegistrationLimit
	}
	return p
}
