package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"github.com/latchkey/latchkey/shared/tokens"
)

// SetUserDisabled sets the user's disabled flag in one UpdateItem and
// returns the user as updated, or tokens.ErrNotFound for an unknown
// username (issue 11 §5).
func (s *Store) SetUserDisabled(ctx context.Context, username string, disabled bool) (tokens.User, error) {
	const op = "set user disabled"
	upd := expression.Set(expression.Name(attrDisabled), expression.Value(disabled))
	av, err := s.updateExisting(ctx, op, userPK(username), upd)
	if err != nil {
		return tokens.User{}, err
	}
	u, err := decodeLive[userItem](av, s.now())
	if err != nil {
		return tokens.User{}, fmt.Errorf("dynamo: %s: %w", op, err)
	}
	return u, nil
}
