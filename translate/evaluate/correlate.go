package evaluate

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// MaxFindingLines caps Finding.Lines: a finding keeps the smallest MaxFindingLines line numbers of
// its events and sets Truncated when it had more.
const MaxFindingLines = 1000

// maxCorrelationRules bounds the referenced rules of one correlation (a rule set is a bit mask).
const maxCorrelationRules = 64

// GroupValue is one group-by value of a correlation finding.
type GroupValue struct {
	Name  string // the output column (CorrField.Name)
	Value string // the value's string form; "" when Null
	Null  bool   // the field was null or empty in the group's events (null and "" are one group)
}

// Finding is what a Run reports: for a plain rule, one matching event; for a correlation, one group
// (window and group-by values) whose aggregate satisfies the conditions.
type Finding struct {
	// Lines are the event line numbers (Event.Line) that make up the finding, ascending and distinct:
	// for a correlation every event of the group (every event that matched a referenced rule with
	// the group's window and values; through a nested correlation, the events of its findings), at
	// most MaxFindingLines of them (the smallest), with Truncated set when there were more.
	Lines     []int
	Truncated bool
	// Group holds the group-by values in Correlation.GroupBy order (empty without group-by).
	Group []GroupValue
	// Window is the start of the group's time bucket (zero for a plain rule).
	Window time.Time
	// Start and End are the first and last event time of the finding.
	Start, End time.Time
	// Value is the aggregate the conditions compared (event count, distinct values, sum, mean,
	// percentile, number of distinct rules, or for temporal_ordered the length of the longest
	// in-order prefix of the rules found); 0 for a plain rule.
	Value float64
}

type corrKind int

const (
	kindEventCount corrKind = iota + 1
	kindValueCount
	kindValueSum
	kindValueAvg
	kindValuePercentile
	kindTemporal
	kindTemporalOrdered
)

func parseKind(s string) (corrKind, bool) {
	switch s {
	case "event_count":
		return kindEventCount, true
	case "value_count":
		return kindValueCount, true
	case "value_sum":
		return kindValueSum, true
	case "value_avg":
		return kindValueAvg, true
	case "value_percentile":
		return kindValuePercentile, true
	case "temporal":
		return kindTemporal, true
	case "temporal_ordered":
		return kindTemporalOrdered, true
	}
	return 0, false
}

// corrProgram is a compiled correlation.
type corrProgram struct {
	c       *translate.Correlation
	kind    corrKind
	span    time.Duration
	subs    []*Program // one per Correlation.Rules entry
	groupBy []corrSource
	names   []string // group-by output columns
	value   []source // value_* types: the aggregated field per rule
	conds   []rules.Threshold
}

// corrSource is a group-by field: where each referenced rule's value comes from.
type corrSource []source

// source reads one value for one referenced rule: an event field (acc) or a nested correlation's
// group-by column (col, an index into its Finding.Group).
type source struct {
	acc *accessor
	col int
}

func compileCorrelation(q *translate.Query) (*Program, error) {
	c := q.Correlation
	fail := func(msg string, args ...any) (*Program, error) {
		return nil, &CompileError{Path: q.Path, Pos: c.Pos, Msg: "correlation: " + fmt.Sprintf(msg, args...)}
	}
	kind, ok := parseKind(c.Type)
	if !ok {
		return fail("unknown type %q", c.Type)
	}
	n := len(c.Rules)
	switch {
	case c.Timespan <= 0:
		return fail("timespan %v is not positive", c.Timespan)
	case n == 0:
		return fail("no referenced rules")
	case n > maxCorrelationRules:
		return fail("%d referenced rules; the evaluator handles at most %d", n, maxCorrelationRules)
	}
	cp := &corrProgram{c: c, kind: kind, span: c.Timespan, conds: c.Conditions}
	var errs []error
	for _, r := range c.Rules {
		p, err := Compile(r)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cp.subs = append(cp.subs, p)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	resolve := func(f translate.CorrField) (corrSource, error) {
		if len(f.PerRule) != n {
			return nil, &CompileError{Path: q.Path, Pos: f.Pos, Msg: fmt.Sprintf("correlation: field %s has %d sources for %d rules", f.Name, len(f.PerRule), n)}
		}
		out := make(corrSource, n)
		for i, src := range f.PerRule {
			nested := cp.subs[i].corr
			switch {
			case src.Field != nil && nested == nil:
				a := newAccessor(src.Field)
				out[i] = source{acc: &a, col: -1}
			case src.Column != "" && nested != nil:
				col := -1
				for j, name := range nested.names {
					if name == src.Column {
						col = j
					}
				}
				if col < 0 {
					return nil, &CompileError{Path: q.Path, Pos: f.Pos, Msg: fmt.Sprintf("correlation: the nested correlation %q does not group by %q", c.RuleNames[i], src.Column)}
				}
				out[i] = source{col: col}
			default:
				return nil, &CompileError{Path: q.Path, Pos: f.Pos, Msg: fmt.Sprintf("correlation: field %s has no source for %q", f.Name, c.RuleNames[i])}
			}
		}
		return out, nil
	}
	for _, g := range c.GroupBy {
		src, err := resolve(g)
		if err != nil {
			return nil, err
		}
		cp.groupBy = append(cp.groupBy, src)
		cp.names = append(cp.names, g.Name)
	}
	switch kind {
	case kindValueCount, kindValueSum, kindValueAvg, kindValuePercentile:
		if len(c.Fields) != 1 {
			return fail("%s needs exactly one field, got %d", c.Type, len(c.Fields))
		}
		src, err := resolve(c.Fields[0])
		if err != nil {
			return nil, err
		}
		for i, s := range src {
			if s.acc == nil {
				return fail("%s cannot aggregate a field of the nested correlation %q", c.Type, c.RuleNames[i])
			}
		}
		cp.value = src
	}
	if kind == kindValuePercentile && !(c.Percentile >= 0 && c.Percentile <= 100) {
		return fail("percentile %v is not between 0 and 100", c.Percentile)
	}
	for _, th := range c.Conditions {
		switch th.Op {
		case "gt", "gte", "lt", "lte", "eq", "neq":
		default:
			return nil, &CompileError{Path: q.Path, Pos: firstPos(th.Pos, c.Pos), Msg: fmt.Sprintf("correlation: unknown condition operator %q", th.Op)}
		}
	}
	switch {
	case len(c.Conditions) == 0 && kind != kindTemporal && kind != kindTemporalOrdered:
		return fail("%s needs a condition", c.Type)
	}
	return &Program{query: q, corr: cp}, nil
}

// joinErrors flattens compile errors of referenced rules (already *CompileErrors) into one error.
func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	var flat []error
	for _, err := range errs {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			flat = append(flat, j.Unwrap()...)
		} else {
			flat = append(flat, err)
		}
	}
	if len(flat) > maxErrors {
		flat = flat[:maxErrors]
	}
	return errors.Join(flat...)
}

// holds reports whether every condition holds for v (a NaN aggregate never holds). Without
// conditions (temporal types) every rule must be found.
func (cp *corrProgram) holds(v float64) bool {
	if math.IsNaN(v) {
		return false
	}
	if len(cp.conds) == 0 {
		return v == float64(len(cp.subs))
	}
	return translate.Holds(cp.conds, v)
}

// bucketStart is floor(t / span) * span on the Unix epoch, in UTC.
func bucketStart(t time.Time, span time.Duration) time.Time {
	if span%time.Second == 0 {
		s := int64(span / time.Second)
		u := t.Unix()
		return time.Unix(u-floorMod(u, s), 0).UTC()
	}
	u := t.UnixNano()
	return time.Unix(0, u-floorMod(u, int64(span))).UTC()
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// groupKey encodes group-by values (null apart from every string) as a map key.
func groupKey(vals []GroupValue) string {
	var b strings.Builder
	for _, v := range vals {
		if v.Null {
			b.WriteByte('-')
			continue
		}
		b.WriteString(strconv.Itoa(len(v.Value)))
		b.WriteByte(':')
		b.WriteString(v.Value)
	}
	return b.String()
}

// value reads a rule's source for an event: its string form, or null (absent, JSON null or "").
func (s *source) value(ev *Event) (any, string, bool) {
	v, ok := s.acc.get(ev)
	if !ok {
		return nil, "", false
	}
	str := ev.text(s.acc.name, v)
	if str == "" {
		return nil, "", false
	}
	return v, str, true
}

// item is one event of a correlation's event set, ready to be put in its group: a direct event
// (with the group-by values and aggregated value of the first rule it matched with those values)
// or a finding of a nested correlation.
type item struct {
	seq       uint64
	time      time.Time // where it is bucketed: the event time, or a nested finding's End
	start     time.Time // the earliest event time behind it (a nested finding's Start)
	mask      uint64    // the referenced rules it matched
	vals      []GroupValue
	key       string
	line      int   // a direct event's line
	lines     []int // a nested finding's lines
	truncated bool
	str       string // value_count: the value's string form (hasStr)
	num       float64
	hasStr    bool
	hasNum    bool
}

// directItems turns an event that matched the rules of mask into items: one per distinct group
// (an event normally has one; with aliases it can land in several groups, once in each).
func (cp *corrProgram) directItems(ev *Event, mask uint64) []*item {
	var out []*item
	for i := range cp.subs {
		if mask&(1<<i) == 0 {
			continue
		}
		vals := make([]GroupValue, len(cp.groupBy))
		for g, src := range cp.groupBy {
			vals[g].Name = cp.names[g]
			if _, s, ok := src[i].value(ev); ok {
				vals[g].Value = s
			} else {
				vals[g].Null = true
			}
		}
		key := groupKey(vals)
		var it *item
		for _, o := range out {
			if o.key == key {
				it = o
			}
		}
		if it != nil {
			it.mask |= 1 << i
			continue
		}
		it = &item{time: ev.Time, start: ev.Time, mask: 1 << i, vals: vals, key: key, line: ev.Line}
		if cp.value != nil {
			if v, s, ok := cp.value[i].value(ev); ok {
				it.str, it.hasStr = s, true
				it.num, it.hasNum = number(v)
			}
		}
		out = append(out, it)
	}
	return out
}

// nestedItem turns a finding of the i-th referenced rule (a nested correlation) into an event at
// the finding's last event time, with the nested group-by values as its fields.
func (cp *corrProgram) nestedItem(i int, f Finding) *item {
	vals := make([]GroupValue, len(cp.groupBy))
	for g, src := range cp.groupBy {
		v := f.Group[src[i].col]
		vals[g] = GroupValue{Name: cp.names[g], Value: v.Value, Null: v.Null}
	}
	return &item{time: f.End, start: f.Start, mask: 1 << i, vals: vals, key: groupKey(vals), lines: f.Lines, truncated: f.Truncated}
}

// group is the state of one open window and group-by values.
type group struct {
	key        string
	vals       []GroupValue
	lines      []int
	truncated  bool
	start, end time.Time
	events     int
	distinct   map[string]struct{} // value_count
	sum        float64             // value_sum, value_avg
	nums       int
	values     []float64 // value_percentile
	rules      uint64    // temporal: rules seen
	// temporal_ordered over two rules: the earliest time of rule 1 and the latest of rule 2.
	first, last       time.Time
	hasFirst, hasLast bool
	// temporal_ordered over one or three and more rules: the greedy in-order prefix found so far
	// (k rules, the k-th at time tk).
	k  int
	tk time.Time
}

func (g *group) add(cp *corrProgram, it *item) {
	if g.events == 0 || it.start.Before(g.start) {
		g.start = it.start
	}
	if g.events == 0 || it.time.After(g.end) {
		g.end = it.time
	}
	g.events++
	if it.lines == nil {
		g.lines = append(g.lines, it.line)
	} else {
		g.lines = append(g.lines, it.lines...)
	}
	g.truncated = g.truncated || it.truncated
	if len(g.lines) > 2*MaxFindingLines {
		g.lines = capLines(g.lines, &g.truncated)
	}
	switch cp.kind {
	case kindValueCount:
		if it.hasStr {
			if g.distinct == nil {
				g.distinct = map[string]struct{}{}
			}
			g.distinct[it.str] = struct{}{}
		}
	case kindValueSum, kindValueAvg:
		if it.hasNum {
			g.sum += it.num
			g.nums++
		}
	case kindValuePercentile:
		if it.hasNum {
			g.values = append(g.values, it.num)
		}
	case kindTemporal:
		g.rules |= it.mask
	case kindTemporalOrdered:
		if len(cp.subs) == 2 {
			if it.mask&1 != 0 && (!g.hasFirst || it.time.Before(g.first)) {
				g.first, g.hasFirst = it.time, true
			}
			if it.mask&2 != 0 && (!g.hasLast || it.time.After(g.last)) {
				g.last, g.hasLast = it.time, true
			}
			break
		}
		if g.k < len(cp.subs) && it.mask&(1<<g.k) != 0 && (g.k == 0 || it.time.After(g.tk)) {
			g.k++
			g.tk = it.time
		}
	}
}

// capLines sorts and de-duplicates lines and keeps the smallest MaxFindingLines.
func capLines(lines []int, truncated *bool) []int {
	slices.Sort(lines)
	out := lines[:0]
	for i, l := range lines {
		if i > 0 && l == lines[i-1] {
			continue
		}
		out = append(out, l)
	}
	if len(out) > MaxFindingLines {
		out = out[:MaxFindingLines]
		*truncated = true
	}
	return out
}

// aggregate is the value the conditions compare.
func (g *group) aggregate(cp *corrProgram) float64 {
	switch cp.kind {
	case kindEventCount:
		return float64(g.events)
	case kindValueCount:
		return float64(len(g.distinct))
	case kindValueSum:
		if g.nums == 0 {
			return math.NaN()
		}
		return g.sum
	case kindValueAvg:
		if g.nums == 0 {
			return math.NaN()
		}
		return g.sum / float64(g.nums)
	case kindValuePercentile:
		return nearestRank(g.values, cp.c.Percentile)
	case kindTemporal:
		return float64(bits.OnesCount64(g.rules))
	case kindTemporalOrdered:
		if len(cp.subs) == 2 {
			switch {
			case !g.hasFirst:
				return 0
			case g.hasLast && g.first.Before(g.last):
				return 2
			}
			return 1
		}
		return float64(g.k)
	}
	return math.NaN()
}

// nearestRank is the nearest-rank percentile: the smallest value such that at least p percent of
// the values are at or below it, i.e. the ceil(p/100*n)-th smallest (the smallest for p = 0).
// NaN when there are no values.
func nearestRank(values []float64, p float64) float64 {
	n := len(values)
	if n == 0 {
		return math.NaN()
	}
	sorted := append([]float64(nil), values...)
	slices.Sort(sorted)
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = max(rank, 1)
	rank = min(rank, n)
	return sorted[rank-1]
}

func (g *group) finding(cp *corrProgram, window time.Time) (Finding, bool) {
	v := g.aggregate(cp)
	if !cp.holds(v) {
		return Finding{}, false
	}
	truncated := g.truncated
	lines := capLines(g.lines, &truncated)
	return Finding{
		Lines:     lines,
		Truncated: truncated,
		Group:     g.vals,
		Window:    window,
		Start:     g.start,
		End:       g.end,
		Value:     v,
	}, true
}
