package esql

import (
	"flag"
	"fmt"
	"net/netip"
	"testing"

	"github.com/entrasig/entrasig/backends/esql/internal/esqlread"
	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
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
	roundtrip.CheckRead(t, target(), items)
}

var update = flag.Bool("update", false, "rewrite testdata/golden/differential/esql.golden")

// TestRoundTripEval interprets every emitted query over the pack's events and the events generated
// from each rule (correlation streams for correlations), with ES|QL's documented semantics, and
// compares the events (or correlation groups) it returns with the evaluator's. Differences are accepted only on rules that warn, and pinned.
func TestRoundTripEval(t *testing.T) {
	items := roundtrip.Emitted(t, "../..", Backend{})
	pack, err := roundtrip.PackStreams("../..")
	if err != nil {
		t.Fatal(err)
	}
	diffs := roundtrip.CheckEval(t, target(), items, ipStreams(roundtrip.Streams(pack)))
	roundtrip.CheckDifferences(t, "../../testdata/golden/differential/esql.golden", diffs, *update)
}

// ipStreams adapts the generated correlation streams to the Elastic mapping: the generator puts
// labels ("group-a", "value-1") in every group-by and value field, but IPAddress is the ip field
// source.ip in Elastic, which cannot hold a label (the document keeps no value). Each label in a
// field Elastic maps as ip becomes a documentation address (198.51.100.n, one per distinct label
// in the stream, in order of appearance), so the groups and distinct values stay the same for the
// evaluator and the target; "" and null are kept.
func ipStreams(streams func(q *translate.Query) []roundtrip.Stream) func(q *translate.Query) []roundtrip.Stream {
	return func(q *translate.Query) []roundtrip.Stream {
		ss := streams(q)
		c := q.Correlation
		if c == nil {
			return ss
		}
		cols := map[string]bool{}
		for _, g := range append(append([]translate.CorrField{}, c.GroupBy...), c.Fields...) {
			for _, src := range g.PerRule {
				if f := src.Field; f != nil && f.Elastic.Type == "ip" && len(f.Path) == 0 {
					cols[f.Column] = true
				}
			}
		}
		if len(cols) == 0 {
			return ss
		}
		out := make([]roundtrip.Stream, len(ss))
		for i, s := range ss {
			addr := map[string]string{}
			ns := roundtrip.Stream{Name: s.Name}
			for _, ev := range s.Events {
				e := make(roundtrip.Event, len(ev))
				for k, v := range ev {
					e[k] = v
				}
				for col := range cols {
					v, ok := e[col].(string)
					if !ok || v == "" {
						continue
					}
					if _, err := netip.ParseAddr(v); err == nil {
						continue
					}
					a, ok := addr[v]
					if !ok {
						a = fmt.Sprintf("198.51.100.%d", len(addr)+1)
						addr[v] = a
					}
					e[col] = a
				}
				ns.Events = append(ns.Events, e)
			}
			out[i] = ns
		}
		return out
	}
}
