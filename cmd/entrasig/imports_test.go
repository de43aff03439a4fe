package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/entrasig/entrasig"

// allowedImport says whether package from (a module-relative directory) may import package to. The
// flow is one direction: cmd/entrasig -> backends/* -> translate -> rules.
func allowedImport(from, to string) bool {
	switch {
	case from == to:
		return true
	case strings.HasPrefix(to, "cmd"):
		return false
	case from == "rules" || strings.HasPrefix(from, "rules/"):
		return to == "rules" || strings.HasPrefix(to, "rules/")
	case from == "translate" || strings.HasPrefix(from, "translate/"):
		// translate and its sub-packages (for example the evaluator) build on rules and translate;
		// translate itself never imports its own sub-packages or a backend.
		if from == "translate" && strings.HasPrefix(to, "translate/") {
			return false
		}
		return to == "rules" || to == "translate" || strings.HasPrefix(to, "rules/")
	case from == "backends":
		return to == "rules" || to == "translate" || strings.HasPrefix(to, "backends/") || strings.HasPrefix(to, "translate/")
	case strings.HasPrefix(from, "backends/internal/"):
		// The backends' shared test support (rule sets, the round-trip proof harness) builds on
		// rules, translate and its sub-packages (the evaluator is the proof's reference) and on
		// each other, never on a backend.
		return to == "rules" || to == "translate" || strings.HasPrefix(to, "translate/") ||
			strings.HasPrefix(to, "backends/internal/")
	case strings.HasPrefix(from, "backends/"):
		// A backend builds on translate (and its sub-packages) and rules, on its own internal
		// packages and on the backends' shared internal packages, never on another backend.
		own := strings.SplitN(from, "/", 3)[:2]
		return to == "rules" || to == "translate" || strings.HasPrefix(to, "translate/") ||
			strings.HasPrefix(to, "backends/internal/") ||
			strings.HasPrefix(to, strings.Join(own, "/")+"/") || to == strings.Join(own, "/")
	case strings.HasPrefix(from, "cmd/"):
		return true
	}
	return false
}

func TestImportDirection(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	var problems []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		from := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			to := strings.TrimPrefix(p, module+"/")
			if !allowedImport(from, to) {
				problems = append(problems, filepath.ToSlash(path)+": "+from+" must not import "+to)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

func TestAllowedImport(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     bool
	}{
		{"rules", "translate", false},
		{"translate", "rules", true},
		{"translate", "backends/kusto", false},
		{"translate", "translate/evaluate", false},
		{"translate/evaluate", "translate", true},
		{"backends/kusto", "translate", true},
		{"backends/kusto", "backends/esql", false},
		{"backends/esql", "backends/esql/internal/esqlcheck", true},
		{"backends", "backends/kusto", true},
		{"backends/kusto", "backends/internal/ruletest", true},
		{"backends/internal/ruletest", "backends/kusto", false},
		{"backends/internal/roundtrip", "translate/evaluate", true},
		{"backends/internal/roundtrip", "backends/internal/ruletest", true},
		{"backends/kusto/internal/kqlread", "translate/evaluate", true},
		{"backends/kusto/internal/kqlread", "backends/splunk/internal/splcheck", false},
		{"cmd/entrasig", "backends", true},
		{"backends", "cmd/entrasig", false},
	} {
		if got := allowedImport(c.from, c.to); got != c.want {
			t.Errorf("allowedImport(%q, %q) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
