package tokens

import (
	"context"
	"crypto/sha256"
	"log/slog"

	"github.com/latchkey/latchkey/shared/oauth"
)

// ClientAuth is what a request presented to authenticate its client
// (RFC 6749 §2.3.1): an id and, for a confidential client, its secret.
type ClientAuth struct {
	ID     string
	Secret string
	// Method is how the credentials came: client_secret_basic,
	// client_secret_post, or none when only a client_id was sent.
	Method string
}

// dummySecretHash is compared against when the client is unknown, so that
// an unknown client costs the same as a wrong secret.
var dummySecretHash = func() []byte { s := sha256.Sum256([]byte("latchkey")); return s[:] }()

// AuthenticateClient checks the credentials and returns the client. An
// unknown client, a wrong secret, a disabled client and a public client
// that sends a secret all get the same invalid_client (docs/design.md §7.7).
func (s *Service) AuthenticateClient(ctx context.Context, a ClientAuth) (Client, error) {
	if !plausibleID(a.ID) {
		return Client{}, s.clientAuthFailed(ctx, s.logID(a.ID), "implausible_client_id")
	}
	c, err := s.client(ctx, a.ID)
	if notFound(err) {
		Client{SecretHash: dummySecretHash}.VerifySecret(a.Secret)
		// An unknown id may be a secret sent in the wrong field: log its keyed hash.
		return Client{}, s.clientAuthFailed(ctx, s.logID(a.ID), "unknown_client")
	}
	if err != nil {
		return Client{}, storeError(err)
	}
	if reason := c.rejectAuth(a); reason != "" {
		return Client{}, s.clientAuthFailed(ctx, a.ID, reason)
	}
	return c, nil
}

// rejectAuth returns why the credentials do not authenticate c, or "".
func (c Client) rejectAuth(a ClientAuth) string {
	switch {
	case c.Public() && a.Secret != "":
		return "secret_sent_by_public_client"
	case c.Public():
		if c.Disabled {
			return "client_disabled"
		}
		return ""
	case a.Secret == "":
		return "secret_missing"
	case !c.VerifySecret(a.Secret):
		return "wrong_secret"
	case c.Disabled:
		return "client_disabled"
	}
	return ""
}

func (s *Service) clientAuthFailed(ctx context.Context, id, reason string) error {
	s.audit(ctx, slog.LevelWarn, "client_auth_failed",
		slog.String("client_id", id), slog.String("outcome", reason))
	return oauth.InvalidClient()
}
