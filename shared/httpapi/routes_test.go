package httpapi_test

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

// samTemplate is the part of template.yaml that declares functions and
// their routes. ApiId stays a node: it is a !Ref.
type samTemplate struct {
	Resources map[string]struct {
		Type       string `yaml:"Type"`
		Properties struct {
			Events map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					ApiID  yaml.Node `yaml:"ApiId"`
					Method string    `yaml:"Method"`
					Path   string    `yaml:"Path"`
				} `yaml:"Properties"`
			} `yaml:"Events"`
		} `yaml:"Properties"`
	} `yaml:"Resources"`
}

// route is one {function, METHOD, path} of the route table or the template.
type route struct{ function, method, path string }

func (r route) String() string { return r.function + ": " + r.method + " " + r.path }

// greedyParam is API Gateway's {name+}; ServeMux spells it {name...}.
var greedyParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\+\}`)

// templateRoutes returns every HttpApi event of every function in
// template.yaml, and the functions it declares.
func templateRoutes(t *testing.T) ([]route, []string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dynamotest.RepoRoot(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl samTemplate
	if err := yaml.Unmarshal(b, &tpl); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	byID := map[string]string{}
	for _, name := range functionFolders(t) {
		byID[httpapi.LogicalID(name)] = name
	}
	var routes []route
	var functions []string
	for id, res := range tpl.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		name, ok := byID[id]
		if !ok {
			t.Errorf("%s: no folder in functions/ has this logical id (token is TokenFunction)", id)
			continue
		}
		functions = append(functions, name)
		for ev, e := range res.Properties.Events {
			if e.Type != "HttpApi" {
				continue
			}
			if api := e.Properties.ApiID; api.Tag != "!Ref" || tpl.Resources[api.Value].Type != "AWS::Serverless::HttpApi" {
				t.Errorf("%s event %s: ApiId %s %q; want !Ref to the AWS::Serverless::HttpApi", id, ev, api.Tag, api.Value)
			}
			path := greedyParam.ReplaceAllString(e.Properties.Path, "{$1...}")
			routes = append(routes, route{name, strings.ToUpper(e.Properties.Method), path})
		}
	}
	return routes, functions
}

// functionFolders returns the folders in functions/.
func functionFolders(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dynamotest.RepoRoot(t), "functions"))
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, e := range entries {
		if e.IsDir() {
			folders = append(folders, e.Name())
		}
	}
	return folders
}

func tableRoutes() []route {
	var out []route
	for _, rt := range httpapi.Routes() {
		out = append(out, route{rt.Function, rt.Method, rt.Path})
	}
	return out
}

// TestRoutesMatchTemplate holds the route table equal to the HttpApi
// events in template.yaml, both ways, so local and deployed never drift.
func TestRoutesMatchTemplate(t *testing.T) {
	t.Parallel()
	deployed, _ := templateRoutes(t)
	local := tableRoutes()
	for _, r := range local {
		if !slices.Contains(deployed, r) {
			t.Errorf("route %v is in httpapi.Routes() but not in template.yaml", r)
		}
	}
	for _, r := range deployed {
		if !slices.Contains(local, r) {
			t.Errorf("route %v is in template.yaml but not in httpapi.Routes()", r)
		}
	}
	seen := map[string]bool{}
	for _, r := range local {
		key := r.method + " " + r.path
		if seen[key] {
			t.Errorf("route %s appears twice in httpapi.Routes()", key)
		}
		seen[key] = true
	}
}

// TestFunctionFolders holds the folders in functions/ equal to the
// functions of the route table and of template.yaml; each has a main.go
// that serves its own function's routes.
func TestFunctionFolders(t *testing.T) {
	t.Parallel()
	root := dynamotest.RepoRoot(t)
	folders := functionFolders(t)
	var inTable []string
	for _, r := range tableRoutes() {
		if !slices.Contains(inTable, r.function) {
			inTable = append(inTable, r.function)
		}
	}
	_, inTemplate := templateRoutes(t)
	slices.Sort(folders)
	slices.Sort(inTable)
	slices.Sort(inTemplate)
	if !slices.Equal(folders, inTable) {
		t.Errorf("functions/ holds %v; the route table serves %v", folders, inTable)
	}
	if !slices.Equal(folders, inTemplate) {
		t.Errorf("functions/ holds %v; template.yaml declares %v", folders, inTemplate)
	}
	for _, name := range folders {
		src, err := os.ReadFile(filepath.Join(root, "functions", name, "main.go"))
		if err != nil {
			t.Errorf("functions/%s: %v", name, err)
			continue
		}
		if c, ok := functionConst[name]; !ok || !strings.Contains(string(src), "httpapi."+c+")") {
			t.Errorf("functions/%s/main.go does not serve httpapi.%s", name, c)
		}
	}
}

func TestLogicalID(t *testing.T) {
	t.Parallel()
	for fn, want := range map[string]string{"token": "TokenFunction", "sessions-list": "SessionsListFunction"} {
		if got := httpapi.LogicalID(fn); got != want {
			t.Errorf("LogicalID(%q) = %q; want %q", fn, got, want)
		}
	}
}

// functionConst names the httpapi constant of each function.
var functionConst = map[string]string{
	httpapi.FunctionToken:        "FunctionToken",
	httpapi.FunctionRefresh:      "FunctionRefresh",
	httpapi.FunctionRevoke:       "FunctionRevoke",
	httpapi.FunctionMint:         "FunctionMint",
	httpapi.FunctionIntrospect:   "FunctionIntrospect",
	httpapi.FunctionSessionsList: "FunctionSessionsList",
	httpapi.FunctionAuthorize:    "FunctionAuthorize",
}
