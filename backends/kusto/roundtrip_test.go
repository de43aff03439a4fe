package kusto

import (
	"errors"
	"flag"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/kusto/internal/kqlread"
	"github.com/entrasig/entrasig/translate"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/kusto.golden")

func rtTarget() roundtrip.Target {
	return roundtrip.Target{
		Backend:         Backend{},
		Read:            kqlread.Read,
		ReadCorrelation: kqlread.ReadCorrelation,
		Eval:            kqlread.Eval,
	}
}

// TestRoundTrip is the proof that every emitted query means what its rule means: each output
// parsed back (kqlread.Read / ReadCorrelation) equals the IR's meaning, and interpreted over the
// pack's events and the generated ones (kqlread.Eval, Kusto's documented semantics) it selects
// what the evaluator selects, or differs only on a rule whose output carries a warning (pinned in
// testdata/golden/differential/kusto.golden).
func TestRoundTrip(t *testing.T) {
	tg := rtTarget()
	items := roundtrip.Emitted(t, "../..", tg.Backend)
	roundtrip.CheckRead(t, tg, items)
	pack, err := roundtrip.PackStreams("../..")
	if err != nil {
		t.Fatal(err)
	}
	diffs := roundtrip.CheckEval(t, tg, items, roundtrip.Streams(pack))
	roundtrip.CheckDifferences(t, "../../testdata/golden/differential/kusto.golden", diffs, *update)
}

// FuzzRoundTrip: random rules emit queries that read back to the rule's meaning and interpret
// without error; an UnsupportedError is an accepted outcome.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := rtTarget()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, q := range roundtrip.FuzzQueries(data) {
			out, err := tg.Backend.Emit(q)
			var ue *translate.UnsupportedError
			if errors.As(err, &ue) {
				continue
			}
			if err != nil {
				t.Fatalf("emit: %v", err)
			}
			if d := roundtrip.ReadDiff(tg, q, out.Query); d != "" {
				t.Fatalf("%s\n%s", d, out.Query)
			}
			for _, s := range roundtrip.Streams(nil)(q) {
				if _, err := tg.Eval(out.Query, withType(s.Events, q)); err != nil {
					t.Fatalf("eval: %v\n%s", err, out.Query)
				}
			}
		}
	})
}

func withType(evs []roundtrip.Event, q *translate.Query) []roundtrip.Event {
	out := make([]roundtrip.Event, len(evs))
	for i, e := range evs {
		c := roundtrip.Event{}
		for k, v := range e {
			c[k] = v
		}
		if _, ok := c["Type"]; !ok {
			c["Type"] = q.Tables[0].Name
		}
		out[i] = c
	}
	return out
}
