package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
)

// What template.yaml must keep true for operating on AWS (issue 15); the
// IAM policies have their own test (iam_test.go), cfn-lint and checkov
// check the rest.

// tplNode is a node of template.yaml, tags (!Ref, !If) kept.
type tplNode struct{ *yaml.Node }

func loadTemplate(t *testing.T) tplNode {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(dynamotest.Template(t), &doc); err != nil {
		t.Fatal(err)
	}
	return tplNode{doc.Content[0]}
}

// get follows mapping keys; a missing key gives a zero node.
func (n tplNode) get(keys ...string) tplNode {
	cur := n.Node
	for _, k := range keys {
		if cur == nil || cur.Kind != yaml.MappingNode {
			return tplNode{}
		}
		var next *yaml.Node
		for i := 0; i+1 < len(cur.Content); i += 2 {
			if cur.Content[i].Value == k {
				next = cur.Content[i+1]
			}
		}
		cur = next
	}
	return tplNode{cur}
}

func (n tplNode) str() string {
	if n.Node == nil {
		return ""
	}
	return n.Tag + " " + n.Value
}

// resources returns the logical ids of the resources of a type.
func (n tplNode) resources(typ string) []string {
	res := n.get("Resources")
	var ids []string
	for i := 0; i+1 < len(res.Content); i += 2 {
		if (tplNode{res.Content[i+1]}).get("Type").Value == typ {
			ids = append(ids, res.Content[i].Value)
		}
	}
	return ids
}

// flow renders a node as one line of YAML, tags included.
func (n tplNode) flow() string {
	if n.Node == nil {
		return ""
	}
	b, _ := yaml.Marshal(n.Node)
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestEveryFunctionLogsAndIsLimited: each function logs JSON into a log
// group of its own that keeps lines LogRetentionDays, and has a reserved
// concurrency parameter.
func TestEveryFunctionLogsAndIsLimited(t *testing.T) {
	tpl := loadTemplate(t)
	if got := tpl.get("Globals", "Function", "LoggingConfig", "LogFormat").Value; got != "JSON" {
		t.Errorf("Globals LoggingConfig LogFormat = %q; want JSON", got)
	}
	for _, id := range tpl.resources("AWS::Serverless::Function") {
		name := strings.TrimSuffix(id, "Function")
		props := tpl.get("Resources", id, "Properties")
		if got, want := props.get("LoggingConfig", "LogGroup").str(), "!Ref "+name+"LogGroup"; got != want {
			t.Errorf("%s LoggingConfig.LogGroup = %q; want %q", id, got, want)
		}
		group := tpl.get("Resources", name+"LogGroup")
		if group.get("Type").Value != "AWS::Logs::LogGroup" || group.get("Properties", "RetentionInDays").str() != "!Ref LogRetentionDays" {
			t.Errorf("%sLogGroup is not a log group kept LogRetentionDays: %s", name, group.flow())
		}
		want := "!If [Has" + name + "Concurrency, !Ref " + name + "Concurrency, !Ref 'AWS::NoValue']"
		if got := props.get("ReservedConcurrentExecutions").flow(); got != want {
			t.Errorf("%s ReservedConcurrentExecutions = %s; want %s", id, got, want)
		}
		if tpl.get("Parameters", name+"Concurrency", "Type").Value != "Number" {
			t.Errorf("no Number parameter %sConcurrency", name)
		}
	}
}

// TestThrottledRoutesExist: the routes given a tighter throttle are routes
// the API serves (API Gateway refuses settings for a missing route).
func TestThrottledRoutesExist(t *testing.T) {
	settings := loadTemplate(t).get("Resources", "HttpApi", "Properties", "RouteSettings")
	var served []string
	for _, rt := range httpapi.Routes() {
		served = append(served, rt.Method+" "+rt.Path)
	}
	var throttled []string
	for i := 0; i < len(settings.Content); i += 2 {
		throttled = append(throttled, settings.Content[i].Value)
	}
	for _, route := range []string{"POST /oauth2/token", "POST /oauth2/refresh", "POST /oauth2/login"} {
		if !slices.Contains(throttled, route) {
			t.Errorf("RouteSettings has no %s", route)
		}
	}
	for _, route := range throttled {
		if !slices.Contains(served, route) {
			t.Errorf("RouteSettings names %s, which httpapi.Routes() does not serve", route)
		}
	}
}

// eventInPattern finds the event names a metric filter matches.
var eventInPattern = regexp.MustCompile(`\$\.event = "([a-z_]+)"`)

// TestMetricFiltersCountLoggedEvents: every event a metric filter counts is
// one the code logs, so renaming an event cannot silence an alarm.
func TestMetricFiltersCountLoggedEvents(t *testing.T) {
	tpl := loadTemplate(t)
	source := goSource(t, filepath.Join(dynamotest.RepoRoot(t), "shared"))
	filters := tpl.resources("AWS::Logs::MetricFilter")
	if len(filters) == 0 {
		t.Fatal("template.yaml has no metric filters")
	}
	for _, id := range filters {
		pattern := tpl.get("Resources", id, "Properties", "FilterPattern").Value
		for _, m := range eventInPattern.FindAllStringSubmatch(pattern, -1) {
			if !strings.Contains(source, `"`+m[1]+`"`) {
				t.Errorf("%s counts event %q, which no code under shared/ logs", id, m[1])
			}
		}
	}
}

// goSource concatenates the non-test Go files under dir.
func goSource(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		b.Write(src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestKeyEncryptionSecretIsNeverRotated is the secret's rule (docs/deploy.md):
// every signing key is sealed under a key derived from the secret's value,
// so the value never changes. The template denies rotation and new values
// to everyone, schedules no rotation, keeps the secret when the stack goes,
// and lets exactly the functions that are given the secret read it.
func TestKeyEncryptionSecretIsNeverRotated(t *testing.T) {
	tpl := loadTemplate(t)
	if got := tpl.get("Resources", "KeyEncryptionSecret", "DeletionPolicy").Value; got != "Retain" {
		t.Errorf("KeyEncryptionSecret DeletionPolicy = %q; want Retain", got)
	}
	if ids := tpl.resources("AWS::SecretsManager::RotationSchedule"); len(ids) > 0 {
		t.Errorf("template.yaml schedules rotation: %v", ids)
	}
	policy := tpl.get("Resources", "KeyEncryptionSecretPolicy")
	if policy.get("Properties", "SecretId").str() != "!Ref KeyEncryptionSecret" {
		t.Fatalf("no resource policy on KeyEncryptionSecret: %s", policy.flow())
	}
	statements := policy.get("Properties", "ResourcePolicy", "Statement")
	var denied, readers []string
	for _, st := range statements.Content {
		s := tplNode{st}
		if s.get("Effect").Value != "Deny" || s.get("Principal").Value != "*" {
			continue
		}
		if s.get("Condition").Node == nil {
			for _, a := range s.get("Action").Content {
				denied = append(denied, a.Value)
			}
			continue
		}
		for _, r := range s.get("Condition", "ArnNotEquals", "aws:PrincipalArn").Content {
			readers = append(readers, strings.TrimSuffix(r.Value, "Role.Arn"))
		}
	}
	for _, a := range []string{"secretsmanager:RotateSecret", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"} {
		if !slices.Contains(denied, a) {
			t.Errorf("the secret's policy does not deny %s to everyone", a)
		}
	}
	var given []string
	for _, id := range tpl.resources("AWS::Serverless::Function") {
		if tpl.get("Resources", id, "Properties", "Environment", "Variables", "KEY_ENCRYPTION_SECRET_ARN").Node != nil {
			given = append(given, id)
		}
	}
	slices.Sort(readers)
	slices.Sort(given)
	if len(given) == 0 || !slices.Equal(readers, given) {
		t.Errorf("the secret's policy lets %v read it; the functions given it are %v", readers, given)
	}
}
