package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/latchkey/latchkey/shared/config/configtest"
	"github.com/latchkey/latchkey/shared/store/dynamo"
)

// EndpointEnv names the environment variable holding DynamoDB Local's URL,
// for example http://127.0.0.1:8766.
const EndpointEnv = configtest.DynamoDBEnv

// setupTimeout bounds creating and deleting a test table.
const setupTimeout = 30 * time.Second

// Env is one test's table on DynamoDB Local.
type Env struct {
	// Client talks to DynamoDB Local and counts its calls in Counter.
	Client *dynamodb.Client
	// Table is the name of the fresh table, deleted when the test ends.
	Table string
	// Counter counts Client's calls; it starts at zero once the table exists.
	Counter *Counter
}

// NewTable creates a fresh table from the repository's template.yaml on the
// DynamoDB Local at $LATCHKEY_TEST_DYNAMODB and deletes it when t ends.
// Without the variable it skips t, or fails it when $CI is "true", so CI
// never passes by skipping storage tests.
func NewTable(t testing.TB) *Env {
	t.Helper()
	endpoint := Endpoint(t)
	counter := NewCounter()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	client, err := dynamo.NewClient(ctx, "", endpoint, counter.Option())
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	name := tableName(t)
	if err := dynamo.CreateTable(ctx, client, name, Template(t)); err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	t.Cleanup(func() { deleteTable(t, client, name) })
	counter.Reset()
	return &Env{Client: client, Table: name, Counter: counter}
}

// Endpoint returns $LATCHKEY_TEST_DYNAMODB, or skips t (fails it when $CI
// is "true") if it is unset.
func Endpoint(t testing.TB) string {
	t.Helper()
	endpoint, inCI := configtest.DynamoDB()
	if endpoint != "" {
		return endpoint
	}
	msg := "set " + EndpointEnv + " to a DynamoDB Local URL (e.g. http://127.0.0.1:8766); make test does"
	if inCI {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Template returns the repository's template.yaml.
func Template(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return b
}

// RepoRoot walks up from the working directory (a package's folder under
// go test) to the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("dynamotest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// unsafeName matches what a table name may not hold.
var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// tableName is lk-<test name>-<random>, legal and unique per call.
func tableName(t testing.TB) string {
	name := unsafeName.ReplaceAllString(t.Name(), "_")
	if len(name) > 80 {
		name = name[:80]
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	return "lk-" + name + "-" + hex.EncodeToString(suffix)
}

func deleteTable(t testing.TB, client *dynamodb.Client, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if _, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)}); err != nil {
		t.Errorf("dynamotest: delete table %s: %v", name, err)
	}
}
