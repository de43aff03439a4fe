package esql

import (
	"errors"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// FuzzRoundTrip: for random rules, every esql output parses back to the rule's meaning, and the
// interpreter runs over events generated from the rule (correlation streams for a correlation).
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := target()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, q := range roundtrip.FuzzQueries(data) {
			out, err := Backend{}.Emit(q)
			var ue *translate.UnsupportedError
			if errors.As(err, &ue) {
				continue
			}
			if err != nil {
				t.Fatalf("internal error: %v", err)
			}
			if d := roundtrip.ReadDiff(tg, q, out.Query); d != "" {
				t.Fatalf("the output does not mean what the rule means: %s\n%s", d, out.Query)
			}
			streams := roundtrip.Generate
			if q.Correlation != nil {
				streams = roundtrip.GenerateCorrelation
			}
			for _, s := range streams(q) {
				evs := s.Events
				if len(evs) > 20 {
					evs = evs[:20]
				}
				if _, err := tg.Eval(out.Query, evs); err != nil {
					t.Fatalf("interpreting the output: %v\n%s", err, out.Query)
				}
			}
		}
	})
}
