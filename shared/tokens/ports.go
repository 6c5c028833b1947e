package tokens

import (
	"context"
	"errors"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

// Sentinel errors that every Store returns, wrapped or bare. Any other
// store error means the store could not be reached or failed, and the
// Service answers temporarily_unavailable.
var (
	// ErrNotFound: no such item, or its ttl has passed (docs/design.md, invariants).
	ErrNotFound = errors.New("not found")
	// ErrConflict: a conditional write lost to another writer or the
	// item is no longer in the expected state.
	ErrConflict = errors.New("conflict")
	// ErrAlreadyExists: a create found the key taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrInvalidToken: a Verifier found the token bad (signature, alg,
	// issuer, lifetime). Any other Verifier error is an outage or a
	// misconfiguration (see ErrUnavailable).
	ErrInvalidToken = errors.New("invalid token")
	// ErrUnavailable marks a Signer or Verifier failure caused by the
	// store it reads (an outage: temporarily_unavailable). Any other
	// Signer error is a misconfiguration or a bug (server_error).
	ErrUnavailable = errors.New("unavailable")
)

// Store is everything the Service persists: one value implements every
// role (the DynamoDB store, the in-memory store).
type Store interface {
	ClientStore
	UserStore
	UserClaimsStore
	SessionStore
	SessionIndex
	AccessTokenStore
	LongLivedStore
	LoginAttemptStore
	AuthorizationStore
	LoginStore
	ConsentStore
	DeviceStore
}

// ClientStore persists OAuth clients.
type ClientStore interface {
	CreateClient(ctx context.Context, c Client) error
	// GetClient returns ErrNotFound for an unknown id.
	GetClient(ctx context.Context, id string) (Client, error)
	ListClients(ctx context.Context) ([]Client, error)
	// DisableClient returns ErrNotFound for an unknown id.
	DisableClient(ctx context.Context, id string) error
	// DeleteClient removes a client; ErrNotFound for an unknown id.
	DeleteClient(ctx context.Context, id string) error
	// ExtendClient moves a self-registered client's expiry (its
	// Registration.ExpiresAt, the item's ttl) to expiresAt, on condition
	// that the client is present and expires before that; ErrConflict
	// when it does not, ErrNotFound when it is gone. GetClient and
	// ListClients treat a client whose expiry has passed as absent.
	ExtendClient(ctx context.Context, id string, expiresAt time.Time) error
}

// UserStore persists resource owners for the password grant.
type UserStore interface {
	CreateUser(ctx context.Context, u User) error
	// GetUser returns ErrNotFound for an unknown username.
	GetUser(ctx context.Context, username string) (User, error)
	// SetUserDisabled sets the user's Disabled flag and returns the user
	// as updated; ErrNotFound for an unknown username.
	SetUserDisabled(ctx context.Context, username string, disabled bool) (User, error)
	// RecordLoginFailure atomically adds one to the user's failure count,
	// sets LastFailedAt to at, and returns the updated user.
	RecordLoginFailure(ctx context.Context, username string, at time.Time) (User, error)
	// ResetLoginFailures sets the failure count to zero.
	ResetLoginFailures(ctx context.Context, username string) error
}

// LoginAttemptStore counts sign-in attempts per user and source in fixed
// windows (issue 11 §2). Each attempt is one conditional write, made
// before the password is hashed.
type LoginAttemptStore interface {
	// ReserveLoginAttempt counts one attempt in a's window on condition
	// that fewer than limit are counted there, and returns the count with
	// this one. When limit are counted already it counts nothing and
	// returns the count as stored and ErrConflict. The window is named by
	// its end, taken from the caller's clock: the count lives until then
	// (its ttl).
	ReserveLoginAttempt(ctx context.Context, a LoginAttempt, limit int) (int, error)
	// ResetLoginAttempts sets the count of a's window to zero: the right
	// password gives its attempt back and forgives the failures before
	// it. A window with no count is no error.
	ResetLoginAttempts(ctx context.Context, a LoginAttempt) error
	// UnlockLogin sets the count of every open window of user (a
	// LoginAttempt.User) to zero, whatever the source, and returns how
	// many windows held attempts.
	UnlockLogin(ctx context.Context, user string) (int, error)
}

// SessionStore persists refresh-capable sessions. Every write that must
// not race is a conditional write.
type SessionStore interface {
	// CreateSession writes a new session; ErrAlreadyExists if the id is taken.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns ErrNotFound for an unknown id or one whose
	// AbsoluteExpiresAt (its ttl) is not after the store's clock.
	GetSession(ctx context.Context, id string) (Session, error)
	// UpdateSession writes the mutable fields of s (Generation, Previous
	// and Current hashes, RotatedAt, IdleExpiresAt, LastUsedAt, AccessJTI,
	// IP, UserAgent) on condition that the stored generation equals
	// expectGeneration and the session is active. When the condition
	// fails it returns the session as stored now and ErrConflict.
	UpdateSession(ctx context.Context, s Session, expectGeneration int) (Session, error)
	// RevokeSession marks an active session revoked with a reason.
	// Revoking an already revoked session returns ErrConflict; an
	// unknown one ErrNotFound.
	RevokeSession(ctx context.Context, id, reason string, at time.Time) error
}

// SessionIndex reads a subject's sessions and tokens through the subject
// index (GSI1), one Query per call. The index may lag a moment behind the
// table on AWS: a session just created can be missing.
type SessionIndex interface {
	ListSubject(ctx context.Context, q ListQuery) (ListPage, error)
	// ActiveSessions returns the subject's active, unexpired sessions of
	// one client, oldest first, in one Query.
	ActiveSessions(ctx context.Context, subject, clientID string) ([]Session, error)
	// CreateSessionEvicting writes s and revokes the sessions named in
	// evict (reason evicted) in one request (a transaction); with no
	// evictions it is CreateSession.
	CreateSessionEvicting(ctx context.Context, s Session, evict []string) error
}

// AccessTokenStore persists what makes every access token revocable.
type AccessTokenStore interface {
	// CreateReferenceToken stores a reference token; ErrAlreadyExists if
	// the hash is taken.
	CreateReferenceToken(ctx context.Context, t ReferenceToken) error
	// RevokeReferenceToken marks the reference token with the given hash
	// revoked if clientID issued it; ErrNotFound when there is no such
	// token of that client, or it has expired.
	RevokeReferenceToken(ctx context.Context, hash []byte, clientID string) error
	// RevokeJTI denies a JWT's id until exp, when the entry expires.
	RevokeJTI(ctx context.Context, jti string, exp time.Time) error
	// AccessState reads everything the query names in one request
	// (a BatchGetItem), strongly consistent.
	AccessState(ctx context.Context, q AccessStateQuery) (AccessState, error)
}

// LongLivedStore persists long-lived tokens.
type LongLivedStore interface {
	// CreateLongLived stores t; ErrAlreadyExists if the id is taken.
	CreateLongLived(ctx context.Context, t LongLivedToken) error
	// GetLongLived returns ErrNotFound for an unknown or expired id.
	GetLongLived(ctx context.Context, id string) (LongLivedToken, error)
	// TouchLongLived sets LastUsedAt to at on condition that the token is
	// active and was last used before at-minInterval (or never): one
	// conditional write, so frequent use causes no write storm.
	// ErrConflict when the condition fails.
	TouchLongLived(ctx context.Context, id string, at time.Time, minInterval time.Duration) error
	// RevokeLongLived marks an active token revoked; ErrConflict if it
	// already is, ErrNotFound if it does not exist.
	RevokeLongLived(ctx context.Context, id string, at time.Time) error
}

// AuthorizationStore persists the short-lived items of the browser
// sign-in (docs/design.md §10): pending authorization requests and
// authorization codes, each under the SHA-256 of its secret.
type AuthorizationStore interface {
	// CreateAuthRequest stores a pending request; ErrAlreadyExists if
	// its hash is taken.
	CreateAuthRequest(ctx context.Context, r AuthRequest) error
	// GetAuthRequest returns ErrNotFound for an unknown hash or a request
	// whose ExpiresAt (its ttl) is not after the store's clock.
	GetAuthRequest(ctx context.Context, hash []byte) (AuthRequest, error)
	// FinishAuthRequest ends a pending request and writes what it led to,
	// in one request: it deletes the request on condition that it is
	// present, creates w.Code and w.Login when set, and adds w.Consent's
	// scopes to the subject's consent for the client when set. When the
	// request is gone (finished already, or expired) it writes nothing
	// and returns ErrNotFound.
	FinishAuthRequest(ctx context.Context, hash []byte, w AuthWrites) error
	// CreateCode stores an authorization code; ErrAlreadyExists if its
	// hash is taken.
	CreateCode(ctx context.Context, c AuthCode) error
	// RedeemCode marks a code redeemed in one conditional write: on
	// condition that it is present (its ttl after the store's clock), not
	// redeemed yet, and bound to r's client, redirect URI and code
	// challenge, it sets RedeemedAt and SessionID, moves its ttl to
	// r.KeepUntil and returns the code as written. When the condition
	// fails it returns the code as stored and ErrConflict, or ErrNotFound
	// when there is no such code or it has expired.
	RedeemCode(ctx context.Context, r CodeRedemption) (AuthCode, error)
}

// LoginStore persists login sessions (single sign-on), each under the
// SHA-256 of its cookie.
type LoginStore interface {
	// CreateLogin stores a login session; ErrAlreadyExists if its hash is taken.
	CreateLogin(ctx context.Context, l LoginSession) error
	// GetLogin returns ErrNotFound for an unknown hash or a login session
	// whose ExpiresAt (its ttl) is not after the store's clock.
	GetLogin(ctx context.Context, hash []byte) (LoginSession, error)
	// TouchLogin moves a present login session's idle expiry (and ttl) to
	// idleExpiresAt; ErrNotFound when it is missing or expired.
	TouchLogin(ctx context.Context, hash []byte, idleExpiresAt time.Time) error
	// DeleteLogin ends a login session; deleting a missing one is no error.
	DeleteLogin(ctx context.Context, hash []byte) error
}

// ConsentStore persists what each subject consented to, per client.
type ConsentStore interface {
	// GetConsent returns ErrNotFound when the subject has no consent for
	// the client.
	GetConsent(ctx context.Context, subject, clientID string) (Consent, error)
	// DeleteConsent withdraws a consent; withdrawing none is no error.
	DeleteConsent(ctx context.Context, subject, clientID string) error
}

// DeviceStore persists device authorizations (RFC 8628, docs/design.md
// §10): each under the SHA-256 of its device code (DEVICE#), with a copy
// under the HMAC of its user code (USERCODE#) that the verification page
// looks up. Only the device code's item changes.
type DeviceStore interface {
	// CreateDeviceGrant stores g under both hashes in one request;
	// ErrAlreadyExists if either is taken.
	CreateDeviceGrant(ctx context.Context, g DeviceGrant) error
	// GetDeviceByUserCode returns the grant a user code names as it was
	// created; ErrNotFound for an unknown hash or one whose ExpiresAt is
	// not after the store's clock.
	GetDeviceByUserCode(ctx context.Context, userCodeHash []byte) (DeviceGrant, error)
	// DecideDevice records the user's decision in one conditional write:
	// on condition that the grant is pending and its ExpiresAt is after
	// d.At. ErrConflict when it is not, ErrNotFound when it is gone.
	DecideDevice(ctx context.Context, hash []byte, d DeviceDecision) error
	// PollDevice records one poll at at by clientID and returns the grant
	// as written, in one conditional write and no read: on condition that
	// the grant is present, is clientID's and NextPollAt is not after at,
	// it moves NextPollAt to at+Interval. A poll too early instead raises
	// Interval by slowDown and moves NextPollAt to at plus the new
	// interval (a second write), and returns the grant so updated with
	// ErrConflict; another client's grant is returned unchanged with
	// ErrConflict. ErrNotFound when it is gone (its ttl has passed).
	PollDevice(ctx context.Context, hash []byte, clientID string, at time.Time, slowDown time.Duration) (DeviceGrant, error)
	// RedeemDevice marks an approved grant used, with the session its
	// tokens live in, in one conditional write (status approved), so its
	// tokens are issued once. ErrConflict with the grant as stored when
	// it is not approved, ErrNotFound when it is gone.
	RedeemDevice(ctx context.Context, hash []byte, sessionID string, at time.Time) (DeviceGrant, error)
}

// KeyStore persists the signing key set as one versioned record, so that
// a rotation is one conditional write and two containers can never both
// promote a key. The signer owns it, not the Service.
type KeyStore interface {
	// GetKeySet returns ErrNotFound when no key set exists yet.
	GetKeySet(ctx context.Context) (KeySet, error)
	// PutKeySet writes ks on condition that the stored version equals
	// expectVersion (0: no key set exists yet); ErrConflict otherwise.
	// ks.Version must be expectVersion+1.
	PutKeySet(ctx context.Context, ks KeySet, expectVersion int) error
}

// ClientMetadataFetcher fetches the Client ID Metadata Document at an
// https client_id (metadata.go); shared/clientmetadata implements it.
type ClientMetadataFetcher interface {
	// FetchClientMetadata returns the document whose client_id is
	// clientID, fetched from clientID or from a cache of it.
	FetchClientMetadata(ctx context.Context, clientID string) (oauth.ClientIDMetadataDocument, error)
	// ForgetClientMetadata drops a cached document found invalid.
	ForgetClientMetadata(clientID string)
}

// Signer signs access tokens and publishes the verification keys.
type Signer interface {
	// Sign returns the compact JWS of the claims, an RFC 9068 access token.
	Sign(ctx context.Context, c AccessClaims) (string, error)
	// JWKS returns the public key set as JSON (RFC 7517 §5).
	JWKS(ctx context.Context) ([]byte, error)
}

// Verifier checks an access token's signature, issuer and lifetime.
type Verifier interface {
	Verify(ctx context.Context, token string) (AccessClaims, error)
}

// PasswordHasher hashes and verifies user passwords (argon2id in production).
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash; an error
	// means the hash itself is malformed.
	Verify(encoded, password string) (bool, error)
}
