package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// DeleteClient deletes CLIENT#<id> with one DeleteItem on condition that
// it exists and has not lapsed; tokens.ErrNotFound otherwise.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	const op = "delete client"
	expr, err := expression.NewBuilder().WithCondition(existsNow(s.now()).And(absentOrAfter(attrExpiresAt, s.now()))).Build()
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	_, err = s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: itemKey(clientPK(id)), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if _, lost := lostCondition(err); lost {
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return nil
}

// ExtendClient moves a self-registered client's expires_at and ttl to
// expiresAt with one conditional UpdateItem: the client must exist, not
// have lapsed, and expire before expiresAt (so an extension never
// shortens a registration, whichever container writes first). A client
// that is gone is tokens.ErrNotFound; one already expiring as late is
// tokens.ErrConflict.
func (s *Store) ExtendClient(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "extend client"
	now := s.now()
	cond := existsNow(now).And(after(attrExpiresAt, now)).
		And(expression.Name(attrExpiresAt).LessThan(expression.Value(timestamp{expiresAt})))
	upd := expression.Set(expression.Name(attrExpiresAt), expression.Value(timestamp{expiresAt})).
		Set(expression.Name(attrTTL), expression.Value(epochSeconds{expiresAt}))
	old, lost, err := s.update(ctx, op, clientPK(id), expression.NewBuilder().WithCondition(cond).WithUpdate(upd))
	switch {
	case lost && stillLive(old, now):
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
	case lost:
		return fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	return err
}

// stillLive reports whether an item returned by a lost condition is a
// client present at now.
func stillLive(item map[string]types.AttributeValue, now time.Time) bool {
	if len(item) == 0 {
		return false
	}
	_, err := decodeLive[clientItem](item, now)
	return err == nil
}
