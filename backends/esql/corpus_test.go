package esql

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// TestRepositoryRules runs every rule of testdata/rules through the real loader and translation:
// each either emits a query that parses and checks, deterministically, or fails with an
// UnsupportedError, never another error.
func TestRepositoryRules(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "rules", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skip("no repository rules")
	}
	var files []*rules.File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, rules.LoadFile(filepath.Base(p), data))
	}
	rules.Resolve(files)
	var filters []*rules.Document
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter {
				filters = append(filters, d)
			}
		}
	}
	emitted := 0
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind != rules.KindRule || d.Diags.HasErrors() {
				continue
			}
			q, diags := translate.Translate(d, filters)
			if diags.HasErrors() || q == nil {
				continue
			}
			out, err := Backend{}.Emit(q)
			var ue *translate.UnsupportedError
			switch {
			case err == nil:
				emitted++
				mustCheck(t, out.Query)
				if again, _ := (Backend{}).Emit(q); again.Query != out.Query {
					t.Errorf("%s: output differs between runs", f.Path)
				}
				if testing.Verbose() {
					t.Logf("%s:\n%s", f.Path, out.Query)
				}
			case errors.As(err, &ue):
				if testing.Verbose() {
					t.Logf("%s: error: %v", f.Path, err)
				}
			default:
				t.Errorf("%s: %v", f.Path, err)
			}
		}
	}
	if emitted == 0 {
		t.Errorf("no rule emitted")
	}
}
