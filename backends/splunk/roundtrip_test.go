package splunk

import (
	"flag"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/splunk/internal/splread"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/splunk.golden")

func roundTarget() roundtrip.Target {
	return roundtrip.Target{
		Backend:         Backend{},
		Read:            splread.Read,
		ReadCorrelation: splread.ReadCorrelation,
		Eval:            splread.Eval,
	}
}

// TestRoundTrip proves every emitted query means what its rule means: read back, it equals the
// IR; interpreted over events with Splunk's documented semantics, it selects what the evaluator
// selects (or differs only on a rule whose output carries a warning, pinned in the golden file).
func TestRoundTrip(t *testing.T) {
	roundtrip.Prove(t, "../..", roundTarget(), "../../testdata/golden/differential/splunk.golden", *update)
}

// FuzzRoundTrip: random rules emit queries that read back to the rule's meaning and interpret
// without error.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := roundTarget()
	f.Fuzz(func(t *testing.T, data []byte) { roundtrip.FuzzOne(t, tg, data) })
}
