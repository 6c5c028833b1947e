package memstore

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Store keeps every item of the core in memory. The zero value is not
// usable; call New.
type Store struct {
	now func() time.Time

	mu        sync.Mutex
	clients   map[string]tokens.Client
	users     map[string]tokens.User
	sessions  map[string]tokens.Session
	refs      map[string]tokens.ReferenceToken // by string(hash)
	jtis      map[string]time.Time             // revoked JWT id → its exp
	longLived map[string]tokens.LongLivedToken
	keySet    *tokens.KeySet
	signIn    signIn             // signin.go
	devices   devices            // device.go
	attempts  map[attemptKey]int // loginattempt.go; made on first use
	// userSubjects maps the subject of a user whose claims were set to
	// its username (userclaims.go).
	userSubjects map[string]string
	ops          map[string]int
}

var (
	_ tokens.Store    = (*Store)(nil)
	_ tokens.KeyStore = (*Store)(nil)
)

// New returns an empty Store. now is the clock that decides whether an
// item has expired; nil means time.Now.
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{
		now:       now,
		clients:   map[string]tokens.Client{},
		users:     map[string]tokens.User{},
		sessions:  map[string]tokens.Session{},
		refs:      map[string]tokens.ReferenceToken{},
		jtis:      map[string]time.Time{},
		longLived: map[string]tokens.LongLivedToken{},
		ops:       map[string]int{},
	}
}

// Ops returns how many times each port method has been called since New
// or the last ResetOps, by method name ("GetSession", "UpdateSession", …).
// Each call counts once, whatever its outcome.
func (s *Store) Ops() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.ops)
}

// ResetOps sets every count to zero.
func (s *Store) ResetOps() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.ops)
}

// enter locks the store for one call of op and counts it. A context that
// has ended fails the call, as it fails an SDK request; then the store is
// left unlocked. On success the caller must unlock s.mu.
func (s *Store) enter(ctx context.Context, op string) error {
	s.mu.Lock()
	s.ops[op]++
	if err := ctx.Err(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	return nil
}

// fail wraps a sentinel (or any error) with the operation's name.
func fail(op string, err error) error { return fmt.Errorf("memstore: %s: %w", op, err) }

// utc is t as the DynamoDB store returns it: in UTC, without a monotonic
// reading; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// nilIfEmpty copies b, or returns nil when it is empty (the DynamoDB store
// returns an empty hash, salt or key as nil).
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

// timeLayout is the DynamoDB store's encoding of times: RFC 3339 in UTC
// with a fixed nine-digit fraction, so that encoded times sort as strings.
// The index sort keys are built from it, so both stores order alike.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime renders t as the DynamoDB store stores it; zero is "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}
