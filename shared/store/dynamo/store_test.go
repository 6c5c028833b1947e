package dynamo_test

import (
	"context"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/latchkey/latchkey/shared/fakeclock"
	"github.com/latchkey/latchkey/shared/store/dynamo"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
	"github.com/latchkey/latchkey/shared/tokens"
)

// t0 is the fixtures' clock: far from the real time, with nanoseconds, so
// that no test passes by reading the wall clock or by truncating times.
var t0 = time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)

// fixture is a Store on a fresh DynamoDB Local table with a fake clock at t0.
type fixture struct {
	*dynamo.Store
	env   *dynamotest.Env
	clock *fakeclock.Clock
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	env := dynamotest.NewTable(t)
	clock := fakeclock.New(t0)
	return fixture{Store: dynamo.New(env.Client, env.Table, clock.Now), env: env, clock: clock}
}

// raw returns the stored attributes of the META item of partition pk.
func (f fixture) raw(t *testing.T, pk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := f.env.Client.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName:      aws.String(f.env.Table),
		Key:            metaKey(pk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("raw GetItem(%s) = %v", pk, err)
	}
	return out.Item
}

// putRaw writes item as it is, bypassing the Store.
func (f fixture) putRaw(t *testing.T, item map[string]any) {
	t.Helper()
	av, err := attributevalue.MarshalMap(item)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.env.Client.PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String(f.env.Table), Item: av,
	})
	if err != nil {
		t.Fatalf("raw PutItem = %v", err)
	}
}

func metaKey(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: pk},
		"SK": &types.AttributeValueMemberS{Value: "META"},
	}
}

func hash(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// newSession is an active session created at t0 that expires in 30 days.
func newSession(id string) tokens.Session {
	return tokens.Session{
		ID:                id,
		ClientID:          "app",
		Subject:           "user-1",
		Scopes:            []string{"openid", "offline_access"},
		CreatedAt:         t0,
		AuthTime:          t0.Add(-time.Minute),
		AbsoluteExpiresAt: t0.Add(30 * 24 * time.Hour),
		IdleExpiresAt:     t0.Add(7 * 24 * time.Hour),
		LastUsedAt:        t0,
		Generation:        1,
		Salt:              []byte("0123456789abcdef"),
		RotatedAt:         t0,
		CurrentHash:       hash(id + "/1"),
		AccessJTI:         "jti-1",
		Status:            tokens.SessionActive,
		IP:                "192.0.2.1",
		UserAgent:         "test/1.0",
	}
}

// rotated is s after one refresh at t.
func rotated(s tokens.Session, t time.Time) tokens.Session {
	s.Generation++
	s.PreviousHash = s.CurrentHash
	s.CurrentHash = hash(s.ID + "/" + strconv.Itoa(s.Generation))
	s.RotatedAt, s.LastUsedAt = t, t
	s.IdleExpiresAt = tokens.IdleExpiry(t, 7*24*time.Hour, s.AbsoluteExpiresAt)
	s.AccessJTI = "jti-" + t.Format(time.RFC3339Nano)
	return s
}

func newClient(id string) tokens.Client {
	return tokens.Client{
		ID: id, Name: "App " + id, SecretHash: hash("secret-" + id),
		AuthMethod:         "client_secret_basic",
		Grants:             []string{"client_credentials", "refresh_token"},
		Scopes:             []string{"read", "write", "offline_access"},
		AllowOfflineAccess: true, Introspect: true, AllowSelfMint: true,
		AccessTokenTTL: 15 * time.Minute, AccessTokenFormat: tokens.FormatJWT,
		RefreshAbsoluteTTL: 30 * 24 * time.Hour, RefreshIdleTTL: 7 * 24 * time.Hour,
		RefreshRotation: tokens.RotationRotate, RefreshReuseGrace: 1500 * time.Millisecond,
		MaxSessionsPerSubject: 50,
		ClaimSizeLimits:       map[string]int{"groups": 512},
		CreatedAt:             t0,
	}
}

func newUser(username string) tokens.User {
	return tokens.User{
		Username: username, Subject: "sub-" + username,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA",
		Claims:       map[string]any{"email": username + "@example.com"},
		CreatedAt:    t0,
	}
}
