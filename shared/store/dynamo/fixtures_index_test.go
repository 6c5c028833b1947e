package dynamo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/tokens"
)

// newReference is a reference access token of session s1 issued at t0 for
// 15 minutes.
func newReference(token string) tokens.ReferenceToken {
	return tokens.ReferenceToken{
		Hash:      hash(token),
		JTI:       "jti-" + token,
		ClientID:  "app",
		Subject:   "user-1",
		Scopes:    []string{"read", "write"},
		Audience:  []string{"https://api.example.com"},
		SessionID: "s1",
		AuthTime:  t0.Add(-time.Minute),
		IssuedAt:  t0,
		ExpiresAt: t0.Add(15 * time.Minute),
	}
}

// newLongLived is an active long-lived token of subject created at created
// that expires a year later.
func newLongLived(id, subject string, created time.Time) tokens.LongLivedToken {
	return tokens.LongLivedToken{
		ID: id, Hash: hash("lk_lt_" + id), Name: "CI " + id, Subject: subject,
		Scopes: []string{"read"}, CreatedBy: "admin", CreatedAt: created,
		ExpiresAt: created.AddDate(1, 0, 0), Status: tokens.SessionActive,
	}
}

// sessionOf is newSession(id) for subject and client, created at created.
func sessionOf(id, subject, client string, created time.Time) tokens.Session {
	s := newSession(id)
	s.Subject, s.ClientID = subject, client
	s.CreatedAt, s.RotatedAt, s.LastUsedAt = created, created, created
	s.AbsoluteExpiresAt = created.Add(30 * 24 * time.Hour)
	s.IdleExpiresAt = created.Add(7 * 24 * time.Hour)
	return s
}

// entryIDs returns the ids of a page's entries, in order, each prefixed
// with its kind ("s:" or "lt:") so that a wrongly decoded entry shows.
func entryIDs(t *testing.T, entries []tokens.ListEntry) []string {
	t.Helper()
	ids := []string{}
	for i, e := range entries {
		switch {
		case e.Session != nil && e.LongLived == nil:
			ids = append(ids, "s:"+e.Session.ID)
		case e.LongLived != nil && e.Session == nil:
			ids = append(ids, "lt:"+e.LongLived.ID)
		default:
			t.Errorf("entry %d = %+v; want exactly one field set", i, e)
		}
	}
	return ids
}

// sameIDs reports a difference between two id lists.
func sameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %v (%d); want %v (%d)", what, got, len(got), want, len(want))
	}
}

// rawKey returns the stored attributes of the item (pk, sk).
func (f fixture) rawKey(t *testing.T, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(f.env.Table),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk},
			"SK": &types.AttributeValueMemberS{Value: sk},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("raw GetItem(%s, %s) = %v", pk, sk, err)
	}
	return out.Item
}
