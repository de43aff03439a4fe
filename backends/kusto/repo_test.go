package kusto

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
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
	emitDir(t, filepath.Join("..", "..", ruletest.SigmaHQSignin()))
}

// TestBuiltinPack does the same for the built-in sign-in rule pack (rules/signin), correlations
// included.
func TestBuiltinPack(t *testing.T) {
	emitDir(t, filepath.Join("..", "..", "rules", "signin"))
}

func emitDir(t *testing.T, dir string) {
	items, err := ruletest.Dir(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s is absent: %v", dir, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var qs []checkQuery
	unsupported := 0
	for _, it := range items {
		if q := it.Query; q != nil {
			for _, b := range []Backend{{}, {Function: "CombinedSignInLogs"}} {
				out, err := b.Emit(q)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					again, _ := b.Emit(q)
					if again.Query != out.Query {
						t.Errorf("%s: second emit differs", it.Path)
					}
					name := "rule/" + it.Path
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
						t.Logf("%s: error: %v (at %v)", it.Path, err, ue.Pos)
					}
				default:
					t.Errorf("%s: %v", it.Path, err)
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
