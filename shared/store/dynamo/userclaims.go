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

// A user whose claims were set also has a subject item in partition
// USERSUB#<subject>: its username and a copy of its claims, so that
// userinfo, which knows only a token's sub, finds the claims in one read.
// SetUserClaims writes the user's claims and the subject item in one
// transaction, so the two never disagree. Claims are stored as a map of
// native DynamoDB values (S, N, BOOL, L, M), readable in the console.
const (
	userSubjectPrefix = "USERSUB#"
	attrClaims        = "claims"
)

// userSubjectItem is the subject item of a user.
type userSubjectItem struct {
	PK       string         `dynamodbav:"PK"`
	SK       string         `dynamodbav:"SK"`
	Username string         `dynamodbav:"username"`
	Subject  string         `dynamodbav:"subject"`
	Claims   map[string]any `dynamodbav:"claims,omitempty"`
}

func (it userSubjectItem) liveAt(time.Time) bool { return true }

func (it userSubjectItem) value() tokens.User {
	return tokens.User{Username: it.Username, Subject: it.Subject, Claims: it.Claims}
}

// SetUserClaims replaces the user's claims and its subject item in one
// TransactWriteItems, after one read for the subject; tokens.ErrNotFound
// for an unknown username. Empty claims remove them.
func (s *Store) SetUserClaims(ctx context.Context, username string, claims map[string]any) (tokens.User, error) {
	const op = "set user claims"
	u, err := s.GetUser(ctx, username)
	if err != nil {
		return tokens.User{}, err
	}
	in, err := s.userClaimsTx(u, claims)
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	_, err = s.api.TransactWriteItems(ctx, in)
	if isConditionFailed(err) {
		// The user was deleted or recreated with another subject since
		// the read.
		return tokens.User{}, fmt.Errorf("dynamo: %s: %w", op, tokens.ErrNotFound)
	}
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	if len(claims) == 0 {
		claims = nil
	}
	u.Claims = claims
	return u, nil
}

// userClaimsTx updates the user item on condition that it still has the
// subject read, and puts the subject item.
func (s *Store) userClaimsTx(u tokens.User, claims map[string]any) (*dynamodb.TransactWriteItemsInput, error) {
	upd := expression.Remove(expression.Name(attrClaims))
	if len(claims) > 0 {
		upd = expression.Set(expression.Name(attrClaims), expression.Value(claims))
	}
	expr, err := expression.NewBuilder().WithCondition(ownedBy(u.Subject)).WithUpdate(upd).Build()
	if err != nil {
		return nil, err
	}
	item, err := encodeItem(userSubjectItem{
		PK: userSubjectPrefix + u.Subject, SK: skMeta, Username: u.Username, Subject: u.Subject, Claims: claims,
	})
	if err != nil {
		return nil, err
	}
	return &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: aws.String(s.table), Key: itemKey(userPK(u.Username)),
			ConditionExpression: expr.Condition(), UpdateExpression: expr.Update(),
			ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
		}},
		{Put: &types.Put{TableName: aws.String(s.table), Item: item}},
	}}, nil
}

// GetUserBySubject returns the username and claims of the user with
// subject, from its subject item in one strongly consistent read;
// tokens.ErrNotFound when the user's claims were never set. Only
// Username, Subject and Claims are filled in.
func (s *Store) GetUserBySubject(ctx context.Context, subject string) (tokens.User, error) {
	return getLive[userSubjectItem](ctx, s, "get user by subject", itemKey(userSubjectPrefix+subject))
}
