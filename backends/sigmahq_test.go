package backends

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/translate"
)

// TestSigmaHQOutcomes records, for each of SigmaHQ's current sign-in rules and each target, whether
// it converts (and with which warnings) or the exact statement of why not. The golden holds only
// entrasig's own messages, not the rules or their queries (the corpus stays outside the repository;
// each backend's tests check the queries themselves with its validator).
func TestSigmaHQOutcomes(t *testing.T) {
	dir := filepath.Join("..", ruletest.SigmaHQSignin())
	items, err := ruletest.Dir(dir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("SigmaHQ corpus absent (%s): outcomes not checked", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range items {
		for _, be := range All(Options{}) {
			fmt.Fprintf(&b, "%s [%s]: ", it.Path, be.Name())
			if it.Query == nil {
				e := it.Diags.Errors()
				fmt.Fprintf(&b, "error: %s: %s (and %d more)\n", e[0].Pos, e[0].Msg, len(e)-1)
				continue
			}
			o, err := be.Emit(it.Query)
			var ue *translate.UnsupportedError
			switch {
			case err == nil:
				b.WriteString("ok\n")
				for _, w := range append(append([]translate.Warning{}, it.Query.Warnings...), o.Warnings...) {
					fmt.Fprintf(&b, "    warning: %s: %s\n", w.Pos, w.Msg)
				}
			case errors.As(err, &ue):
				fmt.Fprintf(&b, "error: %s: %s\n", ue.Pos, ue.Error())
			default:
				t.Errorf("%s: %s: internal error: %v", it.Path, be.Name(), err)
			}
		}
	}
	compareGolden(t, filepath.Join(goldenDir, "sigmahq-signin-outcomes.golden"), b.String())
}
