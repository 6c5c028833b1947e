package dynamo

import (
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

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
