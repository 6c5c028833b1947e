package tokens

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/oauth"
)

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

// Page size limits of the sessions page.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// SessionsRequest asks for one page of the sessions page.
type SessionsRequest struct {
	Subject  string
	ClientID string
	Type     string
	// Status is "active" (default) or "all".
	Status string
	Limit  int
	Cursor string
}

// SessionsPage is one page of sessions and long-lived tokens, newest first.
type SessionsPage struct {
	Entries    []ListEntry
	NextCursor string
	// Now is when the page was read, for each entry's status.
	Now time.Time
}

// Status is an entry's status at the time of the page: active, revoked
// or expired.
func (p SessionsPage) Status(e ListEntry) string {
	switch {
	case e.Session != nil && e.Session.Status != SessionActive:
		return e.Session.Status
	case e.Session != nil && !e.Session.Usable(p.Now):
		return "expired"
	case e.LongLived != nil && e.LongLived.Status != SessionActive:
		return e.LongLived.Status
	case e.LongLived != nil && !e.LongLived.ExpiresAt.IsZero() && !p.Now.Before(e.LongLived.ExpiresAt):
		return "expired"
	}
	return SessionActive
}

// ListSessions lists OAuth sessions and long-lived tokens, one store query
// per page. Administrators (sessions:read) may name any subject; everyone
// else sees only their own. Cursors are authenticated and bound to the
// query that made them, so a changed cursor is invalid_request and never
// another subject's data.
func (s *Service) ListSessions(ctx context.Context, p Principal, r SessionsRequest) (SessionsPage, error) {
	q, err := s.listQuery(p, r)
	if err != nil {
		return SessionsPage{}, err
	}
	page, err := s.store.ListSubject(ctx, q)
	if notFound(err) {
		return SessionsPage{}, oauth.InvalidRequest("the cursor is invalid")
	}
	if err != nil {
		return SessionsPage{}, storeError(err)
	}
	out := SessionsPage{Entries: page.Entries, Now: s.now()}
	if page.Next != "" {
		out.NextCursor = s.sealCursor(q, page.Next)
	}
	return out, nil
}

func (s *Service) listQuery(p Principal, r SessionsRequest) (ListQuery, error) {
	q := ListQuery{Subject: r.Subject, ClientID: r.ClientID, Type: r.Type, Limit: r.Limit}
	if q.Subject == "" {
		q.Subject = p.Subject
	}
	switch {
	case q.Subject == "":
		return ListQuery{}, oauth.InvalidRequest("subject is required")
	case !plausibleID(q.Subject) || (q.ClientID != "" && !plausibleID(q.ClientID)):
		return ListQuery{}, oauth.InvalidRequest("subject and client_id must be 1 to 128 printable characters")
	case q.Subject != p.Subject && !p.Can(ScopeSessionsRead):
		return ListQuery{}, oauth.InsufficientScope("listing another subject's sessions needs " + ScopeSessionsRead)
	case q.Type != "" && q.Type != ListTypeOAuth && q.Type != ListTypeLongLived:
		return ListQuery{}, oauth.InvalidRequest("type must be oauth or long_lived")
	case q.ClientID != "" && q.Type == ListTypeLongLived:
		return ListQuery{}, oauth.InvalidRequest("client_id filters OAuth sessions; it cannot go with type long_lived")
	case r.Status != "" && r.Status != "active" && r.Status != "all":
		return ListQuery{}, oauth.InvalidRequest("status must be active or all")
	case q.Limit < 0 || q.Limit > MaxPageSize:
		return ListQuery{}, oauth.InvalidRequest("limit must be between 1 and " + strconv.Itoa(MaxPageSize))
	}
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	q.ActiveOnly = r.Status != "all"
	if r.Cursor != "" {
		after, ok := s.openCursor(q, r.Cursor)
		if !ok {
			return ListQuery{}, oauth.InvalidRequest("the cursor is invalid")
		}
		q.After = after
	}
	return q, nil
}

// cursorMAC binds a store cursor to the query it continues.
func (s *Service) cursorMAC(q ListQuery, after string) []byte {
	m := hmac.New(sha256.New, s.cursorKey)
	for _, part := range []string{q.Subject, q.ClientID, q.Type, strconv.FormatBool(q.ActiveOnly), after} {
		m.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return m.Sum(nil)
}

func (s *Service) sealCursor(q ListQuery, after string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(after)) + "." + enc.EncodeToString(s.cursorMAC(q, after))
}

func (s *Service) openCursor(q ListQuery, cursor string) (string, bool) {
	enc := base64.RawURLEncoding.Strict()
	body, mac, ok := strings.Cut(cursor, ".")
	if !ok || len(s.cursorKey) == 0 {
		return "", false
	}
	after, err1 := enc.DecodeString(body)
	sum, err2 := enc.DecodeString(mac)
	canonical := enc.EncodeToString(after) == body && enc.EncodeToString(sum) == mac
	if err1 != nil || err2 != nil || !canonical || !hmac.Equal(sum, s.cursorMAC(q, string(after))) {
		return "", false
	}
	return string(after), true
}
