package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// A subject's sessions and long-lived tokens share the GSI1 partition
// SUB#<subject>, sorted by <created>#<id>, so the sessions page is one Query
// newest first and the session cap one Query oldest first. GSI reads cannot
// be strongly consistent: on AWS an item written a moment ago may be
// missing or stale (docs/design.md §9).

// ListSubject reads one page of the subject's sessions and long-lived
// tokens with one Query on GSI1 (GSI1PK = SUB#<subject>), newest first,
// Limit = q.Limit items read before the filter (no Limit when q.Limit is
// not positive: DynamoDB's 1 MB page). The filter expression keeps items
// whose ttl and exact expiry are after the store's clock, and applies
// q.Type (#type; session items without one are oauth), q.ClientID
// (client_id, which only sessions have) and q.ActiveOnly (status active,
// and for sessions idle_expires_at after now).
//
// Next is the page's cursor (see encodeCursor), or "" on the last page.
// A malformed q.After, or one that names another subject's partition,
// gives an error wrapping tokens.ErrNotFound: the page it points to does
// not exist, and no cursor can move the query to another subject.
func (s *Store) ListSubject(ctx context.Context, q tokens.ListQuery) (tokens.ListPage, error) {
	const op = "list subject"
	if q.Subject == "" {
		return tokens.ListPage{}, errors.New("dynamo: list subject: no subject")
	}
	start, err := decodeCursor(q.After, q.Subject)
	if err != nil {
		return tokens.ListPage{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	now := s.now()
	in, err := s.subjectQuery(q.Subject, listFilter(q, now))
	if err != nil {
		return tokens.ListPage{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	in.ScanIndexForward = aws.Bool(false)
	in.ExclusiveStartKey = start
	if q.Limit > 0 {
		in.Limit = aws.Int32(int32(min(q.Limit, 1<<30)))
	}
	out, err := s.api.Query(ctx, in)
	if err != nil {
		return tokens.ListPage{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	page := tokens.ListPage{Entries: []tokens.ListEntry{}}
	for _, av := range out.Items {
		e, ok, err := decodeEntry(av, now)
		if err != nil {
			return tokens.ListPage{}, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		if ok {
			page.Entries = append(page.Entries, e)
		}
	}
	if page.Next, err = encodeCursor(out.LastEvaluatedKey); err != nil {
		return tokens.ListPage{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return page, nil
}

// ActiveSessions returns the subject's usable sessions of clientID, oldest
// first: one Query on GSI1 (GSI1PK = SUB#<subject>) filtered on type oauth,
// client_id, status active and both expiries after the store's clock. It
// stays one request unless the subject's index items pass 1 MB (thousands
// of sessions), when it follows LastEvaluatedKey page by page.
func (s *Store) ActiveSessions(ctx context.Context, subject, clientID string) ([]tokens.Session, error) {
	const op = "active sessions"
	now := s.now()
	filter := listFilter(tokens.ListQuery{ClientID: clientID, Type: tokens.ListTypeOAuth, ActiveOnly: true}, now)
	in, err := s.subjectQuery(subject, filter)
	if err != nil {
		return nil, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	in.ScanIndexForward = aws.Bool(true)
	sessions := []tokens.Session{}
	pages := dynamodb.NewQueryPaginator(s.api, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		for _, av := range out.Items {
			sess, err := decodeLive[sessionItem](av, now)
			if errors.Is(err, tokens.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("dynamo: %s: %w", op, err)
			}
			if sess.Usable(now) {
				sessions = append(sessions, sess)
			}
		}
	}
	return sessions, nil
}

// subjectQuery is a Query of the subject's GSI1 partition with filter.
func (s *Store) subjectQuery(subject string, filter expression.ConditionBuilder) (*dynamodb.QueryInput, error) {
	keyCond := expression.Key(attrGSI1PK).Equal(expression.Value(subjectPrefix + subject))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).WithFilter(filter).Build()
	if err != nil {
		return nil, err
	}
	return &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    expr.KeyCondition(),
		FilterExpression:          expr.Filter(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}, nil
}

// listFilter is the filter expression of q at now. Every item must be
// present (ttl, absolute_expires_at and expires_at after now, where the
// item has them); q narrows by type, client and status.
func listFilter(q tokens.ListQuery, now time.Time) expression.ConditionBuilder {
	cond := existsNow(now).
		And(absentOrAfter(attrAbsoluteExpAt, now)).
		And(absentOrAfter(attrExpiresAt, now))
	switch q.Type {
	case "":
	case tokens.ListTypeOAuth:
		cond = cond.And(expression.Or(
			expression.Name(attrType).Equal(expression.Value(tokens.ListTypeOAuth)),
			expression.AttributeNotExists(expression.Name(attrType)),
		))
	default:
		cond = cond.And(expression.Name(attrType).Equal(expression.Value(q.Type)))
	}
	if q.ClientID != "" {
		cond = cond.And(expression.Name(attrClientID).Equal(expression.Value(q.ClientID)))
	}
	if q.ActiveOnly {
		cond = cond.And(active()).And(absentOrAfter(attrIdleExpAt, now))
	}
	return cond
}

// decodeEntry converts one index item by its type. ok is false for an item
// that has expired at now or is of a kind the sessions page does not show.
func decodeEntry(av map[string]types.AttributeValue, now time.Time) (e tokens.ListEntry, ok bool, err error) {
	switch itemType(av) {
	case tokens.ListTypeLongLived:
		t, err := decodeLive[longLivedItem](av, now)
		if err != nil {
			return tokens.ListEntry{}, false, ignoreNotFound(err)
		}
		return tokens.ListEntry{LongLived: &t}, true, nil
	case tokens.ListTypeOAuth:
		sess, err := decodeLive[sessionItem](av, now)
		if err != nil {
			return tokens.ListEntry{}, false, ignoreNotFound(err)
		}
		return tokens.ListEntry{Session: &sess}, true, nil
	}
	return tokens.ListEntry{}, false, nil
}

// itemType is the item's type attribute; a session item written before
// sessions had one is oauth.
func itemType(av map[string]types.AttributeValue) string {
	if t, ok := av[attrType].(*types.AttributeValueMemberS); ok {
		return t.Value
	}
	if pk, ok := av[attrPK].(*types.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, sessionPrefix) {
		return tokens.ListTypeOAuth
	}
	return ""
}

// ignoreNotFound returns nil for tokens.ErrNotFound, else err.
func ignoreNotFound(err error) error {
	if errors.Is(err, tokens.ErrNotFound) {
		return nil
	}
	return err
}
