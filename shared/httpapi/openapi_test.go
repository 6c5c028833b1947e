package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/shared/httpapi"
	"github.com/latchkey/latchkey/shared/oauth"
)

// openAPIDoc is the part of an OpenAPI 3.1 document the tests read; the
// rest is walked as generic JSON.
type openAPIDoc struct {
	OpenAPI string         `json:"openapi"`
	Info    map[string]any `json:"info"`
	Paths   map[string]map[string]openAPIOperation
	Raw     map[string]any `json:"-"`
}

type openAPIOperation struct {
	Tags        []string                  `json:"tags"`
	OperationID string                    `json:"operationId"`
	Parameters  []map[string]any          `json:"parameters"`
	Responses   map[string]map[string]any `json:"responses"`
	Security    []map[string][]string     `json:"security"`
	RequestBody map[string]any            `json:"requestBody"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	b := httpapi.OpenAPI()
	var doc openAPIDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := json.Unmarshal(b, &doc.Raw); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// resolve follows a local $ref ("#/components/…") to the object it names.
func (d openAPIDoc) resolve(v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	for hops := 0; ok && hops < 8; hops++ {
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, nil
		}
		target, err := d.pointer(ref)
		if err != nil {
			return nil, err
		}
		m, ok = target.(map[string]any)
	}
	return nil, fmt.Errorf("%v is not an object or a resolvable $ref", v)
}

// pointer resolves a local JSON pointer (RFC 6901) in the document.
func (d openAPIDoc) pointer(ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var cur any = d.Raw
	for _, tok := range strings.Split(rest, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not in an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

// TestOpenAPIStructure holds openapi.json to the shape of an OpenAPI 3.1
// document: version, info, paths, operations with unique ids and status
// codes, every $ref resolvable, every security requirement defined.
func TestOpenAPIStructure(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}
	if s, _ := doc.Info["title"].(string); s == "" {
		t.Error("info.title is empty")
	}
	if s, _ := doc.Info["version"].(string); s == "" {
		t.Error("info.version is empty")
	}
	if len(doc.Paths) == 0 {
		t.Fatal("paths is empty")
	}
	walkRefs(t, doc, "#", doc.Raw)
	schemes, _ := doc.Raw["components"].(map[string]any)["securitySchemes"].(map[string]any)
	ids := map[string]string{}
	status := regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			name := strings.ToUpper(method) + " " + path
			if op.OperationID == "" || ids[op.OperationID] != "" {
				t.Errorf("%s: operationId %q is empty or also %s's", name, op.OperationID, ids[op.OperationID])
			}
			ids[op.OperationID] = name
			if len(op.Responses) == 0 {
				t.Errorf("%s: no responses", name)
			}
			for code, r := range op.Responses {
				if !status.MatchString(code) {
					t.Errorf("%s: response key %q is not a status code", name, code)
				}
				links, _ := r["links"].(map[string]any)
				for link, l := range links {
					if target, _ := l.(map[string]any)["operationId"].(string); !hasOperation(doc, target) {
						t.Errorf("%s %s: link %s names operationId %q, which no operation has", name, code, link, target)
					}
				}
			}
			for _, req := range op.Security {
				for s := range req {
					if _, ok := schemes[s]; !ok {
						t.Errorf("%s: security scheme %q is not in components.securitySchemes", name, s)
					}
				}
			}
			checkPathParameters(t, doc, name, path, op)
		}
	}
}

func hasOperation(doc openAPIDoc, id string) bool {
	for _, ops := range doc.Paths {
		for _, op := range ops {
			if op.OperationID == id {
				return true
			}
		}
	}
	return false
}

// walkRefs fails t for every $ref under v that does not resolve.
func walkRefs(t *testing.T, doc openAPIDoc, at string, v any) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if _, err := doc.pointer(ref); err != nil {
				t.Errorf("%s: %v", at, err)
			}
		}
		for k, child := range v {
			walkRefs(t, doc, at+"/"+k, child)
		}
	case []any:
		for i, child := range v {
			walkRefs(t, doc, at+"/"+strconv.Itoa(i), child)
		}
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkPathParameters: each {name} of the path template is a required
// path parameter of the operation, and there are no others.
func checkPathParameters(t *testing.T, doc openAPIDoc, name, path string, op openAPIOperation) {
	t.Helper()
	var want, got []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		want = append(want, m[1])
	}
	for _, p := range op.Parameters {
		p, err := doc.resolve(p)
		if err != nil {
			t.Errorf("%s: parameter: %v", name, err)
			continue
		}
		if p["in"] == "path" {
			got = append(got, p["name"].(string))
			if p["required"] != true {
				t.Errorf("%s: path parameter %v is not required", name, p["name"])
			}
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s: path parameters = %v; want %v", name, got, want)
	}
}

// TestOpenAPIMatchesRouteTable: the document's paths and methods are the
// route table's, both ways, each tagged with the function that serves it.
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	doc := loadOpenAPI(t)
	inDoc := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			fn := ""
			if len(op.Tags) > 0 {
				fn = op.Tags[0]
			}
			inDoc[strings.ToUpper(method)+" "+path] = fn
		}
	}
	inTable := map[string]string{}
	for _, rt := range httpapi.Routes() {
		inTable[rt.Method+" "+rt.Path] = rt.Function
	}
	for route, fn := range inTable {
		got, ok := inDoc[route]
		switch {
		case !ok:
			t.Errorf("route %s (%s) is not in openapi.json", route, fn)
		case got != fn:
			t.Errorf("openapi.json %s is tagged %q; want the function %q", route, got, fn)
		}
	}
	for route := range inDoc {
		if _, ok := inTable[route]; !ok {
			t.Errorf("openapi.json has %s, which is not in the route table", route)
		}
	}
}

const errorSchemaRef = "#/components/schemas/Error"

// TestOpenAPIErrors: every operation declares its error answers with the
// Error schema: 405 everywhere; 400, 401 with WWW-Authenticate, and 503
// on every authenticated operation; 403 where a scope is checked; 404 on
// every operation of a path with an id.
func TestOpenAPIErrors(t *testing.T) {
	doc := loadOpenAPI(t)
	scoped := map[string]bool{"GET /sessions": true, "DELETE /sessions": true, "POST /tokens": true}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			name := strings.ToUpper(method) + " " + path
			want := []int{http.StatusMethodNotAllowed}
			if len(op.Security) > 0 {
				want = append(want, http.StatusBadRequest, http.StatusUnauthorized, http.StatusServiceUnavailable)
			}
			if scoped[name] {
				want = append(want, http.StatusForbidden)
			}
			if strings.Contains(path, "{id}") {
				want = append(want, http.StatusNotFound)
			}
			for _, code := range want {
				if _, ok := op.Responses[strconv.Itoa(code)]; !ok {
					t.Errorf("%s: no %d response", name, code)
				}
			}
			for code, r := range op.Responses {
				if n, _ := strconv.Atoi(code); n >= 400 {
					checkErrorResponse(t, doc, name+" "+code, r)
				}
			}
			if r, ok := op.Responses["401"]; ok {
				checkHeader(t, doc, name+" 401", r, "WWW-Authenticate")
			}
			if r, ok := op.Responses["405"]; ok {
				checkHeader(t, doc, name+" 405", r, "Allow")
			}
			if r, ok := op.Responses["503"]; ok {
				checkHeader(t, doc, name+" 503", r, "Retry-After")
			}
		}
	}
}

func checkErrorResponse(t *testing.T, doc openAPIDoc, name string, r map[string]any) {
	t.Helper()
	resp, err := doc.resolve(r)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	content, _ := resp["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	schema, _ := media["schema"].(map[string]any)
	if len(content) != 1 || schema["$ref"] != errorSchemaRef {
		t.Errorf("%s: content = %v; want only application/json with schema %s", name, content, errorSchemaRef)
	}
}

func checkHeader(t *testing.T, doc openAPIDoc, name string, r map[string]any, header string) {
	t.Helper()
	resp, err := doc.resolve(r)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	headers, _ := resp["headers"].(map[string]any)
	h, err := doc.resolve(headers[header])
	if err != nil || h["required"] != true {
		t.Errorf("%s: header %s is not declared required", name, header)
	}
}

// TestOpenAPISchemasMatchWire: each answer schema has exactly the JSON
// fields of the Go struct written on the wire, and requires those that
// are always written (no omitempty); each request body schema has the
// fields its decoder knows.
func TestOpenAPISchemasMatchWire(t *testing.T) {
	doc := loadOpenAPI(t)
	cases := []struct {
		schema string
		wire   any
		answer bool
	}{
		{"Error", oauth.ErrorResponse{}, true},
		{"TokenResponse", oauth.TokenResponse{}, true},
		{"IntrospectionResponse", oauth.IntrospectionResponse{}, true},
		{"ServerMetadata", oauth.ServerMetadata{}, true},
		{"ClientInformation", oauth.ClientInformation{}, true},
		{"MintAnswer", httpapi.MintAnswer{}, true},
		{"Session", httpapi.SessionView{}, true},
		{"SessionsPage", httpapi.SessionsAnswer{}, true},
		{"Revoked", httpapi.RevokedAnswer{}, true},
		{"MintRequest", httpapi.MintBody{}, false},
		{"RefreshJSONRequest", httpapi.RefreshBody{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.schema, func(t *testing.T) {
			s, err := doc.resolve(map[string]any{"$ref": "#/components/schemas/" + tc.schema})
			if err != nil {
				t.Fatal(err)
			}
			props, _ := s["properties"].(map[string]any)
			var gotFields, gotRequired []string
			for k := range props {
				gotFields = append(gotFields, k)
			}
			req, _ := s["required"].([]any)
			for _, r := range req {
				gotRequired = append(gotRequired, r.(string))
			}
			fields, required := jsonFields(reflect.TypeOf(tc.wire))
			slices.Sort(gotFields)
			slices.Sort(gotRequired)
			if !slices.Equal(gotFields, fields) {
				t.Errorf("schema %s properties = %v; want the wire fields %v", tc.schema, gotFields, fields)
			}
			if tc.answer && !slices.Equal(gotRequired, required) {
				t.Errorf("schema %s required = %v; want the fields always written %v", tc.schema, gotRequired, required)
			}
			if s["additionalProperties"] != false {
				t.Errorf("schema %s allows additional properties; the wire has none", tc.schema)
			}
		})
	}
}

// jsonFields returns a struct's JSON field names, sorted, and those
// without omitempty.
func jsonFields(typ reflect.Type) (fields, required []string) {
	for f := range typ.Fields() {
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, name)
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	slices.Sort(fields)
	slices.Sort(required)
	return fields, required
}
