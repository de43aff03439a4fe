package backends

import (
	"errors"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// TestHostileValuesClearOutcome puts every hostile value in every position (roundtrip.HostileRules)
// and checks that each rule either loads and translates or fails with positioned diagnostics, and
// that each target then either emits a query (whose read-back each backend's round-trip test
// proves identical) or returns an UnsupportedError that names the construct, gives a reason and
// points into the rule. Nothing else is allowed: no internal error, no empty query.
func TestHostileValuesClearOutcome(t *testing.T) {
	bes := All(Options{})
	for _, h := range roundtrip.HostileRules() {
		for _, it := range ruletest.Files([]*rules.File{rules.LoadFile(h.Name, h.YAML)}) {
			if it.Query == nil || it.Diags.HasErrors() {
				checkPositioned(t, h.Name, it.Diags.Errors())
				continue
			}
			for _, b := range bes {
				out, err := b.Emit(it.Query)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					if strings.TrimSpace(out.Query) == "" {
						t.Errorf("%s: %s: empty query", b.Name(), h.Name)
					}
				case errors.As(err, &ue):
					if ue.Construct == "" || ue.Reason == "" || ue.Pos.Line == 0 {
						t.Errorf("%s: %s: unclear error (construct %q, reason %q, line %d)", b.Name(), h.Name, ue.Construct, ue.Reason, ue.Pos.Line)
					}
				default:
					t.Errorf("%s: %s: internal error: %v", b.Name(), h.Name, err)
				}
			}
		}
	}
}

func checkPositioned(t *testing.T, name string, ds rules.Diagnostics) {
	t.Helper()
	for _, d := range ds {
		if !strings.HasPrefix(d.Error(), name+":") || d.Pos.Line == 0 {
			t.Errorf("%s: diagnostic without a position: %v", name, d)
		}
	}
}
