package esql

import (
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
