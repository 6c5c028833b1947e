package memstore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Index item prefixes, as in the DynamoDB table: the cursor names an item
// by them, so a cursor means the same position in both stores.
const (
	sessionPrefix   = "SESSION#"
	longLivedPrefix = "LT#"
	subjectPrefix   = "SUB#"
	skMeta          = "META"
)

// indexItem is one entry of a subject's index partition, sorted by sk
// (<created>#<id>), then by pk.
type indexItem struct {
	sk, pk    string
	session   *tokens.Session
	longLived *tokens.LongLivedToken
}

// compare orders index items as the subject index does.
func (a indexItem) compare(b indexItem) int {
	if c := strings.Compare(a.sk, b.sk); c != 0 {
		return c
	}
	return strings.Compare(a.pk, b.pk)
}

// subjectIndex returns the subject's sessions and long-lived tokens,
// expired or not, oldest first.
func (s *Store) subjectIndex(subject string) []indexItem {
	var items []indexItem
	for id, sess := range s.sessions {
		if sess.Subject == subject {
			items = append(items, indexItem{sk: formatTime(sess.CreatedAt) + "#" + id, pk: sessionPrefix + id, session: &sess})
		}
	}
	for id, t := range s.longLived {
		if t.Subject == subject {
			items = append(items, indexItem{sk: formatTime(t.CreatedAt) + "#" + id, pk: longLivedPrefix + id, longLived: &t})
		}
	}
	slices.SortFunc(items, indexItem.compare)
	return items
}

// ListSubject returns one page of the subject's sessions and long-lived
// tokens, newest first, as the DynamoDB store's Query does: q.Limit bounds
// the items read before the filter (none when not positive), so a page
// may hold fewer, and a page that read q.Limit items has a cursor even
// when nothing follows. A cursor that is malformed or names another
// subject is tokens.ErrNotFound.
func (s *Store) ListSubject(ctx context.Context, q tokens.ListQuery) (tokens.ListPage, error) {
	const op = "ListSubject"
	if err := s.enter(ctx, op); err != nil {
		return tokens.ListPage{}, err
	}
	defer s.mu.Unlock()
	if q.Subject == "" {
		return tokens.ListPage{}, fail(op, errors.New("no subject"))
	}
	start, err := decodeCursor(q.After, q.Subject)
	if err != nil {
		return tokens.ListPage{}, fail(op, err)
	}
	items := s.subjectIndex(q.Subject)
	slices.Reverse(items)
	if start != nil {
		// The query resumes after the cursor's item, whether it still exists or not.
		from := slices.IndexFunc(items, func(it indexItem) bool { return it.compare(*start) < 0 })
		if from < 0 {
			from = len(items)
		}
		items = items[from:]
	}
	page := tokens.ListPage{Entries: []tokens.ListEntry{}}
	if q.Limit > 0 && len(items) >= q.Limit {
		items = items[:q.Limit]
		page.Next = encodeCursor(items[len(items)-1], q.Subject)
	}
	now := s.now()
	for _, it := range items {
		if e, ok := listed(it, q, now); ok {
			page.Entries = append(page.Entries, e)
		}
	}
	return page, nil
}

// listed returns it as a page entry if it passes q's filters at now.
func listed(it indexItem, q tokens.ListQuery, now time.Time) (tokens.ListEntry, bool) {
	if sess := it.session; sess != nil {
		ok := sess.AbsoluteExpiresAt.After(now) &&
			(q.Type == "" || q.Type == tokens.ListTypeOAuth) &&
			(q.ClientID == "" || q.ClientID == sess.ClientID) &&
			(!q.ActiveOnly || sess.Usable(now))
		rec := sessionRecord(*sess)
		return tokens.ListEntry{Session: &rec}, ok
	}
	t := it.longLived
	ok := !expiredAt(*t, now) &&
		(q.Type == "" || q.Type == tokens.ListTypeLongLived) &&
		q.ClientID == "" &&
		(!q.ActiveOnly || t.Status == tokens.SessionActive)
	rec := longLivedRecord(*t)
	return tokens.ListEntry{LongLived: &rec}, ok
}

// ActiveSessions returns the subject's usable sessions of clientID (of
// every client when clientID is empty, as the DynamoDB store's filter
// does), oldest first.
func (s *Store) ActiveSessions(ctx context.Context, subject, clientID string) ([]tokens.Session, error) {
	if err := s.enter(ctx, "ActiveSessions"); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	now := s.now()
	q := tokens.ListQuery{ClientID: clientID, Type: tokens.ListTypeOAuth, ActiveOnly: true}
	sessions := []tokens.Session{}
	for _, it := range s.subjectIndex(subject) {
		if e, ok := listed(it, q, now); ok {
			sessions = append(sessions, *e.Session)
		}
	}
	return sessions, nil
}
