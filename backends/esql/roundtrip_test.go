package esql

import (
	"flag"
	"testing"

	"github.com/entrasig/entrasig/backends/esql/internal/esqlread"
	"github.com/entrasig/entrasig/backends/internal/roundtrip"
)

func target() roundtrip.Target {
	return roundtrip.Target{
		Backend:         Backend{},
		Read:            esqlread.Read,
		ReadCorrelation: esqlread.ReadCorrelation,
		Eval:            esqlread.Eval,
		Documented:      esqlread.Documented,
	}
}

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/esql.golden")

// TestRoundTrip parses every emitted query back and checks it means what the rule means, then
// interprets it over the pack's events and the events generated from each rule (correlation
// streams for correlations) with ES|QL's documented semantics and compares the events (or
// correlation groups) it returns with the evaluator's. Differences are accepted only on rules
// that warn, and pinned.
func TestRoundTrip(t *testing.T) {
	roundtrip.Prove(t, "../..", target(), "../../testdata/golden/differential/esql.golden", *update)
}
