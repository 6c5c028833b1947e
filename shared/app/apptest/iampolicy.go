package apptest

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/store/dynamo/dynamotest"
)

var templateGrants struct {
	once   sync.Once
	grants []Grant
	err    error
}

// TemplateGrants returns the DynamoDB grants of the repository's
// template.yaml, read once per test binary.
func TemplateGrants(t testing.TB) ([]Grant, error) {
	t.Helper()
	tpl := dynamotest.Template(t)
	templateGrants.once.Do(func() {
		templateGrants.grants, templateGrants.err = Policies(tpl)
	})
	return templateGrants.grants, templateGrants.err
}

// Grant is one DynamoDB permission template.yaml gives a function: an
// action on a resource ("table", "index/<name>" or "index/*") for items
// whose partition key matches Pattern (dynamodb:LeadingKeys with
// StringLike; "*" when the statement has no such condition).
type Grant struct {
	Function string
	Action   string
	Resource string
	Pattern  string
}

func (g Grant) String() string {
	return fmt.Sprintf("%s: dynamodb:%s on %s, leading key %s", g.Function, g.Action, g.Resource, g.Pattern)
}

// Allows reports whether g covers a: same function and action, the
// resource or a wildcard over it, and a pattern that is exactly a's key
// class ("SESSION#*" for SESSION#, "KEYSET" for KEYSET).
func (g Grant) Allows(a Access) bool {
	return g.Function == a.Function && g.Action == a.Action && resourceMatches(g.Resource, a.Resource) &&
		(g.Pattern == a.Prefix || (strings.HasSuffix(a.Prefix, "#") && g.Pattern == a.Prefix+"*"))
}

func resourceMatches(granted, used string) bool {
	if rest, ok := strings.CutSuffix(granted, "*"); ok {
		return strings.HasPrefix(used, rest)
	}
	return granted == used
}

// Disallowed returns the accesses no grant allows: calls that IAM would
// refuse on AWS.
func Disallowed(grants []Grant, accesses []Access) []Access {
	var out []Access
	for _, a := range accesses {
		if !anyAllows(grants, a) {
			out = append(out, a)
		}
	}
	return out
}

func anyAllows(grants []Grant, a Access) bool {
	for _, g := range grants {
		if g.Allows(a) {
			return true
		}
	}
	return false
}

// Unused returns the grants no access used: permissions the code does not
// need, which a least-privilege policy leaves out.
func Unused(grants []Grant, accesses []Access) []Grant {
	var out []Grant
	for _, g := range grants {
		used := false
		for _, a := range accesses {
			used = used || g.Allows(a)
		}
		if !used {
			out = append(out, g)
		}
	}
	return out
}

// Policies reads every function's DynamoDB grants from a SAM template.
// Statements about other services are skipped; a policy it cannot read
// (a managed policy, a SAM policy template, a DynamoDB resource it does
// not recognise, a statement without Version 2012-10-17) is an error, so
// nothing escapes the comparison.
func Policies(template []byte) ([]Grant, error) {
	var tpl struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				Policies yaml.Node `yaml:"Policies"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(template, &tpl); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	byID := map[string]string{}
	for _, rt := range httpapi.Routes() {
		byID[httpapi.LogicalID(rt.Function)] = rt.Function
	}
	var grants []Grant
	var errs []error
	for id, res := range tpl.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		fn, ok := byID[id]
		if !ok {
			errs = append(errs, fmt.Errorf("%s serves no route of httpapi's route table", id))
			continue
		}
		g, err := functionGrants(fn, &res.Properties.Policies)
		grants = append(grants, g...)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", id, err))
		}
	}
	return grants, errors.Join(errs...)
}

// policyDoc is one inline policy of a function's Policies list.
type policyDoc struct {
	Version   string      `yaml:"Version"`
	Statement []statement `yaml:"Statement"`
}

type statement struct {
	Sid       string                          `yaml:"Sid"`
	Effect    string                          `yaml:"Effect"`
	Action    yaml.Node                       `yaml:"Action"`
	Resource  yaml.Node                       `yaml:"Resource"`
	Condition map[string]map[string]yaml.Node `yaml:"Condition"`
}

func functionGrants(fn string, policies *yaml.Node) ([]Grant, error) {
	if policies.Kind == 0 {
		return nil, nil
	}
	if policies.Kind != yaml.SequenceNode {
		return nil, errors.New("Policies is not a list")
	}
	var grants []Grant
	var errs []error
	for _, p := range policies.Content {
		var doc policyDoc
		if p.Kind != yaml.MappingNode || p.Decode(&doc) != nil || len(doc.Statement) == 0 {
			errs = append(errs, fmt.Errorf("policy at line %d is not an inline {Version, Statement} policy", p.Line))
			continue
		}
		if doc.Version != "2012-10-17" {
			errs = append(errs, fmt.Errorf("policy at line %d: Version %q; want 2012-10-17", p.Line, doc.Version))
		}
		for _, st := range doc.Statement {
			g, err := statementGrants(fn, st)
			grants = append(grants, g...)
			if err != nil {
				errs = append(errs, fmt.Errorf("statement %s: %w", st.Sid, err))
			}
		}
	}
	return grants, errors.Join(errs...)
}

func statementGrants(fn string, st statement) ([]Grant, error) {
	actions := scalars(&st.Action)
	var dynamo []string
	for _, a := range actions {
		if name, ok := strings.CutPrefix(a, "dynamodb:"); ok {
			dynamo = append(dynamo, name)
		}
	}
	if len(dynamo) == 0 {
		return nil, nil
	}
	if len(dynamo) != len(actions) || st.Effect != "Allow" {
		return nil, errors.New("mixes DynamoDB actions with others, or is not Allow")
	}
	resources, err := tableResources(&st.Resource)
	if err != nil {
		return nil, err
	}
	patterns, err := leadingKeys(st.Condition)
	if err != nil {
		return nil, err
	}
	var out []Grant
	for _, a := range dynamo {
		for _, r := range resources {
			for _, p := range patterns {
				out = append(out, Grant{Function: fn, Action: a, Resource: r, Pattern: p})
			}
		}
	}
	return out, nil
}

// scalars returns a scalar or a list of scalars.
func scalars(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, c.Value)
	}
	return out
}

// indexSub matches !Sub "${Table.Arn}/index/<name or *>".
var indexSub = regexp.MustCompile(`^\$\{Table\.Arn\}/(index/(?:[A-Za-z0-9_.-]+|\*))$`)

// tableResources names the table resources of a statement: !GetAtt
// Table.Arn is "table", !Sub "${Table.Arn}/index/GSI1" is "index/GSI1".
func tableResources(n *yaml.Node) ([]string, error) {
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		nodes = n.Content
	}
	var out []string
	for _, r := range nodes {
		switch m := indexSub.FindStringSubmatch(r.Value); {
		case r.Tag == "!GetAtt" && r.Value == "Table.Arn":
			out = append(out, "table")
		case r.Tag == "!Sub" && m != nil:
			out = append(out, m[1])
		default:
			return nil, fmt.Errorf("resource %s %q is not the table or one of its indexes", r.Tag, r.Value)
		}
	}
	return out, nil
}

// leadingKeys returns the partition key patterns a condition allows: the
// ForAllValues:StringLike values of dynamodb:LeadingKeys, or "*" when
// the statement has no condition.
func leadingKeys(cond map[string]map[string]yaml.Node) ([]string, error) {
	if len(cond) == 0 {
		return []string{"*"}, nil
	}
	node := cond["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
	like := scalars(&node)
	if len(cond) != 1 || len(cond["ForAllValues:StringLike"]) != 1 || len(like) == 0 {
		return nil, errors.New("condition is not only ForAllValues:StringLike on dynamodb:LeadingKeys")
	}
	return like, nil
}
