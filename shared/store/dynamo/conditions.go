package dynamo

import (
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// The conditions that more than one write or filter uses, each built here
// once; a kind's own conditions (liveSession, liveLongLived) combine them.

// keyFree is the condition of every create: no item has the key.
func keyFree() expression.ConditionBuilder {
	return expression.AttributeNotExists(expression.Name(attrPK))
}

// keyExists is the condition "the item exists".
func keyExists() expression.ConditionBuilder {
	return expression.AttributeExists(expression.Name(attrPK))
}

// existsNow is the condition "the item exists and has not expired at now".
// An item without ttl passes the second half. The operand is now's whole
// seconds, not an epochSeconds: for a whole-second ttl, ttl > ⌊now⌋ holds
// exactly when ttl > now, as expired decides on reads.
func existsNow(now time.Time) expression.ConditionBuilder {
	return expression.And(
		keyExists(),
		expression.Or(
			expression.AttributeNotExists(expression.Name(attrTTL)),
			expression.Name(attrTTL).GreaterThan(expression.Value(now.Unix())),
		),
	)
}

// liveNow is the condition "the item exists and neither its ttl nor its
// exact expires_at has passed at now": reference tokens, pending
// authorization requests, codes.
func liveNow(now time.Time) expression.ConditionBuilder {
	return existsNow(now).And(after(attrExpiresAt, now))
}

// after is the condition "attribute name holds a time after t". Stored
// times are fixed-width strings, so DynamoDB's string order is time order.
func after(name string, t time.Time) expression.ConditionBuilder {
	return expression.Name(name).GreaterThan(expression.Value(timestamp{t}))
}

// absentOrAfter is after, passed too by an item without the attribute (a
// long-lived token that never expires, a session without an idle limit).
func absentOrAfter(name string, t time.Time) expression.ConditionBuilder {
	return expression.Or(expression.AttributeNotExists(expression.Name(name)), after(name, t))
}

// active is the condition "status is active" (sessions, long-lived tokens).
func active() expression.ConditionBuilder {
	return expression.Name(attrStatus).Equal(expression.Value(tokens.SessionActive))
}

// ownedBy is the condition "the item exists and belongs to subject".
func ownedBy(subject string) expression.ConditionBuilder {
	return expression.And(keyExists(), expression.Name(attrSubject).Equal(expression.Value(subject)))
}

// Cancellation reason codes of a TransactionCanceledException, which gives
// one reason per action, in order: a failed condition, and an action that
// did not fail.
const (
	reasonConditionFailed = "ConditionalCheckFailed"
	reasonNone            = "None"
)

// lostCondition is the one way to recognise a write that lost its
// condition: a ConditionalCheckFailedException (a single-item write), or a
// TransactionCanceledException with at least one ConditionalCheckFailed
// reason. It returns one reason per action, each with the item its
// condition found when the write asked for ALL_OLD; a single-item write
// gives one ConditionalCheckFailed reason. ok is false for any other error,
// nil included.
func lostCondition(err error) (reasons []types.CancellationReason, ok bool) {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return []types.CancellationReason{{Code: aws.String(reasonConditionFailed), Item: ccf.Item}}, true
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && slices.ContainsFunc(tce.CancellationReasons, conditionFailed) {
		return tce.CancellationReasons, true
	}
	return nil, false
}

// conditionFailed reports whether r is a failed condition.
func conditionFailed(r types.CancellationReason) bool {
	return aws.ToString(r.Code) == reasonConditionFailed
}

// isConditionFailed is lostCondition for a caller that needs no reasons.
func isConditionFailed(err error) bool {
	_, lost := lostCondition(err)
	return lost
}
