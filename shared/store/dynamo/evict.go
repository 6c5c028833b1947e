package dynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Session cap (docs/design.md §2): the new session and the evictions are one
// TransactWriteItems, so a session is never created without its
// evictions nor an eviction made for a session that was not created.
const (
	// maxTransactItems is DynamoDB's limit of actions in one transaction.
	maxTransactItems = 100
	// evictAttempts bounds the transactions of one CreateSessionEvicting.
	evictAttempts = 2
)

// CreateSessionEvicting writes sess and revokes the sessions named in evict
// (status revoked, reason evicted, revoked_at sess.CreatedAt) in one
// TransactWriteItems: a Put of SESSION#<sid> on attribute_not_exists(PK),
// and per evicted id an Update of SESSION#<id> on condition that it exists,
// belongs to sess.Subject and is active. With nothing to evict it is
// CreateSession, one PutItem.
//
// A taken session id is tokens.ErrAlreadyExists and evicts nothing. When
// only evictions fail their condition (someone else revoked those
// sessions meanwhile), it retries once without them, so the session is
// still created; should that race again, it falls back to CreateSession.
// A transaction holds at most 100 actions: ids beyond the first 99 are
// revoked one UpdateItem each after the transaction succeeds (only when a
// client's cap was lowered far below its sessions).
func (s *Store) CreateSessionEvicting(ctx context.Context, sess tokens.Session, evict []string) error {
	evict = evictable(sess.ID, evict)
	if len(evict) == 0 {
		return s.CreateSession(ctx, sess)
	}
	if sess.AbsoluteExpiresAt.IsZero() {
		return errors.New("dynamo: create session evicting: no absolute expiry")
	}
	at := sess.CreatedAt
	if at.IsZero() {
		at = s.now()
	}
	inTx, rest := evict, []string(nil)
	if len(evict) > maxTransactItems-1 {
		inTx, rest = evict[:maxTransactItems-1], evict[maxTransactItems-1:]
	}
	if err := s.createEvicting(ctx, sess, inTx, at); err != nil {
		return err
	}
	for _, id := range rest {
		err := s.RevokeSession(ctx, id, tokens.ReasonEvicted, at)
		if err != nil && !errors.Is(err, tokens.ErrConflict) && !errors.Is(err, tokens.ErrNotFound) {
			return err
		}
	}
	return nil
}

// createEvicting runs the transaction, dropping evictions whose condition
// failed and retrying, at most evictAttempts transactions; then, or when
// no eviction is left, it is CreateSession.
func (s *Store) createEvicting(ctx context.Context, sess tokens.Session, evict []string, at time.Time) error {
	for range evictAttempts {
		if len(evict) == 0 {
			break
		}
		failed, err := s.evictTx(ctx, sess, evict, at)
		if len(failed) == 0 {
			return err
		}
		evict = slices.DeleteFunc(evict, func(id string) bool { return slices.Contains(failed, id) })
	}
	return s.CreateSession(ctx, sess)
}

// evictTx sends one TransactWriteItems. failed lists the evicted ids whose
// condition failed when nothing else did; err is the outcome otherwise.
func (s *Store) evictTx(ctx context.Context, sess tokens.Session, evict []string, at time.Time) (failed []string, err error) {
	const op = "create session evicting"
	in, err := s.evictInput(sess, evict, at)
	if err != nil {
		return nil, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	_, err = s.api.TransactWriteItems(ctx, in)
	reasons, lost := lostCondition(err)
	if !lost {
		if err != nil {
			return nil, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		return nil, nil
	}
	if len(reasons) != len(in.TransactItems) {
		return nil, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	if conditionFailed(reasons[0]) {
		if sameItem(reasons[0].Item, in.TransactItems[0].Put.Item) {
			return nil, nil // an earlier attempt of this transaction landed; transactions are all or nothing
		}
		return nil, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrAlreadyExists)
	}
	for i, r := range reasons[1:] {
		switch aws.ToString(r.Code) {
		case reasonConditionFailed:
			failed = append(failed, evict[i])
		case "", reasonNone:
		default:
			return nil, fmt.Errorf("dynamo: %s: %w", op, err)
		}
	}
	return failed, nil // not empty: lostCondition found a failed condition, not the Put's
}

// evictInput builds the transaction: the Put first, then one Update per
// evicted id, in evict's order (cancellation reasons follow it).
func (s *Store) evictInput(sess tokens.Session, evict []string, at time.Time) (*dynamodb.TransactWriteItemsInput, error) {
	put, err := s.newItemPut(toSessionItem(sess))
	if err != nil {
		return nil, err
	}
	put.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	items := []types.TransactWriteItem{{Put: put}}
	updExpr, err := expression.NewBuilder().WithCondition(ownedBy(sess.Subject).And(active())).
		WithUpdate(revokeUpdate(tokens.ReasonEvicted, at)).Build()
	if err != nil {
		return nil, err
	}
	for _, id := range evict {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.table), Key: itemKey(sessionPK(id)),
			ConditionExpression: updExpr.Condition(), UpdateExpression: updExpr.Update(),
			ExpressionAttributeNames: updExpr.Names(), ExpressionAttributeValues: updExpr.Values(),
		}})
	}
	// The SDK fills in ClientRequestToken and resends it when it retries,
	// so a transaction that succeeded but whose answer was lost is not
	// reported as a taken id.
	return &dynamodb.TransactWriteItemsInput{TransactItems: items}, nil
}

// evictable returns evict without blanks, duplicates and the new session's
// own id: a transaction may touch an item only once.
func evictable(newID string, evict []string) []string {
	var out []string
	for _, id := range evict {
		if id != "" && id != newID && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
