package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/latchkey/latchkey/shared/tokens"
)

// User items live in partition USER#<username>.
const userPrefix = "USER#"

// userItem is a tokens.User as stored.
type userItem struct {
	PK           string         `dynamodbav:"PK"`
	SK           string         `dynamodbav:"SK"`
	Username     string         `dynamodbav:"username"`
	Subject      string         `dynamodbav:"subject"`
	PasswordHash string         `dynamodbav:"password_hash,omitempty"`
	Claims       map[string]any `dynamodbav:"claims,omitempty"`
	FailedLogins int            `dynamodbav:"failed_logins"`
	LastFailedAt timestamp      `dynamodbav:"last_failed_at,omitempty"`
	Disabled     bool           `dynamodbav:"disabled"`
	CreatedAt    timestamp      `dynamodbav:"created_at,omitempty"`
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

func (it userItem) liveAt(time.Time) bool { return true }

func (it userItem) value() tokens.User {
	return tokens.User{
		Username: it.Username, Subject: it.Subject, PasswordHash: it.PasswordHash,
		Claims: it.Claims, FailedLogins: it.FailedLogins, LastFailedAt: it.LastFailedAt.Time,
		Disabled: it.Disabled, CreatedAt: it.CreatedAt.Time,
	}
}

// CreateUser writes a new user; tokens.ErrAlreadyExists if the username is taken.
func (s *Store) CreateUser(ctx context.Context, u tokens.User) error {
	return s.putNew(ctx, "create user", toUserItem(u))
}

// GetUser returns the user, or tokens.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, username string) (tokens.User, error) {
	return getLive[userItem](ctx, s, "get user", itemKey(userPK(username)))
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
	u, err := decodeLive[userItem](av, s.now())
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: record login failure: %w", err)
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
