package esql

import (
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
)

// FuzzRoundTrip: for random rules, every esql output parses back to the rule's meaning, and the
// interpreter runs over events generated from the rule (correlation streams for a correlation).
func FuzzRoundTrip(f *testing.F) {
	for _, s := range roundtrip.Seeds("../..") {
		f.Add(s)
	}
	tg := target()
	f.Fuzz(func(t *testing.T, data []byte) { roundtrip.FuzzOne(t, tg, data) })
}
