package dynamo_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Claims are stored as native DynamoDB values, readable in the console:
// a map (M) of strings (S), numbers (N), booleans (BOOL) and lists (L),
// on the user item and on its subject item alike. SetUserClaims is one
// read and one transaction.
func TestUserClaimsEncoding(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := newUser("ada")
	u.Claims = nil
	if err := f.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	f.env.Counter.Reset()
	claims := map[string]any{"email": "ada@example.com", "email_verified": true, "updated_at": 1.7e9, "groups": []any{"admins"}}
	if _, err := f.SetUserClaims(ctx, "ada", claims); err != nil {
		t.Fatal(err)
	}
	if got := f.env.Counter.Ops(); got["GetItem"] != 1 || got["TransactWriteItems"] != 1 || len(got) != 2 {
		t.Errorf("SetUserClaims calls = %v; want one GetItem and one TransactWriteItems", got)
	}
	for _, pk := range []string{"USER#ada", "USERSUB#" + u.Subject} {
		m, ok := f.raw(t, pk)["claims"].(*types.AttributeValueMemberM)
		if !ok {
			t.Fatalf("%s claims = %T; want a map (M)", pk, f.raw(t, pk)["claims"])
		}
		_, s := m.Value["email"].(*types.AttributeValueMemberS)
		_, b := m.Value["email_verified"].(*types.AttributeValueMemberBOOL)
		n, isN := m.Value["updated_at"].(*types.AttributeValueMemberN)
		_, l := m.Value["groups"].(*types.AttributeValueMemberL)
		if !s || !b || !isN || n.Value != "1700000000" || !l {
			t.Errorf("%s claims = %#v; want email S, email_verified BOOL, updated_at N 1700000000, groups L", pk, m.Value)
		}
	}
	f.env.Counter.Reset()
	if _, err := f.GetUserBySubject(ctx, u.Subject); err != nil {
		t.Fatal(err)
	}
	if got := f.env.Counter.Ops(); got["GetItem"] != 1 || len(got) != 1 {
		t.Errorf("GetUserBySubject calls = %v; want one GetItem", got)
	}
}
