package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// User items live in partition USER#<username>.
const userPrefix = "USER#"

// userItem is a tokens.User as stored.
type userItem struct {
	PK           string            `dynamodbav:"PK"`
	SK           string            `dynamodbav:"SK"`
	Username     string            `dynamodbav:"username"`
	Subject      string            `dynamodbav:"subject"`
	PasswordHash string            `dynamodbav:"password_hash,omitempty"`
	Claims       map[string]string `dynamodbav:"claims,omitempty"`
	FailedLogins int               `dynamodbav:"failed_logins"`
	LastFailedAt timestamp         `dynamodbav:"last_failed_at,omitempty"`
	Disabled     bool              `dynamodbav:"disabled"`
	CreatedAt    timestamp         `dynamodbav:"created_at,omitempty"`
}

func userPK(username string) string { return userPrefix + username }

func toUserItem(u tokens.User) userItem {
	return userItem{
		PK: userPK(u.Username), SK: skMeta,
		Username: u.Username, Subject: u.Subject, PasswordHash: u.PasswordHash,
		Claims: u.Claims, FailedLogins: u.FailedLogins,
		LastFailedAt: timestamp{u.LastFailedAt}, Disabled: u.Disabled,
		CreatedAt: timestamp{u.CreatedAt},
	}
}

// decodeUser converts a raw item into a tokens.User.
func decodeUser(av map[string]types.AttributeValue) (tokens.User, error) {
	var it userItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return tokens.User{}, err
	}
	return tokens.User{
		Username: it.Username, Subject: it.Subject, PasswordHash: it.PasswordHash,
		Claims: it.Claims, FailedLogins: it.FailedLogins, LastFailedAt: it.LastFailedAt.Time,
		Disabled: it.Disabled, CreatedAt: it.CreatedAt.Time,
	}, nil
}

// CreateUser writes a new user; tokens.ErrAlreadyExists if the username is taken.
func (s *Store) CreateUser(ctx context.Context, u tokens.User) error {
	return s.putNew(ctx, "create user", toUserItem(u))
}

// GetUser returns the user, or tokens.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, username string) (tokens.User, error) {
	av, err := s.getItem(ctx, "get user", userPK(username))
	if err != nil {
		return tokens.User{}, err
	}
	u, err := decodeUser(av)
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: get user: decode: %w", err)
	}
	return u, nil
}

// RecordLoginFailure adds one to the user's failure count and sets
// LastFailedAt to at in one atomic UpdateItem (ADD, not read-modify-write,
// so concurrent failures all count). It returns the updated user, or
// tokens.ErrNotFound for an unknown username.
func (s *Store) RecordLoginFailure(ctx context.Context, username string, at time.Time) (tokens.User, error) {
	upd := expression.Add(expression.Name(attrFailedLogins), expression.Value(1)).
		Set(expression.Name(attrLastFailedAt), expression.Value(timestamp{at}))
	av, err := s.updateExisting(ctx, "record login failure", userPK(username), upd)
	if err != nil {
		return tokens.User{}, err
	}
	u, err := decodeUser(av)
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: record login failure: decode: %w", err)
	}
	return u, nil
}

// ResetLoginFailures sets the user's failure count to zero; tokens.ErrNotFound
// for an unknown username.
func (s *Store) ResetLoginFailures(ctx context.Context, username string) error {
	upd := expression.Set(expression.Name(attrFailedLogins), expression.Value(0))
	_, err := s.updateExisting(ctx, "reset login failures", userPK(username), upd)
	return err
}
