package kusto

import (
	"flag"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/kusto/internal/kqlread"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/kusto.golden")

func rtTarget() roundtrip.Target {
	return roundtrip.Target{
		Backend:         Backend{},
		Read:            kqlread.Read,
		ReadCorrelation: kqlread.ReadCorrelation,
		Eval:            kqlread.Eval,
		Explain:         explain,
	}
}

// TestRoundTrip is the proof that every emitted query means what its rule means: each output
// parsed back (kqlread.Read / ReadCorrelation) equals the IR's meaning, and interpreted over the
// pack's events and the generated ones (kqlread.Eval, Kusto's documented semantics) it selects
// what the evaluator selects, or differs only on a rule whose output carries a warning (pinned in
// testdata/golden/differential/kusto.golden) and only as that warning announces: with the
// approximations the warnings name undone (explain) the output selects what the rule selects.
func TestRoundTrip(t *testing.T) {
	roundtrip.Prove(t, "../..", rtTarget(), "../../testdata/golden/differential/kusto.golden", *update)
}

// FuzzRoundTrip: random rules emit queries that read back to the rule's meaning and interpret
// without error; an UnsupportedError is an accepted outcome.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := rtTarget()
	f.Fuzz(func(t *testing.T, data []byte) { roundtrip.FuzzOne(t, tg, data) })
}
