package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/tokens"
)

// failingAPI wraps a real client and fails every call with err before
// sending it, as an unreachable or throttling DynamoDB would.
type failingAPI struct {
	dynamo.API
	err error
}

func (a failingAPI) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return nil, a.err
}

func (a failingAPI) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return nil, a.err
}

func (a failingAPI) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return nil, a.err
}

func (a failingAPI) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return nil, a.err
}

func (a failingAPI) BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return nil, a.err
}

func (a failingAPI) TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return nil, a.err
}

// TestSDKErrorsAreWrapped checks that a DynamoDB failure reaches the core
// as itself, wrapped, and never as a sentinel the core would act on
// (invariant 4: it becomes 503, not invalid_grant).
func TestSDKErrorsAreWrapped(t *testing.T) {
	f := newFixture(t)
	boom := errors.New("injected: connection reset")
	s := dynamo.New(failingAPI{API: f.env.Client, err: boom}, f.env.Table, f.clock.Now)
	ctx := context.Background()
	calls := map[string]func() error{
		"CreateClient":         func() error { return s.CreateClient(ctx, newClient("a")) },
		"GetClient":            func() error { _, err := s.GetClient(ctx, "a"); return err },
		"ListClients":          func() error { _, err := s.ListClients(ctx); return err },
		"DisableClient":        func() error { return s.DisableClient(ctx, "a") },
		"CreateUser":           func() error { return s.CreateUser(ctx, newUser("u")) },
		"GetUser":              func() error { _, err := s.GetUser(ctx, "u"); return err },
		"RecordLoginFailure":   func() error { _, err := s.RecordLoginFailure(ctx, "u", t0); return err },
		"ResetLoginFailures":   func() error { return s.ResetLoginFailures(ctx, "u") },
		"CreateSession":        func() error { return s.CreateSession(ctx, newSession("s")) },
		"GetSession":           func() error { _, err := s.GetSession(ctx, "s"); return err },
		"UpdateSession":        func() error { _, err := s.UpdateSession(ctx, newSession("s"), 1); return err },
		"RevokeSession":        func() error { return s.RevokeSession(ctx, "s", tokens.ReasonRevoked, t0) },
		"GetKeySet":            func() error { _, err := s.GetKeySet(ctx); return err },
		"PutKeySet":            func() error { return s.PutKeySet(ctx, keySet(1, "k"), 0) },
		"CreateReferenceToken": func() error { return s.CreateReferenceToken(ctx, newReference("t")) },
		"RevokeReferenceToken": func() error { return s.RevokeReferenceToken(ctx, hash("t"), "app") },
		"RevokeJTI":            func() error { return s.RevokeJTI(ctx, "j", t0) },
		"AccessState": func() error {
			_, err := s.AccessState(ctx, tokens.AccessStateQuery{JTI: "j", SessionID: "s"})
			return err
		},
		"CreateLongLived": func() error { return s.CreateLongLived(ctx, newLongLived("lt", "u", t0)) },
		"GetLongLived":    func() error { _, err := s.GetLongLived(ctx, "lt"); return err },
		"TouchLongLived":  func() error { return s.TouchLongLived(ctx, "lt", t0, time.Minute) },
		"RevokeLongLived": func() error { return s.RevokeLongLived(ctx, "lt", t0) },
		"ListSubject": func() error {
			_, err := s.ListSubject(ctx, tokens.ListQuery{Subject: "u", Limit: 10})
			return err
		},
		"ActiveSessions":        func() error { _, err := s.ActiveSessions(ctx, "u", "app"); return err },
		"CreateSessionEvicting": func() error { return s.CreateSessionEvicting(ctx, newSession("s"), []string{"old"}) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, boom) || isSentinel(err) {
				t.Errorf("%s = %v; want the injected error, wrapped, and no sentinel", name, err)
			}
		})
	}
}
