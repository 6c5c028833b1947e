package lkclient

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStandardLibraryAndOAuth2Only: the package is meant to be
// imported by other people's programs, so it depends on nothing but the
// standard library and golang.org/x/oauth2 (tests aside).
func TestImportsStandardLibraryAndOAuth2Only(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if strings.Contains(first, ".") && path != "golang.org/x/oauth2" && !strings.HasPrefix(path, "golang.org/x/oauth2/") {
				t.Errorf("%s imports %s; want the standard library and golang.org/x/oauth2 only", name, path)
			}
		}
	}
}
