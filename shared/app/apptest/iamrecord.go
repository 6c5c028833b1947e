package apptest

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/latchkey/latchkey/shared/app"
	"github.com/latchkey/latchkey/shared/config"
	"github.com/latchkey/latchkey/shared/httpapi"
)

// Access is one DynamoDB permission a function used, in IAM's terms: the
// action (TransactWriteItems counts as the Put, Update, Delete and
// ConditionCheck actions inside it, as IAM authorises it), the resource
// ("table" or "index/<name>") and the class of the partition key IAM
// tests with dynamodb:LeadingKeys: the key up to and including its first
// '#' (SESSION#), or the whole key when it has none (KEYSET).
type Access struct {
	Function string
	Action   string
	Resource string
	Prefix   string
}

func (a Access) String() string {
	return fmt.Sprintf("%s: dynamodb:%s on %s, leading key %s", a.Function, a.Action, a.Resource, a.Prefix)
}

// Accesses records what each function asks of DynamoDB: every call a
// DynamoDB harness's process makes while serving a request, attributed
// to the function whose route the request reached (the Lambda that would
// have made it on AWS). Calls made outside a request (test set-up, the
// admin CLI's work) belong to no function and are not recorded. It is
// safe for concurrent use.
type Accesses struct {
	mu     sync.Mutex
	seen   map[Access]string // the access → the first key value seen
	parent *Accesses         // also told of every access, when set
}

// Recorded collects the accesses of every DynamoDB harness in the test
// binary, so a package's TestMain can compare the whole suite's calls
// with template.yaml (see CheckPolicies).
var Recorded = &Accesses{seen: map[Access]string{}}

// All returns the accesses recorded so far, sorted.
func (r *Accesses) All() []Access {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Access, 0, len(r.seen))
	for a := range r.seen {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// Example returns a key value recorded for a.
func (r *Accesses) Example(a Access) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[a]
}

func (r *Accesses) add(a Access, key string) {
	r.mu.Lock()
	if _, ok := r.seen[a]; !ok {
		r.seen[a] = key
	}
	r.mu.Unlock()
	if r.parent != nil {
		r.parent.add(a, key)
	}
}

// recordIAM returns a copy of the harness's DynamoDB client that records
// the process's accesses (into Recorded too) and, when the test ends,
// fails it for each one template.yaml's policies would refuse on AWS.
func (h *Harness) recordIAM(client *dynamodb.Client) *dynamodb.Client {
	acc := &Accesses{seen: map[Access]string{}, parent: Recorded}
	t := h.T
	t.Cleanup(func() {
		grants, err := TemplateGrants(t)
		if err != nil {
			t.Errorf("template.yaml policies: %v", err)
		}
		for _, a := range Disallowed(grants, acc.All()) {
			t.Errorf("IAM would refuse %v (key %s): template.yaml does not allow it", a, acc.Example(a))
		}
	})
	return recording(client, acc)
}

// functionKey carries the name of the function serving a request.
type functionKey struct{}

// servedBy tags each request with the function whose route it reaches,
// looked up in httpapi's route table as API Gateway would route it.
func servedBy(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	byPattern := map[string]string{}
	for _, rt := range httpapi.Routes() {
		pattern := rt.Method + " " + rt.Path
		byPattern[pattern] = rt.Function
		mux.Handle(pattern, http.NotFoundHandler())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); byPattern[pattern] != "" {
			r = r.WithContext(context.WithValue(r.Context(), functionKey{}, byPattern[pattern]))
		}
		next.ServeHTTP(w, r)
	})
}

// separateFunctions serves each function's routes from its own process
// (its own client and key caches, as each Lambda has), all on the
// harness's table, clock and logs: what a function reads cold on AWS is
// then read, and recorded, by that function.
func (h *Harness) separateFunctions(cfg config.Config, o app.Options) http.Handler {
	apps := map[string]http.Handler{}
	for _, rt := range httpapi.Routes() {
		if apps[rt.Function] != nil {
			continue
		}
		a, err := app.New(context.Background(), cfg, o)
		if err != nil {
			h.T.Fatalf("app.New for %s: %v", rt.Function, err)
		}
		apps[rt.Function] = a.Handler(rt.Function)
	}
	all := h.App.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fn, ok := r.Context().Value(functionKey{}).(string); ok {
			apps[fn].ServeHTTP(w, r)
			return
		}
		all.ServeHTTP(w, r)
	})
}

// recording returns a copy of client that records, in rec, every call
// made on behalf of a function. It shares client's request counter.
func recording(client *dynamodb.Client, rec *Accesses) *dynamodb.Client {
	opts := client.Options()
	opts.APIOptions = append(slices.Clip(opts.APIOptions), func(stack *middleware.Stack) error {
		step := middleware.InitializeMiddlewareFunc("LatchkeyIAMRecorder", func(
			ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler,
		) (middleware.InitializeOutput, middleware.Metadata, error) {
			if fn, ok := ctx.Value(functionKey{}).(string); ok {
				for _, c := range accessesOf(middleware.GetOperationName(ctx), in.Parameters) {
					c.access.Function = fn
					rec.add(c.access, c.key)
				}
			}
			return next.HandleInitialize(ctx, in)
		})
		return stack.Initialize.Add(step, middleware.Before)
	})
	return dynamodb.New(opts)
}

// call is one access with the key value it was seen with.
type call struct {
	access Access
	key    string
}

// accessesOf returns the accesses one operation needs. An operation it
// cannot read is recorded with the leading key "?", which no policy
// allows, so the test names it instead of missing it.
func accessesOf(op string, params any) []call {
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		return []call{onItem(op, in.Key)}
	case *dynamodb.PutItemInput:
		return []call{onItem(op, in.Item)}
	case *dynamodb.UpdateItemInput:
		return []call{onItem(op, in.Key)}
	case *dynamodb.DeleteItemInput:
		return []call{onItem(op, in.Key)}
	case *dynamodb.BatchGetItemInput:
		var out []call
		for _, ka := range in.RequestItems {
			for _, k := range ka.Keys {
				out = append(out, onItem(op, k))
			}
		}
		return out
	case *dynamodb.QueryInput:
		return []call{onQuery(in)}
	case *dynamodb.TransactWriteItemsInput:
		return inTransaction(in.TransactItems)
	}
	return []call{{Access{Action: op, Resource: "table", Prefix: "?"}, ""}}
}

// inTransaction splits a transaction into the actions IAM checks.
func inTransaction(items []types.TransactWriteItem) []call {
	var out []call
	for _, it := range items {
		switch {
		case it.Put != nil:
			out = append(out, onItem("PutItem", it.Put.Item))
		case it.Update != nil:
			out = append(out, onItem("UpdateItem", it.Update.Key))
		case it.Delete != nil:
			out = append(out, onItem("DeleteItem", it.Delete.Key))
		case it.ConditionCheck != nil:
			out = append(out, onItem("ConditionCheckItem", it.ConditionCheck.Key))
		}
	}
	return out
}

func onItem(action string, key map[string]types.AttributeValue) call {
	pk, _ := key["PK"].(*types.AttributeValueMemberS)
	if pk == nil {
		return call{Access{Action: action, Resource: "table", Prefix: "?"}, ""}
	}
	return call{Access{Action: action, Resource: "table", Prefix: KeyClass(pk.Value)}, pk.Value}
}

// equality matches "#name = :value" in a key condition.
var equality = regexp.MustCompile(`(#[A-Za-z0-9_]+)\s*=\s*(:[A-Za-z0-9_]+)`)

// onQuery finds the partition key value a Query names: PK on the table,
// GSI1PK on GSI1.
func onQuery(in *dynamodb.QueryInput) call {
	resource, attr := "table", "PK"
	if in.IndexName != nil {
		resource, attr = "index/"+*in.IndexName, *in.IndexName+"PK"
	}
	cond := ""
	if in.KeyConditionExpression != nil {
		cond = *in.KeyConditionExpression
	}
	for _, m := range equality.FindAllStringSubmatch(cond, -1) {
		if in.ExpressionAttributeNames[m[1]] != attr {
			continue
		}
		if v, ok := in.ExpressionAttributeValues[m[2]].(*types.AttributeValueMemberS); ok {
			return call{Access{Action: "Query", Resource: resource, Prefix: KeyClass(v.Value)}, v.Value}
		}
	}
	return call{Access{Action: "Query", Resource: resource, Prefix: "?"}, cond}
}

// KeyClass is the part of a partition key that names its kind of item:
// up to and including the first '#', or the whole key without one.
func KeyClass(pk string) string {
	if i := strings.IndexByte(pk, '#'); i >= 0 {
		return pk[:i+1]
	}
	return pk
}
