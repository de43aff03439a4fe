package splunk

import (
	"errors"
	"flag"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/splunk/internal/splread"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
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
	tg := roundTarget()
	items := roundtrip.Emitted(t, "../..", tg.Backend)
	roundtrip.CheckRead(t, tg, items)
	pack, err := roundtrip.PackStreams("../..")
	if err != nil {
		t.Fatal(err)
	}
	diffs := roundtrip.CheckEval(t, tg, items, roundtrip.Streams(pack))
	roundtrip.CheckDifferences(t, "../../testdata/golden/differential/splunk.golden", diffs, *update)
}

// FuzzRoundTrip: random rules emit queries that read back to the rule's meaning and interpret
// without error.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := roundTarget()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, q := range roundtrip.FuzzQueries(data) {
			if _, err := evaluate.Compile(q); err != nil {
				continue // a PCRE-only regex: no RE2 meaning to compare with (as CheckRead skips it)
			}
			out, err := tg.Backend.Emit(q)
			var ue *translate.UnsupportedError
			if errors.As(err, &ue) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: internal error: %v", q.Path, err)
			}
			if d := roundtrip.ReadDiff(tg, q, out.Query); d != "" {
				t.Fatalf("%s: read back differs: %s\n%s", q.Path, d, out.Query)
			}
			for _, s := range fuzzStreams(q) {
				if _, err := tg.Eval(out.Query, s.Events); err != nil {
					t.Fatalf("%s: interpreting: %v\n%s", q.Path, err, out.Query)
				}
			}
		}
	})
}

// fuzzStreams are a few events for a fuzzed rule: the generated ones, else one event per table.
func fuzzStreams(q *translate.Query) []roundtrip.Stream {
	if q.Correlation != nil {
		return roundtrip.GenerateCorrelation(q)
	}
	return roundtrip.Generate(q)
}
