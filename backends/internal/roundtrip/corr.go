package roundtrip

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/entrasig/entrasig/translate"
)

// CorrMeaning is what a correlation query computes, in canonical terms: a backend's reader
// rebuilds it from the emitted pipeline, FromCorrelation from the IR, and DiffCorrelation compares.
type CorrMeaning struct {
	Type       string        // event_count, value_count, value_sum, value_avg, value_percentile, temporal, temporal_ordered
	Span       time.Duration // the bucket length
	Conditions []Condition   // ANDed, in any order; temporal types without a condition: count >= len(Rules)
	Percentile float64       // value_percentile
	// Rules are the referenced rules in reference order (temporal_ordered relies on it).
	Rules []CorrRule
}

// Condition is one threshold: the aggregate Op Value, Op one of gt, gte, lt, lte, eq, neq.
type Condition struct {
	Op    string
	Value float64
}

// CorrRule is one referenced rule: its filter (Filter, or Nested for a correlation), the source of
// each group-by column in GroupBy order (a canonical field, or a nested correlation's output column
// written as "column:<name>"), and, for value_* types, the source of the aggregated value.
type CorrRule struct {
	Filter  Meaning
	Nested  *CorrMeaning
	GroupBy []string
	Value   string
}

// FromCorrelation is the meaning of a translated correlation.
func FromCorrelation(q *translate.Query) (*CorrMeaning, error) {
	c := q.Correlation
	if c == nil {
		return nil, fmt.Errorf("roundtrip: %s is not a correlation", q.Path)
	}
	m := &CorrMeaning{Type: c.Type, Span: c.Timespan, Percentile: c.Percentile}
	for _, th := range c.Conditions {
		m.Conditions = append(m.Conditions, Condition{Op: th.Op, Value: th.Value})
	}
	if len(m.Conditions) == 0 && (c.Type == "temporal" || c.Type == "temporal_ordered") {
		m.Conditions = []Condition{{Op: "gte", Value: float64(len(c.Rules))}}
	}
	src := func(s translate.CorrSource) string {
		if s.Field != nil {
			return s.Field.Name
		}
		return "column:" + s.Column
	}
	for i, r := range c.Rules {
		var cr CorrRule
		var err error
		if r.Correlation != nil {
			cr.Nested, err = FromCorrelation(r)
		} else {
			cr.Filter, err = FromQuery(r)
		}
		if err != nil {
			return nil, err
		}
		for _, g := range c.GroupBy {
			cr.GroupBy = append(cr.GroupBy, src(g.PerRule[i]))
		}
		if len(c.Fields) > 0 {
			cr.Value = src(c.Fields[0].PerRule[i])
		}
		m.Rules = append(m.Rules, cr)
	}
	return m, nil
}

// DiffCorrelation compares two correlation meanings; "" when they agree.
func DiffCorrelation(want, got *CorrMeaning) string {
	if want.Type != got.Type {
		return fmt.Sprintf("type %s, want %s", got.Type, want.Type)
	}
	if want.Span != got.Span {
		return fmt.Sprintf("window %s, want %s", got.Span, want.Span)
	}
	if want.Percentile != got.Percentile {
		return fmt.Sprintf("percentile %g, want %g", got.Percentile, want.Percentile)
	}
	wc, gc := slices.Clone(want.Conditions), slices.Clone(got.Conditions)
	if want.Type == "temporal_ordered" {
		// translate accepts only conditions that hold exactly when every rule is found.
		wc = []Condition{{Op: "gte", Value: float64(len(want.Rules))}}
	}
	order := func(a, b Condition) int {
		if a.Op != b.Op {
			if a.Op < b.Op {
				return -1
			}
			return 1
		}
		switch {
		case a.Value < b.Value:
			return -1
		case a.Value > b.Value:
			return 1
		}
		return 0
	}
	slices.SortFunc(wc, order)
	slices.SortFunc(gc, order)
	if !slices.Equal(wc, gc) {
		return fmt.Sprintf("conditions %v, want %v", gc, wc)
	}
	if want.Type != "temporal" && want.Type != "temporal_ordered" {
		// A counting type counts an event once whichever rule it matches, so a target may OR the
		// filters of the rules that read their group-by (and value) fields from the same columns:
		// compare, per table, the OR of the filters of each source set, and nested correlations in
		// order.
		return diffMerged(want.Rules, got.Rules)
	}
	if len(want.Rules) != len(got.Rules) {
		return fmt.Sprintf("%d rules, want %d", len(got.Rules), len(want.Rules))
	}
	for i, w := range want.Rules {
		g := got.Rules[i]
		switch {
		case (w.Nested == nil) != (g.Nested == nil):
			return fmt.Sprintf("rule %d: nested correlation expected: %t", i+1, w.Nested != nil)
		case w.Nested != nil:
			if !slices.Equal(w.GroupBy, g.GroupBy) {
				return fmt.Sprintf("rule %d: group by %q, want %q", i+1, g.GroupBy, w.GroupBy)
			}
			if d := DiffCorrelation(w.Nested, g.Nested); d != "" {
				return fmt.Sprintf("rule %d: %s", i+1, d)
			}
		default:
			for t := range w.Filter {
				if isConstFalse(w.Filter[t]) && isConstFalse(g.Filter[t]) {
					continue
				}
				if ws, gs := tableSources(w, translate.TableID(t)), tableSources(g, translate.TableID(t)); ws != gs {
					return fmt.Sprintf("rule %d: %s: sources %q, want %q", i+1, translate.SignIn().Table(translate.TableID(t)).Name, gs, ws)
				}
			}
			if d := Diff(w.Filter, g.Filter); d != "" {
				return fmt.Sprintf("rule %d: %s", i+1, d)
			}
		}
	}
	return ""
}

func isConstFalse(p Pred) bool {
	c, ok := p.(Const)
	return p == nil || ok && !bool(c)
}

// tableSources is the group-by and value sources of a rule as they read in table t: a canonical
// field that t lacks is null there, written "".
func tableSources(r CorrRule, t translate.TableID) string {
	src := func(s string) string {
		if f := translate.SignIn().Field(s); f != nil && !f.Tables.Has(t) {
			return ""
		}
		return s
	}
	var parts []string
	for _, g := range r.GroupBy {
		parts = append(parts, src(g))
	}
	parts = append(parts, "value="+src(r.Value))
	return strings.Join(parts, "\x00")
}

// diffMerged compares the rules of a counting correlation: per table, the OR of the filters of the
// rules with the same sources there; nested correlations in order.
func diffMerged(want, got []CorrRule) string {
	merge := func(rules []CorrRule) (map[string]Meaning, []CorrRule) {
		out := map[string]Meaning{}
		var nested []CorrRule
		for _, r := range rules {
			if r.Nested != nil {
				nested = append(nested, r)
				continue
			}
			for t, p := range r.Filter {
				if isConstFalse(p) {
					continue
				}
				k := tableSources(r, translate.TableID(t))
				m, ok := out[k]
				if !ok {
					for i := range m {
						m[i] = Const(false)
					}
				}
				m[t] = &Or{Args: []Pred{m[t], p}}
				out[k] = m
			}
		}
		return out, nested
	}
	wm, wn := merge(want)
	gm, gn := merge(got)
	for _, k := range slices.Sorted(maps.Keys(wm)) {
		w := wm[k]
		g, ok := gm[k]
		if !ok {
			return fmt.Sprintf("no rule reads the sources %q", strings.ReplaceAll(k, "\x00", ", "))
		}
		if d := Diff(w, g); d != "" {
			return fmt.Sprintf("sources %q: %s", strings.ReplaceAll(k, "\x00", ", "), d)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(gm)) {
		if _, ok := wm[k]; !ok {
			return fmt.Sprintf("the output reads the sources %q, which no rule does", strings.ReplaceAll(k, "\x00", ", "))
		}
	}
	if len(wn) != len(gn) {
		return fmt.Sprintf("%d nested correlations, want %d", len(gn), len(wn))
	}
	for i := range wn {
		if !slices.Equal(wn[i].GroupBy, gn[i].GroupBy) || wn[i].Value != gn[i].Value {
			return fmt.Sprintf("nested correlation %d: sources %q %q, want %q %q", i+1, gn[i].GroupBy, gn[i].Value, wn[i].GroupBy, wn[i].Value)
		}
		if d := DiffCorrelation(wn[i].Nested, gn[i].Nested); d != "" {
			return fmt.Sprintf("nested correlation %d: %s", i+1, d)
		}
	}
	return ""
}
