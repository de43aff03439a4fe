package roundtrip

import "github.com/entrasig/entrasig/translate"

// Generate builds events meant to expose differences between a target and Sigma's meaning for q.
func Generate(q *translate.Query) []Stream { return nil }

// GenerateCorrelation builds streams around q's window boundaries.
func GenerateCorrelation(q *translate.Query) []Stream { return nil }
