package dynamo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestOneWayToDoEachThing keeps the package to one way of doing each
// thing, whoever adds the next item kind: the places below are the only
// ones allowed to do what each rule names; everything else calls them.
func TestOneWayToDoEachThing(t *testing.T) {
	fset, files := parsePackage(t)
	rules := []struct {
		name    string
		matches func(n ast.Node) bool
		only    []string // files allowed to match; none when empty
	}{
		{"recognise a lost condition (lostCondition)", selectorIs("types.ConditionalCheckFailedException", "types.TransactionCanceledException"), []string{"conditions.go"}},
		{"decode an item (decodeLive, decodeItem)", selectorIs("attributevalue.UnmarshalMap"), []string{"decode.go"}},
		{"check ttl on a read (decodeLive)", callOf("present"), []string{"decode.go"}},
		{"encode an item (encodeItem)", selectorIs("attributevalue.MarshalMap", "attributevalue.MarshalMapWithOptions"), []string{"timeattr.go"}},
		{"condition on the key's existence (keyFree, keyExists)", keyCondition, []string{"conditions.go"}},
		{"name an attribute by a literal (attrs.go constants)", nameLiteral, nil},
		{"store a time.Time field (timestamp, epochSeconds)", timeField, nil},
	}
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			var bad []string
			for name, f := range files {
				if slices.Contains(r.only, name) {
					continue
				}
				ast.Inspect(f, func(n ast.Node) bool {
					if n != nil && r.matches(n) {
						bad = append(bad, fset.Position(n.Pos()).String())
					}
					return true
				})
			}
			slices.Sort(bad)
			if len(bad) > 0 {
				t.Errorf("found at %s; want only in %v", strings.Join(bad, ", "), r.only)
			}
		})
	}
}

// parsePackage parses the package's non-test files, by base name.
func parsePackage(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = f
	}
	if len(files) == 0 {
		t.Fatal("no package files found")
	}
	return fset, files
}

// selectorIs matches the qualified identifiers names (pkg.Name).
func selectorIs(names ...string) func(ast.Node) bool {
	return func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		x, ok := sel.X.(*ast.Ident)
		return ok && slices.Contains(names, x.Name+"."+sel.Sel.Name)
	}
}

// callOf matches calls of the package function name.
func callOf(name string) func(ast.Node) bool {
	return func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return false
		}
		id, ok := call.Fun.(*ast.Ident)
		return ok && id.Name == name
	}
}

// keyCondition matches expression.AttributeExists or AttributeNotExists
// of expression.Name(attrPK).
func keyCondition(n ast.Node) bool {
	call, ok := n.(*ast.CallExpr)
	if !ok || !selectorIs("expression.AttributeExists", "expression.AttributeNotExists")(call.Fun) || len(call.Args) != 1 {
		return false
	}
	arg, ok := call.Args[0].(*ast.CallExpr)
	if !ok || !selectorIs("expression.Name")(arg.Fun) || len(arg.Args) != 1 {
		return false
	}
	id, ok := arg.Args[0].(*ast.Ident)
	return ok && id.Name == "attrPK"
}

// nameLiteral matches expression.Name or expression.Key of a string literal.
func nameLiteral(n ast.Node) bool {
	call, ok := n.(*ast.CallExpr)
	if !ok || !selectorIs("expression.Name", "expression.Key")(call.Fun) || len(call.Args) != 1 {
		return false
	}
	_, lit := call.Args[0].(*ast.BasicLit)
	return lit
}

// timeField matches a struct field tagged dynamodbav whose type is
// time.Time.
func timeField(n ast.Node) bool {
	f, ok := n.(*ast.Field)
	if !ok || f.Tag == nil || !selectorIs("time.Time")(f.Type) {
		return false
	}
	_, tagged := reflect.StructTag(strings.Trim(f.Tag.Value, "`")).Lookup("dynamodbav")
	return tagged
}
