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

// TestRoundTripRead parses every emitted query back and checks it means what the rule means.
func TestRoundTripRead(t *testing.T) {
	items := roundtrip.Emitted(t, "../..", Backend{})
	var detections []roundtrip.Item
	for _, it := range items {
		if it.Query.Correlation == nil {
			detections = append(detections, it)
		}
	}
	roundtrip.CheckRead(t, target(), detections)
}

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/esql.golden")

// TestRoundTripEval interprets every emitted detection query over the pack's events and the
// events generated from each rule, with ES|QL's documented semantics, and compares the events it
// returns with the evaluator's. Differences are accepted only on rules that warn, and pinned.
func TestRoundTripEval(t *testing.T) {
	items := roundtrip.Emitted(t, "../..", Backend{})
	var detections []roundtrip.Item
	for _, it := range items {
		if it.Query.Correlation == nil {
			detections = append(detections, it)
		}
	}
	pack, err := roundtrip.PackStreams("../..")
	if err != nil {
		t.Fatal(err)
	}
	diffs := roundtrip.CheckEval(t, target(), detections, roundtrip.Streams(pack))
	roundtrip.CheckDifferences(t, "../../testdata/golden/differential/esql.golden", diffs, *update)
}
