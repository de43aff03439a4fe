package kqlread

import (
	"fmt"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// ReadCorrelation parses an emitted correlation query back into its meaning: the type (from the
// aggregate's column), the window (bin/bin_at of TimeGenerated), the conditions (the final where
// against the let thresholds), and the event set as one CorrRule per union leg (or the single
// table): the leg's filter on its table, the canonical source of each group-by column (in the
// summarize's order) and of the aggregated value. A counting type's leg holds the OR of the
// predicates of every rule routed there (an event counts once), so its rules are not told apart
// (roundtrip.DiffCorrelation compares them merged); a temporal type's legs carry one tag per
// rule, so each rule is read on its own, in reference order.
func ReadCorrelation(out string) (*roundtrip.CorrMeaning, error) {
	s, err := Parse(out)
	if err != nil {
		return nil, err
	}
	r := &corrReader{scalars: map[string]float64{}, tabs: map[string]*Tabular{}}
	for _, l := range s.Lets {
		if l.Tab != nil {
			r.tabs[l.Name] = l.Tab
			continue
		}
		n, ok := numeric(l.Scalar.(*Lit).V)
		if !ok {
			return nil, fmt.Errorf("kqlread: let %s is not a number", l.Name)
		}
		r.scalars[l.Name] = n
	}
	return r.corr(s.Body)
}

type corrReader struct {
	scalars map[string]float64
	tabs    map[string]*Tabular
}

var aggTypes = map[string]string{"EventCount": "event_count", "ValueCount": "value_count", "ValueSum": "value_sum",
	"ValueAvg": "value_avg", "ValuePercentile": "value_percentile", "RuleCount": "temporal", "Ordered": "temporal_ordered"}

// leg is one operand of the event set as read: its table (nil for a nested correlation), its
// filter, its columns (name -> expression) and its per-rule tags.
type leg struct {
	table  *translate.Table
	nested string
	sc     *scope
	filter roundtrip.Pred
	cols   map[string]Expr
	tags   map[string]roundtrip.Pred // r<i> -> where the event is tagged for rule i
}

func (r *corrReader) corr(body *Tabular) (*roundtrip.CorrMeaning, error) {
	first := -1
	for i, op := range body.Ops {
		if _, ok := op.(*Summarize); ok {
			first = i
			break
		}
	}
	if first < 0 {
		return nil, fmt.Errorf("kqlread: a correlation has a summarize")
	}
	var legs []*leg
	if body.Source == "" {
		if first != 0 {
			return nil, fmt.Errorf("kqlread: operators between the union and its summarize")
		}
		for _, t := range body.Union {
			l, err := r.leg(t, true)
			if err != nil {
				return nil, err
			}
			legs = append(legs, l)
		}
	} else {
		l, err := r.leg(&Tabular{Source: body.Source, Ops: body.Ops[:first]}, false)
		if err != nil {
			return nil, err
		}
		legs = append(legs, l)
	}
	pipe := body.Ops[first:]
	m := &roundtrip.CorrMeaning{}
	var final *Summarize
	var groupBy []Assign
	switch {
	case len(pipe) >= 2 && isOrdered3(pipe):
		span, last, by, err := r.ordered3(pipe)
		if err != nil {
			return nil, err
		}
		m.Span, final, groupBy = span, last, by
	default:
		final = pipe[0].(*Summarize)
		if len(final.By) == 0 || final.By[0].Name != "TimeGenerated" {
			return nil, fmt.Errorf("kqlread: summarize by TimeGenerated = bin(...) first")
		}
		span, err := window(final.By[0].X)
		if err != nil {
			return nil, err
		}
		m.Span = span
		groupBy = final.By[1:]
	}
	if len(final.Aggs) != 3 || final.Aggs[1].Name != "StartTime" || final.Aggs[2].Name != "EndTime" ||
		show(final.Aggs[1].X) != "min(TimeGenerated)" || show(final.Aggs[2].X) != "max(TimeGenerated)" {
		return nil, fmt.Errorf("kqlread: summarize computes <aggregate>, StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)")
	}
	agg := final.Aggs[0]
	m.Type = aggTypes[agg.Name]
	if m.Type == "" {
		return nil, fmt.Errorf("kqlread: unknown aggregate column %s", agg.Name)
	}
	// The conditions.
	rest := pipe[len(pipe)-1]
	if _, ok := rest.(*Summarize); ok {
		rest = nil
	}
	if rest != nil {
		w, ok := rest.(*Where)
		if !ok {
			return nil, fmt.Errorf("kqlread: a correlation ends with its conditions")
		}
		conds, err := r.conditions(w.Pred, agg.Name)
		if err != nil {
			return nil, err
		}
		m.Conditions = conds
	}
	// The aggregate and the value it reads.
	valueCol, err := r.aggregate(m, agg)
	if err != nil {
		return nil, err
	}
	// The rules.
	tags := m.Type == "temporal" || m.Type == "temporal_ordered"
	if !tags {
		for _, l := range legs {
			cr, err := r.rule(l, groupBy, valueCol, nil, len(legs) == 1)
			if err != nil {
				return nil, err
			}
			m.Rules = append(m.Rules, cr)
		}
		return m, nil
	}
	n := 0
	for _, l := range legs {
		for name := range l.tags {
			var i int
			if _, err := fmt.Sscanf(name, "r%d", &i); err == nil && i+1 > n {
				n = i + 1
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("kqlread: a temporal correlation without rule tags")
	}
	for i := 0; i < n; i++ {
		tag := fmt.Sprintf("r%d", i)
		var cr *roundtrip.CorrRule
		for _, l := range legs {
			p, ok := l.tags[tag]
			if !ok {
				return nil, fmt.Errorf("kqlread: leg without tag %s", tag)
			}
			if c, ok := p.(roundtrip.Const); ok && !bool(c) {
				continue
			}
			one, err := r.rule(l, groupBy, valueCol, p, len(legs) == 1)
			if err != nil {
				return nil, err
			}
			if cr == nil {
				cr = &one
				continue
			}
			if err := mergeRule(cr, one); err != nil {
				return nil, err
			}
		}
		if cr == nil {
			return nil, fmt.Errorf("kqlread: no leg tags rule %d", i)
		}
		m.Rules = append(m.Rules, *cr)
	}
	return m, nil
}

// mergeRule adds another table's leg of the same rule: filters per table, and group-by sources
// that agree (a "" source is a table lacking the field and takes the other leg's field).
func mergeRule(a *roundtrip.CorrRule, b roundtrip.CorrRule) error {
	if (a.Nested == nil) != (b.Nested == nil) || a.Nested != nil {
		return fmt.Errorf("kqlread: a rule both nested and not")
	}
	for t := range a.Filter {
		switch {
		case isFalse(b.Filter[t]):
		case isFalse(a.Filter[t]):
			a.Filter[t] = b.Filter[t]
		default:
			a.Filter[t] = &roundtrip.Or{Args: []roundtrip.Pred{a.Filter[t], b.Filter[t]}}
		}
	}
	for i := range a.GroupBy {
		switch {
		case b.GroupBy[i] == "" || b.GroupBy[i] == a.GroupBy[i]:
		case a.GroupBy[i] == "":
			a.GroupBy[i] = b.GroupBy[i]
		default:
			return fmt.Errorf("kqlread: one rule reads group-by %d from %s and %s", i, a.GroupBy[i], b.GroupBy[i])
		}
	}
	if a.Value == "" {
		a.Value = b.Value
	} else if b.Value != "" && b.Value != a.Value {
		return fmt.Errorf("kqlread: one rule reads its value from %s and %s", a.Value, b.Value)
	}
	return nil
}

func isFalse(p roundtrip.Pred) bool {
	c, ok := p.(roundtrip.Const)
	return p == nil || ok && !bool(c)
}

// rule builds the CorrRule of one leg (restricted to tag when the type has tags).
func (r *corrReader) rule(l *leg, groupBy []Assign, valueCol Expr, tag roundtrip.Pred, single bool) (roundtrip.CorrRule, error) {
	var cr roundtrip.CorrRule
	if l.nested != "" {
		nm, err := r.corr(r.tabs[l.nested])
		if err != nil {
			return cr, fmt.Errorf("%s: %w", l.nested, err)
		}
		cr.Nested = nm
		for _, g := range groupBy {
			c, ok := l.cols[g.Name].(*Col)
			if !ok {
				return cr, fmt.Errorf("kqlread: nested leg projects %s from a non-column", g.Name)
			}
			cr.GroupBy = append(cr.GroupBy, "column:"+c.Name)
		}
		return cr, nil
	}
	for i := range cr.Filter {
		cr.Filter[i] = roundtrip.Const(false)
	}
	p := l.filter
	if tag != nil {
		if c, ok := tag.(roundtrip.Const); !ok || !bool(c) {
			p = &roundtrip.And{Args: []roundtrip.Pred{p, tag}}
		}
	}
	cr.Filter[l.table.ID] = p
	for _, g := range groupBy {
		x := g.X
		if !single {
			c, ok := g.X.(*Col)
			if !ok || c.Name != g.Name {
				return cr, fmt.Errorf("kqlread: union summarize groups by its columns")
			}
			if x, ok = l.cols[g.Name]; !ok {
				return cr, fmt.Errorf("kqlread: leg lacks group column %s", g.Name)
			}
		}
		src, err := l.source(x, false)
		if err != nil {
			return cr, err
		}
		cr.GroupBy = append(cr.GroupBy, src)
	}
	if valueCol != nil {
		x := valueCol
		if !single {
			c, ok := valueCol.(*Col)
			if !ok {
				return cr, fmt.Errorf("kqlread: union aggregate reads a column")
			}
			if x, ok = l.cols[c.Name]; !ok {
				return cr, fmt.Errorf("kqlread: leg lacks value column %s", c.Name)
			}
		}
		src, err := l.source(x, true)
		if err != nil {
			return cr, err
		}
		cr.Value = src
	}
	return cr, nil
}

// source is the canonical field a group-by or value expression reads: a string column or
// tostring(F) (group-by, value_count), toreal(F) or a real column (sums); "" / real(null) in a
// table that lacks the field is "" (checked: the table must lack it, so the field is null there).
func (l *leg) source(x Expr, real bool) (string, error) {
	if s, ok := strLit(x); ok && s == "" {
		return "", nil
	}
	if c, ok := x.(*Call); ok && c.Fn == "real" {
		return "", nil
	}
	if c, ok := x.(*Call); ok && c.Fn == "toreal" && len(c.Args) == 1 {
		f, _, err := l.sc.raw(c.Args[0])
		if err != nil {
			return "", err
		}
		return f.Name, nil
	}
	if real {
		f, typ, err := l.sc.raw(x)
		if err == nil && typ == "real" {
			return f.Name, nil
		}
	}
	f, _, err := l.sc.str(x)
	if err != nil {
		return "", err
	}
	return f.Name, nil
}

// leg reads one operand of the event set: filter operators, then (in a union) its project.
func (r *corrReader) leg(t *Tabular, union bool) (*leg, error) {
	l := &leg{cols: map[string]Expr{}, tags: map[string]roundtrip.Pred{}}
	ops := t.Ops
	if _, ok := r.tabs[t.Source]; ok {
		l.nested = t.Source
		if len(ops) != 1 {
			return nil, fmt.Errorf("kqlread: a nested leg is `%s | project ...`", t.Source)
		}
	} else {
		tb, ok := tableByName(t.Source)
		if !ok {
			return nil, fmt.Errorf("kqlread: unknown source %s", t.Source)
		}
		l.table, l.sc = tb, newScope(tb.ID)
	}
	var preds []roundtrip.Pred
	extended := map[string]roundtrip.Pred{}
	for i, op := range ops {
		last := i == len(ops)-1
		switch op := op.(type) {
		case *Where:
			if l.sc == nil {
				return nil, fmt.Errorf("kqlread: where on a nested correlation")
			}
			if len(extended) > 0 {
				// `where r0 or r1` after the tags: the OR of the tags, nothing else.
				for _, x := range flatten(op.Pred, "or") {
					c, ok := x.(*Col)
					if !ok || extended[c.Name] == nil {
						return nil, fmt.Errorf("kqlread: after the tags, where is the OR of tags")
					}
				}
				continue
			}
			p, err := l.sc.where(op.Pred)
			if err != nil {
				return nil, err
			}
			preds = append(preds, p)
		case *Extend:
			if l.sc == nil || len(preds) > 0 {
				return nil, fmt.Errorf("kqlread: tags are extended first")
			}
			for _, a := range op.Cols {
				p, err := l.sc.where(a.X)
				if err != nil {
					return nil, err
				}
				extended[a.Name] = p
				l.tags[a.Name] = p
			}
		case *Project:
			if !union || !last {
				return nil, fmt.Errorf("kqlread: project ends a union leg")
			}
			for _, a := range op.Cols {
				if strings.HasPrefix(a.Name, "r") && isTagName(a.Name) {
					if c, ok := a.X.(*Col); ok && c.Name == a.Name && extended[a.Name] != nil {
						continue
					}
					lit, ok := a.X.(*Lit)
					if !ok || lit.V.Kind != KBool {
						return nil, fmt.Errorf("kqlread: tag %s is not true/false", a.Name)
					}
					l.tags[a.Name] = roundtrip.Const(lit.V.Bool)
					continue
				}
				l.cols[a.Name] = a.X
			}
			tg, ok := l.cols["TimeGenerated"].(*Col)
			want := "TimeGenerated"
			if l.nested != "" {
				want = "EndTime"
			}
			if !ok || tg.Name != want {
				return nil, fmt.Errorf("kqlread: leg projects TimeGenerated = %s", want)
			}
		default:
			return nil, fmt.Errorf("kqlread: %T in an event-set leg", op)
		}
	}
	switch len(preds) {
	case 0:
		l.filter = roundtrip.Const(true)
	case 1:
		l.filter = preds[0]
	default:
		l.filter = &roundtrip.And{Args: preds}
	}
	if len(extended) > 0 && len(preds) > 0 {
		return nil, fmt.Errorf("kqlread: a tagged leg filters with its tags only")
	}
	if len(extended) > 0 {
		l.filter = roundtrip.Const(true) // each rule's filter is its tag
	}
	return l, nil
}

func isTagName(s string) bool {
	var i int
	var rest string
	n, _ := fmt.Sscanf(s, "r%d%s", &i, &rest)
	return n == 1 && fmt.Sprintf("r%d", i) == s
}

func window(x Expr) (time.Duration, error) {
	c, ok := x.(*Call)
	if !ok || len(c.Args) < 2 || show(c.Args[0]) != "TimeGenerated" {
		return 0, fmt.Errorf("kqlread: the window is bin(TimeGenerated, span) or bin_at(TimeGenerated, span, datetime(1970-01-01))")
	}
	l, ok := c.Args[1].(*Lit)
	if !ok || l.V.Kind != KTimespan {
		return 0, fmt.Errorf("kqlread: the window size is a timespan")
	}
	switch {
	case c.Fn == "bin" && len(c.Args) == 2:
		if (24*time.Hour)%l.V.Span != 0 {
			return 0, fmt.Errorf("kqlread: bin() by %s, which does not divide a day: its alignment is not documented", l.V.Span)
		}
	case c.Fn == "bin_at" && len(c.Args) == 3:
		d, ok := c.Args[2].(*Lit)
		if !ok || d.V.Kind != KDatetime || !d.V.Time.Equal(time.Unix(0, 0)) {
			return 0, fmt.Errorf("kqlread: bin_at aligns to the epoch")
		}
	default:
		return 0, fmt.Errorf("kqlread: window function %s", c.Fn)
	}
	return l.V.Span, nil
}

var condOps = map[string]string{">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "!=": "neq"}

func (r *corrReader) conditions(x Expr, agg string) ([]roundtrip.Condition, error) {
	if c, ok := x.(*Col); ok && c.Name == "Ordered" && agg == "Ordered" {
		return nil, nil
	}
	var out []roundtrip.Condition
	for _, y := range flatten(x, "and") {
		b, ok := y.(*Binary)
		if !ok {
			return nil, fmt.Errorf("kqlread: condition %s", show(y))
		}
		c, ok := b.L.(*Col)
		op := condOps[b.Op]
		if !ok || c.Name != agg || op == "" {
			return nil, fmt.Errorf("kqlread: condition %s", show(y))
		}
		var v float64
		switch rv := b.R.(type) {
		case *Col:
			n, ok := r.scalars[rv.Name]
			if !ok {
				return nil, fmt.Errorf("kqlread: unknown threshold %s", rv.Name)
			}
			v = n
		case *Lit:
			n, ok := numeric(rv.V)
			if !ok || agg != "RuleCount" || op != "eq" {
				return nil, fmt.Errorf("kqlread: a literal threshold is only RuleCount == <number of rules>")
			}
			v, op = n, "eq-literal"
		default:
			return nil, fmt.Errorf("kqlread: threshold %s", show(b.R))
		}
		out = append(out, roundtrip.Condition{Op: op, Value: v})
	}
	return out, nil
}

// aggregate checks the aggregate expression of the type and returns the value expression it
// reads (nil for the types without a value).
func (r *corrReader) aggregate(m *roundtrip.CorrMeaning, a Assign) (Expr, error) {
	c, _ := a.X.(*Call)
	bad := fmt.Errorf("kqlread: %s = %s is not the %s aggregate", a.Name, show(a.X), m.Type)
	switch m.Type {
	case "event_count":
		if c == nil || c.Fn != "count" || len(c.Args) != 0 {
			return nil, bad
		}
	case "value_count":
		// count_distinctif(v, isnotempty(v)): the exact distinct count of the non-empty values.
		if c == nil || c.Fn != "count_distinctif" || len(c.Args) != 2 || show(c.Args[1]) != "isnotempty("+show(c.Args[0])+")" {
			return nil, bad
		}
		return c.Args[0], nil
	case "value_sum", "value_avg":
		fn := map[string]string{"value_sum": "sum", "value_avg": "avg"}[m.Type]
		if c == nil || c.Fn != fn || len(c.Args) != 1 {
			return nil, bad
		}
		return c.Args[0], nil
	case "value_percentile":
		if c == nil || c.Fn != "percentile" || len(c.Args) != 2 {
			return nil, bad
		}
		l, ok := c.Args[1].(*Lit)
		p, ok2 := numeric(l.V)
		if !ok || !ok2 {
			return nil, bad
		}
		m.Percentile = p
		return c.Args[0], nil
	case "temporal":
		// max(iff(r0, 1, 0)) + ... : the number of rules with an event in the group.
		for i, t := range flattenPlus(a.X) {
			if show(t) != fmt.Sprintf("max(iff(r%d, 1, 0))", i) {
				return nil, bad
			}
		}
		for i, c := range m.Conditions {
			if c.Op == "eq-literal" {
				// Without a condition the backend writes RuleCount == n; RuleCount is at most the
				// number of rules n, so that is RuleCount >= n, all rules.
				if int(c.Value) != len(flattenPlus(a.X)) {
					return nil, bad
				}
				m.Conditions[i].Op = "gte"
			}
		}
	case "temporal_ordered":
		if l, ok := a.X.(*Lit); ok && l.V.Kind == KLong {
			// The sequence program over n >= 3 rules (checked by ordered3): all n in order.
			m.Conditions = []roundtrip.Condition{{Op: "gte", Value: float64(l.V.Long)}}
			return nil, nil
		}
		if show(a.X) == "(minif(TimeGenerated, r0) < maxif(TimeGenerated, r1))" {
			m.Conditions = []roundtrip.Condition{{Op: "gte", Value: 2}}
			return nil, nil
		}
		return nil, bad
	}
	return nil, nil
}

func flattenPlus(x Expr) []Expr {
	if b, ok := x.(*Binary); ok && b.Op == "+" {
		return append(flattenPlus(b.L), flattenPlus(b.R)...)
	}
	return []Expr{x}
}

func isOrdered3(pipe []Op) bool {
	s, ok := pipe[0].(*Summarize)
	return ok && len(s.Aggs) > 0 && s.Aggs[0].Name == "a0"
}

// ordered3 checks the exact sequence program of temporal_ordered over n >= 3 rules (see the
// backend README) and returns the window, the final summarize and the group-by columns.
func (r *corrReader) ordered3(pipe []Op) (time.Duration, *Summarize, []Assign, error) {
	bad := func(what string) error { return fmt.Errorf("kqlread: temporal_ordered program: %s", what) }
	s0 := pipe[0].(*Summarize)
	n := len(s0.Aggs)
	for i, a := range s0.Aggs {
		if a.Name != fmt.Sprintf("a%d", i) || show(a.X) != fmt.Sprintf("max(iff(r%d, 1, 0))", i) {
			return 0, nil, nil, bad("a<i> = max(iff(r<i>, 1, 0))")
		}
	}
	if len(s0.By) == 0 || s0.By[0].Name != "TimeGenerated" || show(s0.By[0].X) != "TimeGenerated" {
		return 0, nil, nil, bad("by TimeGenerated first")
	}
	groups := s0.By[1:]
	var keys []string
	for _, g := range groups {
		keys = append(keys, g.Name)
	}
	if len(pipe) != 3+2*(n-1)+2 {
		return 0, nil, nil, bad("operator count")
	}
	ext, ok := pipe[1].(*Extend)
	if !ok || len(ext.Cols) != 1 || ext.Cols[0].Name != "Window" {
		return 0, nil, nil, bad("extend Window")
	}
	span, err := window(ext.Cols[0].X)
	if err != nil {
		return 0, nil, nil, err
	}
	var sortKeys, restart []string
	for _, k := range append(append([]string{}, keys...), "Window") {
		sortKeys = append(sortKeys, k)
		restart = append(restart, "("+k+" != prev("+k+"))")
	}
	sortKeys = append(sortKeys, "TimeGenerated")
	so, ok := pipe[2].(*Sort)
	if !ok || len(so.Keys) != len(sortKeys) {
		return 0, nil, nil, bad("sort")
	}
	for i, k := range so.Keys {
		if k.Desc || show(k.X) != sortKeys[i] {
			return 0, nil, nil, bad("sort keys")
		}
	}
	rs := restart[0]
	for _, x := range restart[1:] {
		rs = "(" + rs + " or " + x + ")"
	}
	prev := "a0"
	for k := 1; k < n; k++ {
		e1, ok1 := pipe[1+2*k].(*Extend)
		e2, ok2 := pipe[2+2*k].(*Extend)
		sk, pk := fmt.Sprintf("s%d", k), fmt.Sprintf("p%d", k+1)
		if !ok1 || !ok2 || len(e1.Cols) != 1 || len(e2.Cols) != 1 || e1.Cols[0].Name != sk || e2.Cols[0].Name != pk ||
			show(e1.Cols[0].X) != "row_cumsum("+prev+", "+rs+")" ||
			show(e2.Cols[0].X) != fmt.Sprintf("iff(((a%d == 1) and ((%s - %s) > 0)), 1, 0)", k, sk, prev) {
			return 0, nil, nil, bad("step " + sk)
		}
		prev = pk
	}
	last, ok := pipe[len(pipe)-2].(*Summarize)
	if !ok || len(last.Aggs) == 0 || last.Aggs[0].Name != "Ordered" || show(last.Aggs[0].X) != "(max("+prev+") == 1)" {
		return 0, nil, nil, bad("Ordered = max(p<n>) == 1")
	}
	if len(last.By) != len(groups)+1 || last.By[0].Name != "TimeGenerated" || show(last.By[0].X) != "Window" {
		return 0, nil, nil, bad("by TimeGenerated = Window")
	}
	for i, g := range groups {
		if last.By[i+1].Name != g.Name || show(last.By[i+1].X) != g.Name {
			return 0, nil, nil, bad("group columns")
		}
	}
	// The sequence program is the exact greedy scan (see the backend README); Ordered is its
	// result, so the aggregate is checked here and reads no value.
	return span, &Summarize{Aggs: append([]Assign{{Name: "Ordered", X: &Lit{V: Value{Kind: KLong, Long: int64(n)}}}}, last.Aggs[1:]...), By: last.By}, groups, nil
}
