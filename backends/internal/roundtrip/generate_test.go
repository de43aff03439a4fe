package roundtrip

import (
	"path/filepath"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// TestGenerateProbesBothWays checks that the generated events are valid for the evaluator and,
// for every detection rule of the pack and of testdata/rules that can match at all, include both
// an event the rule selects and one it rejects on its first table (so a target that selects
// everything, or nothing, is caught).
func TestGenerateProbesBothWays(t *testing.T) {
	for _, set := range []string{filepath.Join("testdata", "rules"), filepath.Join("rules", "signin")} {
		items, err := ruletest.Dir(filepath.Join("..", "..", "..", set))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Query == nil {
				continue
			}
			q := it.Query
			if q.Correlation != nil {
				for _, s := range GenerateCorrelation(q) {
					if _, err := Reference(q, s.Events); err != nil {
						t.Errorf("%s: %s: %v", it.Path, s.Name, err)
					}
				}
				continue
			}
			if _, err := evaluate.Compile(q); err != nil {
				continue // the evaluator cannot run the rule (a PCRE-only regex): nothing to compare with
			}
			streams := Generate(q)
			if len(streams) != 4 {
				t.Fatalf("%s: %d streams, want one per table", it.Path, len(streams))
			}
			for _, s := range streams {
				got, err := Reference(q, s.Events)
				if err != nil {
					t.Errorf("%s: %s: %v", it.Path, s.Name, err)
					continue
				}
				if s.Name != "generated "+q.Tables[0].Name {
					continue
				}
				if len(got) == 0 && !neverMatches[it.Path] {
					t.Errorf("%s: %s: no generated event matches", it.Path, s.Name)
				}
				if len(got) == len(s.Events) {
					t.Errorf("%s: %s: every generated event matches", it.Path, s.Name)
				}
			}
		}
	}
}

// neverMatches are rules whose generated events cannot satisfy them (reviewed one by one).
var neverMatches = map[string]bool{
	// Keyword searches: no field to give a value (and every target rejects keywords).
	"keywords.yml":           true,
	"keywords-and-field.yml": true,
}
