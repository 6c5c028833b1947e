package tokens

import (
	"context"
	"time"
)

// LongLivedPrefix marks long-lived tokens (DESIGN.md §4).
const LongLivedPrefix = "lk_lt_"

// LongLivedToken is a minted long-lived token as stored: a hash, never
// the token. ID is derived from the hash, so DELETE /tokens/{id} needs
// no secret.
type LongLivedToken struct {
	ID      string
	Hash    []byte
	Name    string
	Subject string
	Scopes  []string
	// CreatedBy is the subject or client that minted it.
	CreatedBy string
	CreatedAt time.Time
	// ExpiresAt is zero for a token that never expires.
	ExpiresAt  time.Time
	LastUsedAt time.Time
	Status     string
	RevokedAt  time.Time
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

// Listing types of the sessions page.
const (
	ListTypeOAuth     = "oauth"
	ListTypeLongLived = "long_lived"
)

// ListQuery selects one page of a subject's sessions and long-lived
// tokens, newest first.
type ListQuery struct {
	Subject string
	// ClientID, when set, keeps only OAuth sessions of that client.
	ClientID string
	// Type is "", ListTypeOAuth or ListTypeLongLived.
	Type string
	// ActiveOnly drops revoked and expired entries.
	ActiveOnly bool
	// Limit bounds the items the query reads (DynamoDB's Limit, applied
	// before the filters, so a page may hold fewer).
	Limit int
	// After is the store's cursor from the previous page, or "".
	After string
}

// ListEntry is one row of the sessions page: exactly one field is set.
type ListEntry struct {
	Session   *Session
	LongLived *LongLivedToken
}

// ListPage is one page and the cursor to the next ("" on the last page).
type ListPage struct {
	Entries []ListEntry
	Next    string
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
