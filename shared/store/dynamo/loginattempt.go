package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// Sign-in attempts (issue 11 §2) live in partition LOGINATTEMPT#<user>,
// where user is the HMAC the core names a username by: one item per source
// and window, SK <source>#<window end in epoch seconds>, holding the count
// (attempts) and the window end as its ttl. No username is stored: what
// is typed into the username field is sometimes a password.
const loginAttemptPrefix = "LOGINATTEMPT#"

// attemptItem is one window's count as stored.
type attemptItem struct {
	TTL      epochSeconds `dynamodbav:"ttl"`
	Attempts int          `dynamodbav:"attempts"`
}

func (it attemptItem) liveAt(time.Time) bool { return true }

// value is the window's count.
func (it attemptItem) value() int { return it.Attempts }

// attemptKey is the primary key of a's window.
func attemptKey(a tokens.LoginAttempt) map[string]types.AttributeValue {
	return keyOf(loginAttemptPrefix+a.User, a.Source+"#"+strconv.FormatInt(a.WindowEnd.Unix(), 10))
}

// ReserveLoginAttempt counts one attempt in a's window with one
// conditional UpdateItem (ADD, on condition attempts < limit), and returns
// the count with it. When limit are counted already it returns the stored
// count and tokens.ErrConflict.
func (s *Store) ReserveLoginAttempt(ctx context.Context, a tokens.LoginAttempt, limit int) (int, error) {
	const op = "reserve login attempt"
	b := expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name(attrAttempts), expression.Value(1)).
			Set(expression.Name(attrTTL), expression.Value(epochSeconds{a.WindowEnd}))).
		WithCondition(expression.Or(
			expression.AttributeNotExists(expression.Name(attrAttempts)),
			expression.Name(attrAttempts).LessThan(expression.Value(limit)),
		))
	item, lost, err := s.updateKey(ctx, op, attemptKey(a), b)
	if err != nil {
		return 0, err
	}
	n, decErr := decodeItem[attemptItem](item)
	switch {
	case lost:
		return n, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrConflict)
	case decErr != nil:
		return 0, fmt.Errorf("dynamo: %s: %w", op, decErr)
	}
	return n, nil
}

// ResetLoginAttempts sets the count of a's window to zero with one
// unconditional UpdateItem; the window keeps its ttl.
func (s *Store) ResetLoginAttempts(ctx context.Context, a tokens.LoginAttempt) error {
	const op = "reset login attempts"
	b := expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name(attrAttempts), expression.Value(0)).
			Set(expression.Name(attrTTL), expression.Value(epochSeconds{a.WindowEnd})))
	_, _, err := s.updateKey(ctx, op, attemptKey(a), b)
	return err
}

// UnlockLogin reads user's partition (strongly consistent, page by page)
// and sets every open window that holds attempts to zero, one UpdateItem
// each, on condition that the item is still there.
func (s *Store) UnlockLogin(ctx context.Context, user string) (int, error) {
	const op = "unlock login"
	keyCond := expression.Key(attrPK).Equal(expression.Value(loginAttemptPrefix + user))
	expr, err := expression.NewBuilder().WithKeyCondition(keyCond).Build()
	if err != nil {
		return 0, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	pages := dynamodb.NewQueryPaginator(s.api, &dynamodb.QueryInput{
		TableName: aws.String(s.table), KeyConditionExpression: expr.KeyCondition(), ConsistentRead: aws.Bool(true),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	n, now := 0, s.now()
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("dynamo: %s: %w", op, err)
		}
		for _, av := range page.Items {
			attempts, err := decodeLive[attemptItem](av, now)
			if errors.Is(err, tokens.ErrNotFound) || (err == nil && attempts == 0) {
				continue
			}
			if err != nil {
				return n, fmt.Errorf("dynamo: %s: %w", op, err)
			}
			if err := s.zeroAttempts(ctx, av); err != nil {
				return n, fmt.Errorf("dynamo: %s: %w", op, err)
			}
			n++
		}
	}
	return n, nil
}

// zeroAttempts sets the count of the stored window av to zero, unless the
// item has gone meanwhile.
func (s *Store) zeroAttempts(ctx context.Context, av map[string]types.AttributeValue) error {
	expr, err := expression.NewBuilder().
		WithUpdate(expression.Set(expression.Name(attrAttempts), expression.Value(0))).
		WithCondition(keyExists()).Build()
	if err != nil {
		return err
	}
	_, err = s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: map[string]types.AttributeValue{attrPK: av[attrPK], attrSK: av[attrSK]},
		UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if isConditionFailed(err) {
		return nil
	}
	return err
}
