package esql

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Correlations (see README.md, "Correlations"): the referenced rules' predicates (with their
// category routing) are ORed in one WHERE, an EVAL adds the epoch-aligned time bucket (DATE_TRUNC
// with a TIME_DURATION) and, where needed, per-rule tags and unified group-by columns, one STATS
// groups by the bucket and the group-by columns, and a WHERE compares the aggregate. Computed
// columns are `Esql.`-prefixed, as in Elastic's shipped ES|QL rules; no METADATA (aggregating
// queries return groups, not documents).

const (
	bucketCol = "Esql.time_window_date_trunc"
	startCol  = "Esql.start_time"
	endCol    = "Esql.end_time"
	timeField = "@timestamp"
)

// assign is one `name = expr` of an EVAL or STATS.
type assign struct{ name, expr string }

// corrPlan is a correlation query under construction.
type corrPlan struct {
	c       *translate.Correlation
	preds   []node   // each rule's predicate with its routing
	evals   []assign // before STATS
	stats   []assign
	by      []string
	stats2  *stage2  // value_count's second STATS (exact distinct count)
	post    []assign // EVAL after STATS
	where   []string // conditions after STATS
	tags    bool     // Esql.rule_<i> columns are defined
	warning []translate.Warning
}

type stage2 struct {
	stats []assign
	by    []string
}

func emitCorrelation(q *translate.Query) (translate.Output, error) {
	c := q.Correlation
	if len(c.Rules) == 0 {
		return translate.Output{}, fmt.Errorf("esql: correlation %q references no rules", q.Path)
	}
	p := &corrPlan{c: c}
	for i, r := range c.Rules {
		if r == nil {
			return translate.Output{}, fmt.Errorf("esql: correlation %q has a nil rule", q.Path)
		}
		if r.Correlation != nil {
			return translate.Output{}, unsupported(c.Pos, "chained correlation",
				"%q is a correlation; ES|QL has no subqueries, and one STATS per level cannot both keep the other rules' single events and turn each matching inner group into one event at its last event time", nameOf(c, i))
		}
		n, err := rulePred(r)
		if err != nil {
			return translate.Output{}, err
		}
		p.preds = append(p.preds, n)
	}
	span, err := durationLiteral(c.Timespan, c.Pos)
	if err != nil {
		return translate.Output{}, err
	}
	p.warning = append(p.warning, c.WindowWarning())

	// Type-specific validation first, so that the tag columns are only added when usable.
	n := len(c.Rules)
	switch c.Type {
	case "event_count", "value_count", "value_sum", "value_avg", "value_percentile":
		if len(c.Conditions) == 0 {
			return translate.Output{}, fmt.Errorf("esql: %s correlation %q without a condition", c.Type, q.Path)
		}
	case "temporal":
	case "temporal_ordered":
		if n > 2 {
			return translate.Output{}, unsupported(c.Pos, "temporal_ordered over more than two rules",
				"an exact order of %d rules needs a row-by-row scan (no ES|QL command compares each event with the earlier ones of its group; INLINE STATS is a technical preview)", n)
		}
	default:
		return translate.Output{}, unsupported(c.Pos, "correlation type "+c.Type, "the esql backend renders event_count, value_count, value_sum, value_avg, value_percentile, temporal and temporal_ordered")
	}
	if c.Type == "temporal" || c.Type == "temporal_ordered" && n == 2 {
		p.addTags()
	}

	// Group-by columns, then the value column. folds are the group-by columns that can hold "".
	var folds []string
	for _, g := range c.GroupBy {
		col, err := p.column(g, false)
		if err != nil {
			return translate.Output{}, err
		}
		p.by = appendUnique(p.by, col)
		if holdsStrings(g) && !slices.Contains(folds, col) {
			folds = append(folds, col)
		}
	}
	var value string
	if strings.HasPrefix(c.Type, "value_") {
		if len(c.Fields) != 1 {
			return translate.Output{}, fmt.Errorf("esql: %s correlation %q without exactly one field", c.Type, q.Path)
		}
		value, err = p.column(c.Fields[0], c.Type != "value_count")
		if err != nil {
			return translate.Output{}, err
		}
	}
	p.evals = append(p.evals, assign{bucketCol, "DATE_TRUNC(" + span + ", " + timeField + ")"})
	by := append([]string{bucketCol}, p.by...)
	times := []assign{{startCol, "MIN(" + timeField + ")"}, {endCol, "MAX(" + timeField + ")"}}

	switch c.Type {
	case "event_count":
		agg := "Esql.event_count"
		p.stats = append([]assign{{agg, "COUNT(*)"}}, times...)
		p.where, err = conditions(agg, c.Conditions)
	case "value_count":
		// COUNT_DISTINCT is HyperLogLog++ (approximate, hashes even below its precision threshold):
		// one row per distinct value first, then COUNT(value) counts the non-null ones exactly.
		agg := ident("Esql." + baseName(c.Fields[0]) + "_count_distinct")
		if stringValued(c.Fields[0]) {
			// An empty string is no value, as for null (Sentinel and the evaluator read both the
			// same): CASE without a default gives null for it.
			col := ident("Esql." + baseName(c.Fields[0]) + "_value")
			p.addEval(assign{col, "CASE(" + value + " != \"\", " + value + ")"})
			value = col
		}
		p.stats = times
		p.stats2 = &stage2{
			stats: []assign{{agg, "COUNT(" + value + ")"}, {startCol, "MIN(" + startCol + ")"}, {endCol, "MAX(" + endCol + ")"}},
			by:    by,
		}
		by = appendUnique(by, value)
		p.where, err = conditions(agg, c.Conditions)
	case "value_sum", "value_avg", "value_percentile":
		fn, suffix, extra := "SUM", "_sum", ""
		switch c.Type {
		case "value_avg":
			fn, suffix = "AVG", "_avg"
		case "value_percentile":
			fn, suffix, extra = "PERCENTILE", "_percentile", ", "+formatNum(c.Percentile)
			p.warning = append(p.warning, translate.Warning{Pos: c.Pos, Msg: "value_percentile: ES|QL's PERCENTILE is approximate (a TDigest), so the percentile can differ slightly from the exact value"})
		}
		agg := ident("Esql." + baseName(c.Fields[0]) + suffix)
		p.stats = append([]assign{{agg, fn + "(" + value + extra + ")"}}, times...)
		p.where, err = conditions(agg, c.Conditions)
	case "temporal":
		var seen []string
		for i := range c.Rules {
			ev := tagName(i) + "_event"
			p.evals = append(p.evals, assign{ev, "CASE(" + tagName(i) + ", 1, 0)"})
			p.stats = append(p.stats, assign{tagName(i) + "_seen", "MAX(" + ev + ")"})
			seen = append(seen, tagName(i)+"_seen")
		}
		p.stats = append(p.stats, times...)
		agg := "Esql.rule_count"
		p.post = append(p.post, assign{agg, strings.Join(seen, " + ")})
		if len(c.Conditions) == 0 {
			p.where = []string{agg + " == " + strconv.Itoa(n)}
		} else {
			p.where, err = conditions(agg, c.Conditions)
		}
	case "temporal_ordered":
		if n == 2 {
			// e1 < e2 exists iff the first rule-1 event precedes the last rule-2 event.
			first, last := tagName(0)+"_time", tagName(1)+"_time"
			p.evals = append(p.evals, assign{first, "CASE(" + tagName(0) + ", " + timeField + ")"},
				assign{last, "CASE(" + tagName(1) + ", " + timeField + ")"})
			p.stats = append(p.stats, assign{tagName(0) + "_first", "MIN(" + first + ")"},
				assign{tagName(1) + "_last", "MAX(" + last + ")"})
			p.where = []string{tagName(0) + "_first < " + tagName(1) + "_last"}
		}
		p.stats = append(p.stats, times...)
	}
	if err != nil {
		return translate.Output{}, err
	}
	p.foldEmpty(folds)
	if err := p.uniqueNames(by); err != nil {
		return translate.Output{}, err
	}
	return translate.Output{Query: p.render(by), Warnings: p.warning}, nil
}

// uniqueNames rejects a group-by or value name whose Esql.<name> column collides with another
// computed column (an alias called rule_0 or time_window_date_trunc, or two names that differ only
// in characters an identifier cannot hold): EVAL names must differ, and so must STATS and BY names.
func (p *corrPlan) uniqueNames(by []string) error {
	dup := func(name string) error {
		return unsupported(p.c.Pos, "column name "+name, "two computed columns of this correlation would both be called %s; rename the alias or group-by name", name)
	}
	seen := map[string]bool{}
	for _, a := range p.evals {
		if seen[a.name] {
			return dup(a.name)
		}
		seen[a.name] = true
	}
	seen = map[string]bool{}
	for _, b := range by {
		seen[b] = true
	}
	for _, a := range p.stats {
		if seen[a.name] {
			return dup(a.name)
		}
		seen[a.name] = true
	}
	if p.stats2 != nil {
		seen = map[string]bool{}
		for _, b := range p.stats2.by {
			seen[b] = true
		}
		for _, a := range p.stats2.stats {
			if seen[a.name] {
				return dup(a.name)
			}
			seen[a.name] = true
		}
	}
	return nil
}

// holdsStrings reports whether a group-by column holds strings (a keyword field, or text from
// TO_STRING when the aliased fields' types differ), which can be "".
func holdsStrings(f translate.CorrField) bool {
	for _, src := range f.PerRule {
		if src.Field != nil && src.Field.Elastic.Type != "" && isStringType(src.Field.Elastic.Type) {
			return true
		}
	}
	return false
}

// foldEmpty makes the null of each string group-by column "": Sigma (and the evaluator) put null
// and "" in one group, while STATS ... BY keeps "" and null apart (a keyword "" is a value; null
// keys form their own group). An aliased Esql.<name> column is wrapped in place; a field is
// shadowed by `field = COALESCE(field, "")` after every other EVAL column, so that the rule tags
// and value columns still read the stored value (EVAL replaces an existing column of the same
// name).
func (p *corrPlan) foldEmpty(cols []string) {
	for _, col := range cols {
		found := false
		for i, e := range p.evals {
			if e.name == col {
				p.evals[i].expr = "COALESCE(" + e.expr + ", \"\")"
				found = true
			}
		}
		if !found {
			p.evals = append(p.evals, assign{col, "COALESCE(" + col + ", \"\")"})
		}
	}
}

func nameOf(c *translate.Correlation, i int) string {
	if i < len(c.RuleNames) {
		return c.RuleNames[i]
	}
	return strconv.Itoa(i)
}

func tagName(i int) string { return "Esql.rule_" + strconv.Itoa(i) }

// addTags defines Esql.rule_<i>: whether the event matches rule i (never null).
func (p *corrPlan) addTags() {
	if p.tags {
		return
	}
	p.tags = true
	for i, n := range p.preds {
		p.evals = append(p.evals, assign{tagName(i), boolExpr(n, len(contIndent+tagName(i)+" = "))})
	}
}

// addEval adds an EVAL column unless the same one is already there (a name used both to group
// and as the value).
func (p *corrPlan) addEval(a assign) {
	for _, e := range p.evals {
		if e == a {
			return
		}
	}
	p.evals = append(p.evals, a)
}

// boolExpr renders a predicate as a never-null boolean expression, as an EVAL value starting at
// column col; a long and/or is broken over lines, one operand a line.
func boolExpr(n node, col int) string {
	s := flat(n)
	if !total(n) {
		s = "COALESCE(" + s + ", false)"
	}
	args, kind, word := split(n)
	if col+len(s)+1 <= lineWidth || args == nil {
		return s
	}
	ind := contIndent + "  "
	if total(n) {
		return "(\n" + ind + body(args, word, kind, ind) + "\n" + contIndent + ")"
	}
	return "COALESCE(\n" + ind + "(\n" + ind + "  " + body(args, word, kind, ind+"  ") + "\n" + ind + "),\n" + ind + "false\n" + contIndent + ")"
}

// column returns the column holding f for every rule: the Elastic field itself when all rules use
// the same one, else an EVAL'd Esql.<name> = CASE(rule tag, field, ...). numeric: the value is
// summed or averaged, so a keyword field is converted with TO_DOUBLE.
func (p *corrPlan) column(f translate.CorrField, numeric bool) (string, error) {
	if len(f.PerRule) != len(p.preds) {
		return "", fmt.Errorf("esql: correlation field %q has %d sources for %d rules", f.Name, len(f.PerRule), len(p.preds))
	}
	var fields []*translate.Field
	same := true
	for i, src := range f.PerRule {
		if src.Field == nil {
			if src.Column != "" {
				return "", unsupported(p.c.Pos, "chained correlation", "%q is a correlation", nameOf(p.c, i))
			}
			return "", fmt.Errorf("esql: correlation field %q has no source for rule %d", f.Name, i)
		}
		if err := elasticField(src.Field, f.Pos); err != nil {
			return "", err
		}
		if singleValued(src.Field, f.Pos) != nil {
			return "", unsupported(f.Pos, "field "+src.Field.Name, "Elastic stores it as the multi-valued field %s, and STATS ... BY puts an event in the group of each of its values rather than grouping by the whole list", src.Field.Elastic.Name)
		}
		if numeric && !isNumericType(src.Field.Elastic.Type) && !isStringType(src.Field.Elastic.Type) {
			return "", unsupported(f.Pos, "field "+src.Field.Name, "%s needs a number, and Elastic maps %s as %s", p.c.Type, src.Field.Elastic.Name, src.Field.Elastic.Type)
		}
		fields = append(fields, src.Field)
		if src.Field.Elastic.Name != fields[0].Elastic.Name {
			same = false
		}
	}
	conv := func(x *translate.Field) string {
		name := ident(x.Elastic.Name)
		if numeric && !isNumericType(x.Elastic.Type) {
			return "TO_DOUBLE(" + name + ")"
		}
		return name
	}
	if same {
		if numeric && !isNumericType(fields[0].Elastic.Type) {
			col := ident("Esql." + sanitize(baseOf(fields[0].Elastic.Name)))
			p.addEval(assign{col, conv(fields[0])})
			return col, nil
		}
		return ident(fields[0].Elastic.Name), nil
	}
	// Different fields per rule: an event that matches two rules whose fields differ would belong
	// to two groups, which one row per event cannot express; rules over disjoint sign-in kinds
	// cannot share an event.
	for i := range fields {
		for j := i + 1; j < len(fields); j++ {
			if fields[i].Elastic.Name != fields[j].Elastic.Name && shareTable(p.c.Rules[i], p.c.Rules[j]) {
				return "", unsupported(f.Pos, "aliases over overlapping rules",
					"%q and %q can match the same sign-in (both route to %s) but take %s from different fields, so such an event would belong to two groups; ES|QL keeps one row per event",
					nameOf(p.c, i), nameOf(p.c, j), sharedTable(p.c.Rules[i], p.c.Rules[j]), f.Name)
			}
		}
	}
	mixed := false
	for _, x := range fields {
		if x.Elastic.Type != fields[0].Elastic.Type {
			mixed = true
		}
	}
	p.addTags()
	args := make([]string, 0, 2*len(fields))
	for i, x := range fields {
		v := conv(x)
		switch {
		case mixed && !numeric && !isStringType(x.Elastic.Type):
			// Group values of different mapping types are compared as text.
			v = "TO_STRING(" + v + ")"
		case mixed && numeric && isNumericType(x.Elastic.Type):
			// CASE needs one type: long and float values are all made doubles.
			v = "TO_DOUBLE(" + v + ")"
		}
		args = append(args, tagName(i), v)
	}
	col := ident("Esql." + sanitize(f.Name))
	expr := "CASE(" + strings.Join(args, ", ") + ")"
	if len(contIndent+col+" = "+expr)+1 > lineWidth {
		// One condition, value pair a line.
		var pairs []string
		for i := 0; i < len(args); i += 2 {
			pairs = append(pairs, contIndent+"  "+args[i]+", "+args[i+1])
		}
		expr = "CASE(\n" + strings.Join(pairs, ",\n") + "\n" + contIndent + ")"
	}
	p.addEval(assign{col, expr})
	return col, nil
}

func shareTable(a, b *translate.Query) bool { return sharedTable(a, b) != "" }

func sharedTable(a, b *translate.Query) string {
	for _, la := range a.Legs {
		for _, lb := range b.Legs {
			if la.Table == lb.Table {
				return la.Table.Name
			}
		}
	}
	return ""
}

// baseName is the snake-case stem of an aggregate column: the Elastic field without the
// integration's prefix, or the correlation's name for the field when the rules use different ones.
// stringValued reports whether every rule reads f from a keyword field (the only kind that can
// hold an empty string).
func stringValued(f translate.CorrField) bool {
	for _, src := range f.PerRule {
		if src.Field == nil || !isStringType(src.Field.Elastic.Type) {
			return false
		}
	}
	return true
}

func baseName(f translate.CorrField) string {
	if allSame(f) {
		return sanitize(baseOf(f.PerRule[0].Field.Elastic.Name))
	}
	return sanitize(f.Name)
}

func allSame(f translate.CorrField) bool {
	if len(f.PerRule) == 0 {
		return false
	}
	for _, s := range f.PerRule {
		if s.Field == nil || s.Field.Elastic.Name != f.PerRule[0].Field.Elastic.Name {
			return false
		}
	}
	return true
}

func baseOf(elastic string) string {
	for _, prefix := range []string{"azure.signinlogs.properties.", "azure.signinlogs."} {
		if strings.HasPrefix(elastic, prefix) {
			return elastic[len(prefix):]
		}
	}
	return elastic
}

// sanitize turns a name into an identifier body: letters, digits and `_`, other characters `_`.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// durationLiteral renders d as an ES|QL TIME_DURATION literal in the largest exact unit up to
// hours. Days are written in hours: DATE_TRUNC with a DATE_PERIOD of 7 days rounds to ISO weeks
// (Mondays), not to epoch-aligned 7-day buckets, while a TIME_DURATION always rounds to fixed
// epoch-aligned intervals (in the query's time zone, UTC unless the request sets another).
func durationLiteral(d time.Duration, pos rules.Pos) (string, error) {
	if d <= 0 || d%time.Millisecond != 0 {
		return "", unsupported(pos, "timespan "+d.String(), "DATE_TRUNC needs a positive whole number of milliseconds")
	}
	ms := d.Milliseconds()
	unit := func(n int64, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + many
	}
	switch {
	case ms%3_600_000 == 0:
		return unit(ms/3_600_000, "hour", "hours"), nil
	case ms%60_000 == 0:
		return unit(ms/60_000, "minute", "minutes"), nil
	case ms%1000 == 0:
		return unit(ms/1000, "second", "seconds"), nil
	}
	return unit(ms, "millisecond", "milliseconds"), nil
}

// conditions renders the thresholds on col, numbers as written.
func conditions(col string, ts []rules.Threshold) ([]string, error) {
	var out []string
	for _, t := range ts {
		var op string
		switch t.Op {
		case "gt":
			op = ">"
		case "gte":
			op = ">="
		case "lt":
			op = "<"
		case "lte":
			op = "<="
		case "eq":
			op = "=="
		case "neq":
			op = "!="
		default:
			return nil, fmt.Errorf("esql: unknown correlation condition %q", t.Op)
		}
		raw := t.Raw
		if raw == "" {
			raw = formatNum(t.Value)
		}
		out = append(out, col+" "+op+" "+raw)
	}
	return out, nil
}

// render writes the query.
func (p *corrPlan) render(by []string) string {
	var b strings.Builder
	b.WriteString("FROM " + indexPattern + "\n| WHERE ")
	conj := []node{datasetAtom()}
	if len(p.preds) == 1 {
		conj = appendConj(conj, p.preds[0])
	} else {
		conj = append(conj, or(p.preds))
	}
	for i, c := range conj {
		if i > 0 {
			b.WriteString("\n" + contIndent + "and ")
		}
		b.WriteString(operand(c, opAnd, contIndent))
	}
	writeAssigns(&b, "EVAL", p.evals)
	writeStats(&b, p.stats, by)
	if p.stats2 != nil {
		writeStats(&b, p.stats2.stats, p.stats2.by)
	}
	writeAssigns(&b, "EVAL", p.post)
	if len(p.where) > 0 {
		b.WriteString("\n| WHERE " + strings.Join(p.where, " and "))
	}
	return b.String()
}

func writeAssigns(b *strings.Builder, cmd string, as []assign) {
	switch len(as) {
	case 0:
		return
	case 1:
		b.WriteString("\n| " + cmd + " " + as[0].name + " = " + as[0].expr)
		return
	}
	b.WriteString("\n| " + cmd)
	for i, a := range as {
		b.WriteString("\n" + contIndent + a.name + " = " + a.expr)
		if i < len(as)-1 {
			b.WriteString(",")
		}
	}
}

func writeStats(b *strings.Builder, as []assign, by []string) {
	writeAssigns(b, "STATS", as)
	if len(by) > 0 {
		b.WriteString("\n  BY " + strings.Join(by, ", "))
	}
}
