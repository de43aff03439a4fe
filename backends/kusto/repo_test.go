package kusto

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// TestRepositoryRules runs every rule of testdata/rules through the real loader and translation
// with and without the workspace-function option: each either emits a query that Kusto.Language
// accepts (checked in one validator run) or fails with a *translate.UnsupportedError, never
// another error.
func TestRepositoryRules(t *testing.T) {
	emitDir(t, filepath.Join("..", "..", "testdata", "rules"))
}

// TestSigmaHQCorpus does the same for SigmaHQ's sign-in rules where the shared read-only corpus is
// present next to the repository (it is not part of it).
func TestSigmaHQCorpus(t *testing.T) {
	emitDir(t, filepath.Join("..", "..", "..", "shared", "corpus", "sigmahq", "rules", "cloud", "azure", "signin_logs"))
}

// TestBuiltinPack does the same for the built-in sign-in rule pack (rules/signin), correlations
// included.
func TestBuiltinPack(t *testing.T) {
	emitDir(t, filepath.Join("..", "..", "rules", "signin"))
}

func emitDir(t *testing.T, dir string) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Skip("no rules in " + dir)
	}
	var files []*rules.File
	for _, p := range paths {
		if strings.HasSuffix(p, ".tests.yml") {
			continue // expected-outcome files of the pack, not rules
		}
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
	var qs []checkQuery
	unsupported := 0
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter || d.Diags.HasErrors() {
				continue
			}
			q, diags := translate.Translate(d, filters)
			if diags.HasErrors() || q == nil {
				continue
			}
			for _, b := range []Backend{{}, {Function: "CombinedSignInLogs"}} {
				out, err := b.Emit(q)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					again, _ := b.Emit(q)
					if again.Query != out.Query {
						t.Errorf("%s: second emit differs", f.Path)
					}
					name := "rule/" + f.Path
					if b.Function != "" {
						name += " (function)"
					}
					qs = append(qs, checkQuery{Name: name, Text: out.Query})
					if testing.Verbose() {
						t.Logf("%s:\n%s%s", name, out.Query, warnText(out.Warnings))
					}
				case errors.As(err, &ue):
					unsupported++
					if testing.Verbose() && b.Function == "" {
						t.Logf("%s: error: %v (at %v)", f.Path, err, ue.Pos)
					}
				default:
					t.Errorf("%s: %v", f.Path, err)
				}
			}
		}
	}
	if len(qs) == 0 {
		t.Fatalf("no rule emitted (%d unsupported)", unsupported)
	}
	diags := runValidator(t, qs)
	for _, q := range qs {
		if d := diags[q.Name]; len(d) > 0 {
			t.Errorf("%s: rejected by the Kusto validator:\n%s\n%s", q.Name, q.Text, strings.Join(d, "\n"))
		}
	}
}

func warnText(ws []translate.Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString("\n  warning " + w.Pos.String() + ": " + w.Msg)
	}
	return b.String()
}
