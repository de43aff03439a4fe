package translate

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports enforces the import direction: translate depends on rules and the standard library
// only, never on a backend or the CLI.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "github.com/entrasig/entrasig/") && p != "github.com/entrasig/entrasig/rules" {
				t.Errorf("%s imports %s", name, p)
			}
			if strings.Contains(p, ".") && !strings.HasPrefix(p, "github.com/entrasig/entrasig/") {
				t.Errorf("%s imports third-party %s", name, p)
			}
		}
	}
}
