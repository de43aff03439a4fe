package esqlread

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

// Column names of the esql backend's correlation pipelines.
const (
	bucketCol  = "Esql.time_window_date_trunc"
	timeField  = "@timestamp"
	esqlPrefix = "Esql."
)

// corrShape is a correlation pipeline split into its parts:
//
//	FROM ... | WHERE <events> | EVAL <tags, columns, bucket> | STATS ... BY <bucket>, <groups>
//	[| STATS ... BY <bucket>, <groups>] [| EVAL <post>] [| WHERE <conditions>]
type corrShape struct {
	where  Expr
	evals  []Assign
	stats  *Command
	stats2 *Command
	post   []Assign
	final  Expr
}

func splitCorrelation(q *Query) (*corrShape, error) {
	if !slices.Equal(q.Indices, []string{indexPattern}) {
		return nil, fmt.Errorf("FROM %v, want %s", q.Indices, indexPattern)
	}
	if len(q.Metadata) > 0 {
		return nil, fmt.Errorf("an aggregating query with METADATA")
	}
	cmds := q.Commands
	s := &corrShape{}
	i := 0
	if i >= len(cmds) || cmds[i].Where == nil {
		return nil, fmt.Errorf("a correlation starts with FROM ... | WHERE <events>")
	}
	s.where = cmds[i].Where
	i++
	if i >= len(cmds) || cmds[i].Eval == nil {
		return nil, fmt.Errorf("no EVAL of the time bucket")
	}
	s.evals = cmds[i].Eval
	i++
	if i >= len(cmds) || !cmds[i].IsStats {
		return nil, fmt.Errorf("no STATS")
	}
	s.stats = &cmds[i]
	i++
	if i < len(cmds) && cmds[i].IsStats {
		s.stats2 = &cmds[i]
		i++
	}
	if i < len(cmds) && cmds[i].Eval != nil {
		s.post = cmds[i].Eval
		i++
	}
	if i < len(cmds) && cmds[i].Where != nil {
		s.final = cmds[i].Where
		i++
	}
	if i != len(cmds) {
		return nil, fmt.Errorf("unexpected command %d", i+1)
	}
	return s, nil
}

// ReadCorrelation rebuilds what a correlation pipeline computes (see corrShape): the referenced
// rules' filters (the events WHERE, and for rule i its tag Esql.rule_<i> when the pipeline tags
// rules), the bucket length of DATE_TRUNC, the group-by and value sources (Elastic fields mapped
// back to canonical ones on the rule's tables, through CASE over the tags for aliases, TO_DOUBLE,
// TO_STRING and value_count's `CASE(v != "", v)`), the aggregate from the STATS, and the
// conditions of the final WHERE on it.
func ReadCorrelation(out string) (*roundtrip.CorrMeaning, error) {
	q, err := Parse(out)
	if err != nil {
		return nil, err
	}
	s, err := splitCorrelation(q)
	if err != nil {
		return nil, err
	}
	if adfs := fold(s.where, adfsCategory); !isFalse(adfs) {
		return nil, fmt.Errorf("the query does not exclude the %s category of the data stream", adfsCategory)
	}
	defs := map[string]Expr{}
	for _, a := range s.evals {
		if _, dup := defs[a.Name]; dup {
			return nil, fmt.Errorf("EVAL defines %s twice", a.Name)
		}
		defs[a.Name] = a.Expr
	}
	m := &roundtrip.CorrMeaning{}

	// The rules: tags Esql.rule_0, Esql.rule_1, ... or the one events WHERE.
	var tags []Expr
	for i := 0; ; i++ {
		e, ok := defs[tagName(i)]
		if !ok {
			break
		}
		tags = append(tags, e)
	}
	if len(tags) == 0 {
		tags = []Expr{nil}
	}
	meaning := func(cond Expr) (roundtrip.Meaning, error) {
		var f roundtrip.Meaning
		for _, t := range translate.SignIn().Tables() {
			p, err := TablePred(cond, t)
			if err != nil {
				return f, fmt.Errorf("%s: %w", t.Name, err)
			}
			f[t.ID] = p
		}
		return f, nil
	}
	events, err := meaning(s.where)
	if err != nil {
		return nil, err
	}
	if tags[0] == nil {
		m.Rules = []roundtrip.CorrRule{{Filter: events}}
	} else {
		// Rule i's events are those its tag is true on; the events WHERE must be their union.
		union := &Or{}
		for i, tag := range tags {
			// COALESCE(e, false) is true exactly when e is; unwrapped so that the category
			// comparisons inside fold for each table.
			if c, ok := tag.(*Call); ok && c.Name == "COALESCE" && len(c.Args) == 2 && isFalse(c.Args[1]) {
				tag = c.Args[0]
				tags[i] = tag
			}
			f, err := meaning(tag)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", tagName(i), err)
			}
			m.Rules = append(m.Rules, roundtrip.CorrRule{Filter: f})
			union.Args = append(union.Args, tag)
		}
		u, err := meaning(union)
		if err != nil {
			return nil, err
		}
		if d := roundtrip.Diff(u, events); d != "" {
			return nil, fmt.Errorf("the events WHERE is not the union of the rule tags: %s", d)
		}
	}

	// The bucket.
	span, err := bucketSpan(defs)
	if err != nil {
		return nil, err
	}
	m.Span = span

	// The groups: the BY of the last STATS after the bucket.
	last := s.stats
	if s.stats2 != nil {
		last = s.stats2
	}
	if len(last.By) == 0 || last.By[0] != bucketCol {
		return nil, fmt.Errorf("STATS BY %v does not start with %s", last.By, bucketCol)
	}
	for _, col := range last.By[1:] {
		srcs, err := sources(col, defs, m.Rules, tags)
		if err != nil {
			return nil, fmt.Errorf("group-by %s: %w", col, err)
		}
		for k := range m.Rules {
			m.Rules[k].GroupBy = append(m.Rules[k].GroupBy, srcs[k])
		}
	}

	// The aggregate.
	agg, err := readAggregate(s, defs, m, tags)
	if err != nil {
		return nil, err
	}
	if s.final != nil {
		conds, err := readConditions(s.final, agg, m)
		if err != nil {
			return nil, err
		}
		m.Conditions = conds
	}
	if len(m.Conditions) == 0 {
		return nil, fmt.Errorf("no condition on %s", agg)
	}
	return m, nil
}

func tagName(i int) string { return esqlPrefix + "rule_" + strconv.Itoa(i) }

// bucketSpan reads `Esql.time_window_date_trunc = DATE_TRUNC(<span>, @timestamp)`.
func bucketSpan(defs map[string]Expr) (time.Duration, error) {
	c, ok := defs[bucketCol].(*Call)
	if !ok || c.Name != "DATE_TRUNC" || len(c.Args) != 2 {
		return 0, fmt.Errorf("%s is not DATE_TRUNC(<span>, %s)", bucketCol, timeField)
	}
	l, ok := c.Args[0].(*Lit)
	f, ok2 := c.Args[1].(*Field)
	if !ok || l.Kind != LitSpan || !ok2 || f.Name != timeField {
		return 0, fmt.Errorf("%s is not DATE_TRUNC(<span>, %s)", bucketCol, timeField)
	}
	return l.Span, nil
}

// sources is where each rule takes column col from, as a canonical field name.
func sources(col string, defs map[string]Expr, rules []roundtrip.CorrRule, tags []Expr) ([]string, error) {
	e, ok := defs[col]
	if !ok {
		e = &Field{Name: col}
	}
	return exprSources(e, defs, rules, tags, 0)
}

func exprSources(e Expr, defs map[string]Expr, rules []roundtrip.CorrRule, tags []Expr, depth int) ([]string, error) {
	if depth > 8 {
		return nil, fmt.Errorf("columns defined too deep")
	}
	switch x := e.(type) {
	case *Field:
		if d, ok := defs[x.Name]; ok && !foldsOwnNull(d, x.Name) {
			return exprSources(d, defs, rules, tags, depth+1)
		}
		out := make([]string, len(rules))
		for k := range rules {
			f, err := ruleField(x.Name, rules[k].Filter)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	case *Call:
		switch {
		case (x.Name == "TO_DOUBLE" || x.Name == "TO_STRING") && len(x.Args) == 1:
			return exprSources(x.Args[0], defs, rules, tags, depth+1)
		case x.Name == "COALESCE" && len(x.Args) == 2 && isEmptyString(x.Args[1]):
			// A group-by column's null made "" (one group for null and "").
			return exprSources(x.Args[0], defs, rules, tags, depth+1)
		case x.Name == "CASE" && len(x.Args) == 2:
			// value_count's CASE(v != "", v): "" is no value.
			if c, ok := x.Args[0].(*Cmp); ok && c.Op == "!=" && equalExpr(c.L, x.Args[1]) {
				if l, ok := c.R.(*Lit); ok && l.Kind == LitString && l.Str == "" {
					return exprSources(x.Args[1], defs, rules, tags, depth+1)
				}
			}
		}
		if x.Name == "CASE" && len(x.Args) == 2*len(rules) && len(rules) > 1 {
			// CASE(Esql.rule_0, a, Esql.rule_1, b, ...): rule i's value is its own field.
			out := make([]string, len(rules))
			for k := range rules {
				f, ok := x.Args[2*k].(*Field)
				if !ok || f.Name != tagName(k) {
					return nil, fmt.Errorf("CASE condition %d is not %s", k, tagName(k))
				}
				srcs, err := exprSources(x.Args[2*k+1], defs, rules, tags, depth+1)
				if err != nil {
					return nil, err
				}
				out[k] = srcs[k]
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("unexpected column expression %s", describe(e))
}

func isEmptyString(e Expr) bool { l, ok := e.(*Lit); return ok && l.Kind == LitString && l.Str == "" }

// foldsOwnNull reports whether d, the EVAL definition of column name, is COALESCE(name, ""): the
// field shadowed by itself with null made "", whose source is the field.
func foldsOwnNull(d Expr, name string) bool {
	c, ok := d.(*Call)
	return ok && c.Name == "COALESCE" && len(c.Args) == 2 && isField(c.Args[0], name) && isEmptyString(c.Args[1])
}

func equalExpr(a, b Expr) bool {
	fa, ok1 := a.(*Field)
	fb, ok2 := b.(*Field)
	return ok1 && ok2 && fa.Name == fb.Name
}

// ruleField maps an Elastic field to the canonical field on the first table the rule reads.
func ruleField(name string, filter roundtrip.Meaning) (string, error) {
	for _, t := range translate.SignIn().Tables() {
		if c, ok := filter[t.ID].(roundtrip.Const); ok && !bool(c) {
			continue
		}
		f, _, ok := Resolve(name, t)
		if !ok {
			return "", fmt.Errorf("%s is not a field of %s", name, t.Name)
		}
		return f.Name, nil
	}
	return "", fmt.Errorf("a rule that reads no table")
}

// readAggregate sets the type (and percentile, value sources) from the STATS and returns the
// column the conditions compare.
func readAggregate(s *corrShape, defs map[string]Expr, m *roundtrip.CorrMeaning, tags []Expr) (string, error) {
	st := s.stats
	if len(st.Stats) == 0 {
		return "", fmt.Errorf("STATS without aggregates")
	}
	// The first STATS ends with MIN/MAX of @timestamp (start and end times).
	first := st.Stats[0]
	call, _ := first.Expr.(*Call)
	argField := func(c *Call, i int) (string, bool) {
		if c == nil || len(c.Args) <= i {
			return "", false
		}
		f, ok := c.Args[i].(*Field)
		if !ok {
			return "", false
		}
		return f.Name, true
	}
	setValue := func(col string) error {
		srcs, err := sources(col, defs, m.Rules, tags)
		if err != nil {
			return fmt.Errorf("value %s: %w", col, err)
		}
		for k := range m.Rules {
			m.Rules[k].Value = srcs[k]
		}
		return nil
	}
	if s.stats2 != nil {
		// value_count: STATS ... BY bucket, groups, value | STATS n = COUNT(value) BY bucket, groups.
		m.Type = "value_count"
		if len(st.By) != len(s.stats2.By)+1 || !slices.Equal(st.By[:len(s.stats2.By)], s.stats2.By) {
			return "", fmt.Errorf("value_count: the first STATS BY %v is not the second's %v and the value", st.By, s.stats2.By)
		}
		value := st.By[len(st.By)-1]
		if len(s.stats2.Stats) == 0 {
			return "", fmt.Errorf("value_count without aggregates")
		}
		c, _ := s.stats2.Stats[0].Expr.(*Call)
		if v, ok := argField(c, 0); !ok || c.Name != "COUNT" || c.Star || v != value {
			return "", fmt.Errorf("value_count aggregate is not COUNT(%s)", value)
		}
		if err := setValue(value); err != nil {
			return "", err
		}
		if s.post != nil {
			return "", fmt.Errorf("an EVAL after value_count's STATS")
		}
		return s.stats2.Stats[0].Name, nil
	}
	switch {
	case call != nil && call.Name == "COUNT" && call.Star:
		m.Type = "event_count"
	case call != nil && (call.Name == "SUM" || call.Name == "AVG") && len(call.Args) == 1:
		m.Type = map[string]string{"SUM": "value_sum", "AVG": "value_avg"}[call.Name]
		v, ok := argField(call, 0)
		if !ok {
			return "", fmt.Errorf("%s of a non-column", call.Name)
		}
		if err := setValue(v); err != nil {
			return "", err
		}
	case call != nil && call.Name == "PERCENTILE" && len(call.Args) == 2:
		m.Type = "value_percentile"
		v, ok := argField(call, 0)
		l, ok2 := call.Args[1].(*Lit)
		if !ok || !ok2 || l.Kind != LitNumber {
			return "", fmt.Errorf("PERCENTILE(column, number) expected")
		}
		m.Percentile = l.Num
		if err := setValue(v); err != nil {
			return "", err
		}
	case call != nil && call.Name == "MAX" && len(tags) > 1:
		// temporal: Esql.rule_<i>_seen = MAX(CASE(Esql.rule_<i>, 1, 0)) per rule, summed.
		m.Type = "temporal"
		var seen []string
		for i := range tags {
			if i >= len(st.Stats) {
				return "", fmt.Errorf("temporal: no aggregate for rule %d", i)
			}
			a := st.Stats[i]
			c, _ := a.Expr.(*Call)
			v, ok := argField(c, 0)
			if !ok || c.Name != "MAX" || !isTagCase(defs[v], i, &Lit{Kind: LitNumber, Num: 1}, &Lit{Kind: LitNumber, Num: 0}) {
				return "", fmt.Errorf("temporal: %s is not MAX(CASE(%s, 1, 0))", a.Name, tagName(i))
			}
			seen = append(seen, a.Name)
		}
		if len(s.post) != 1 {
			return "", fmt.Errorf("temporal: no EVAL of the rule count")
		}
		p, ok := s.post[0].Expr.(*Plus)
		if !ok || len(p.Args) != len(seen) {
			return "", fmt.Errorf("temporal: the rule count is not the sum of the rules seen")
		}
		for i, a := range p.Args {
			f, ok := a.(*Field)
			if !ok || f.Name != seen[i] {
				return "", fmt.Errorf("temporal: the rule count is not the sum of the rules seen")
			}
		}
		return s.post[0].Name, nil
	case call != nil && call.Name == "MIN" && len(tags) == 2:
		// temporal_ordered: MIN(CASE(Esql.rule_0, @timestamp)) < MAX(CASE(Esql.rule_1, @timestamp)).
		m.Type = "temporal_ordered"
		if len(st.Stats) < 2 {
			return "", fmt.Errorf("temporal_ordered: two aggregates expected")
		}
		c0 := call
		c1, _ := st.Stats[1].Expr.(*Call)
		v0, ok0 := argField(c0, 0)
		v1, ok1 := argField(c1, 0)
		ts := &Field{Name: timeField}
		if !ok0 || !ok1 || c1.Name != "MAX" || !isTagCase(defs[v0], 0, ts) || !isTagCase(defs[v1], 1, ts) {
			return "", fmt.Errorf("temporal_ordered: not MIN of rule 1's times and MAX of rule 2's")
		}
		cmp, ok := s.final.(*Cmp)
		if s.final == nil || !ok || cmp.Op != "<" || !isField(cmp.L, first.Name) || !isField(cmp.R, st.Stats[1].Name) {
			return "", fmt.Errorf("temporal_ordered: the condition is not %s < %s", first.Name, st.Stats[1].Name)
		}
		m.Conditions = []roundtrip.Condition{{Op: "gte", Value: 2}}
		s.final = nil
		return first.Name, nil
	default:
		return "", fmt.Errorf("unexpected aggregate %s", describe(first.Expr))
	}
	if s.post != nil {
		return "", fmt.Errorf("an EVAL after %s's STATS", m.Type)
	}
	return first.Name, nil
}

func isField(e Expr, name string) bool { f, ok := e.(*Field); return ok && f.Name == name }

// isTagCase reports whether e is CASE(Esql.rule_<i>, vals...).
func isTagCase(e Expr, i int, vals ...Expr) bool {
	c, ok := e.(*Call)
	if !ok || c.Name != "CASE" || len(c.Args) != 1+len(vals) || !isField(c.Args[0], tagName(i)) {
		return false
	}
	for k, v := range vals {
		a := c.Args[1+k]
		switch w := v.(type) {
		case *Field:
			if !isField(a, w.Name) {
				return false
			}
		case *Lit:
			l, ok := a.(*Lit)
			if !ok || l.Kind != w.Kind || l.Num != w.Num {
				return false
			}
		}
	}
	return true
}

// readConditions reads `<agg> op N and ...`. For temporal, `== <number of rules>` is "all rules"
// (gte n: the count never exceeds n).
func readConditions(e Expr, agg string, m *roundtrip.CorrMeaning) ([]roundtrip.Condition, error) {
	var parts []Expr
	if a, ok := e.(*And); ok {
		parts = a.Args
	} else {
		parts = []Expr{e}
	}
	ops := map[string]string{">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "!=": "neq"}
	var out []roundtrip.Condition
	for _, p := range parts {
		c, ok := p.(*Cmp)
		if !ok || !isField(c.L, agg) {
			return nil, fmt.Errorf("condition %s is not on %s", describe(p), agg)
		}
		l, ok := c.R.(*Lit)
		if !ok || l.Kind != LitNumber {
			return nil, fmt.Errorf("condition against a non-number")
		}
		op := ops[c.Op]
		if m.Type == "temporal" && op == "eq" && l.Num == float64(len(m.Rules)) {
			op = "gte"
		}
		out = append(out, roundtrip.Condition{Op: op, Value: l.Num})
	}
	return out, nil
}
