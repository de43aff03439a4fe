package kusto

// Correlations: the event set (one union leg per table and per group-by source, with per-rule
// tags), a `summarize` over fixed time buckets and the group-by columns, the aggregate of the
// correlation type, StartTime/EndTime, and the conditions against `let` thresholds. Nested
// correlations are `let` statements whose matching groups join the outer union as events at their
// EndTime. The README lists the forms and what each one verifies.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// corrLeg is one operand of the event set: a table with the referenced rules that read their
// group-by (and value) fields from the same columns there, or a nested correlation's result.
type corrLeg struct {
	table  *translate.Table
	rules  []int            // indexes into Correlation.Rules, ascending
	preds  []translate.Expr // the rules' folded predicates for table, parallel to rules
	nested string           // the let name of a nested correlation (table is nil then)
	// earlier are the parts of the same table before this one (rules reading the group-by
	// fields from other columns); an event one of them already puts in the same group is left
	// out here, so that it counts once.
	earlier []corrLeg
}

// col is one output column of a leg: its name and the expression that computes it there.
type col struct{ name, expr string }

func (c col) String() string {
	if c.expr == ident(c.name) {
		return c.expr
	}
	return ident(c.name) + " = " + c.expr
}

// timespan renders a Go duration as a Kusto timespan literal in its largest whole unit.
func timespan(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return strconv.FormatInt(int64(d/time.Microsecond), 10) + "microseconds"
}

// bucket is the epoch-aligned bucket start of TimeGenerated. bin() on a datetime rounds down to a
// multiple of the size from a predefined point that is a midnight (bin(datetime, 1d) is the day),
// so it matches epoch alignment exactly when the size divides a day; other sizes use bin_at()
// with the epoch as the fixed point.
func bucket(ref string, d time.Duration) string {
	if (24*time.Hour)%d == 0 {
		return "bin(" + ref + ", " + timespan(d) + ")"
	}
	return "bin_at(" + ref + ", " + timespan(d) + ", datetime(1970-01-01))"
}

// plainNumber reports whether s is a plain decimal: digits, optionally a sign and a fraction.
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	digits := func(x string) bool {
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
		return x != ""
	}
	return digits(whole) && (!dot || digits(frac))
}

// thresholdLiteral prints a condition's number as written when it is a plain decimal.
func thresholdLiteral(th rules.Threshold) (string, error) {
	raw := strings.TrimPrefix(th.Raw, "+")
	if plainNumber(raw) {
		// Without leading zeros (010 is 10 in Sigma's YAML).
		neg := strings.HasPrefix(raw, "-")
		raw = strings.TrimLeft(strings.TrimPrefix(raw, "-"), "0")
		if raw == "" || raw[0] == '.' {
			raw = "0" + raw
		}
		if neg {
			raw = "-" + raw
		}
		if v, err := strconv.ParseFloat(raw, 64); err == nil && v == th.Value {
			return raw, nil
		}
	}
	if math.IsNaN(th.Value) || math.IsInf(th.Value, 0) {
		return "", unsupported(th.Pos, "threshold "+th.Raw, "Kusto has no literal for infinity or NaN")
	}
	return strconv.FormatFloat(th.Value, 'f', -1, 64), nil
}

func thresholdOp(op string) string {
	switch op {
	case "gt":
		return ">"
	case "gte":
		return ">="
	case "lt":
		return "<"
	case "lte":
		return "<="
	case "eq":
		return "=="
	case "neq":
		return "!="
	}
	return ""
}

// correlation renders a correlation query: its `let` statements, then the result.
func (e *emitter) correlation(q *translate.Query) (string, error) {
	var lets []string
	body, err := e.corr(q, "", &lets)
	if err != nil {
		return "", err
	}
	if len(lets) == 0 {
		return body, nil
	}
	return strings.Join(lets, "\n") + "\n" + body, nil
}

// aggName is the output column of each correlation type's aggregate.
func aggName(typ string) string {
	switch typ {
	case "event_count":
		return "EventCount"
	case "value_count":
		return "ValueCount"
	case "value_sum":
		return "ValueSum"
	case "value_avg":
		return "ValueAvg"
	case "value_percentile":
		return "ValuePercentile"
	case "temporal":
		return "RuleCount"
	case "temporal_ordered":
		return "Ordered"
	}
	return ""
}

// corr renders the correlation of q. name is the let name of a nested correlation ("" at the
// top); the thresholds' and nested results' let statements are appended to lets.
func (e *emitter) corr(q *translate.Query, name string, lets *[]string) (string, error) {
	c := q.Correlation
	n := len(c.Rules)
	switch {
	case n == 0:
		return "", errors.New("kusto: correlation without rules")
	case c.Timespan <= 0:
		return "", fmt.Errorf("kusto: correlation timespan %v", c.Timespan)
	case len(c.RuleNames) != n:
		return "", errors.New("kusto: correlation rule names do not match its rules")
	}
	agg := aggName(c.Type)
	if agg == "" {
		return "", unsupported(c.Pos, "correlation type "+c.Type, "unknown correlation type")
	}
	for _, g := range c.GroupBy {
		if len(g.PerRule) != n {
			return "", fmt.Errorf("kusto: group-by %s has %d sources for %d rules", g.Name, len(g.PerRule), n)
		}
	}
	ordered := c.Type == "temporal_ordered"
	if ordered && n == 1 {
		ordered = false // one rule: any event is an ordered sequence of one
	}
	valueType := strings.HasPrefix(c.Type, "value_")
	if valueType && (len(c.Fields) != 1 || len(c.Fields[0].PerRule) != n) {
		return "", fmt.Errorf("kusto: %s needs one field with a source per rule", c.Type)
	}

	// Internal column names must not meet a group-by column.
	reserved := map[string]string{"TimeGenerated": "the bucket", "StartTime": "the first event time",
		"EndTime": "the last event time", agg: "the aggregate", "Window": "the bucket"}
	for i := 0; i < n; i++ {
		reserved["r"+strconv.Itoa(i)] = "a rule tag"
		reserved["a"+strconv.Itoa(i)] = "a rule tag"
		reserved["s"+strconv.Itoa(i+1)] = "a sequence step"
		reserved["p"+strconv.Itoa(i+1)] = "a sequence step"
	}
	for _, g := range c.GroupBy {
		if what, ok := reserved[g.Name]; ok {
			return "", unsupported(g.Pos, "group-by "+g.Name,
				"the kusto query names "+what+" "+g.Name+"; use an alias with another name")
		}
	}
	valueName := ""
	if valueType {
		valueName = c.Fields[0].Name
		for taken := true; taken; {
			taken = false
			if _, ok := reserved[valueName]; ok {
				taken = true
			}
			for _, g := range c.GroupBy {
				if g.Name == valueName {
					taken = true
				}
			}
			if taken {
				valueName += "_value"
			}
		}
	}

	w := c.WindowWarning()
	if q.Path != e.topPath {
		w.Path = q.Path
	}
	e.warn(w)
	if c.Type == "value_percentile" {
		w.Msg = "percentile() is an estimate (T-Digest) of the nearest-rank percentile, not the exact value; its accuracy depends on how dense the values are near the percentile"
		e.warn(w)
	}

	// Thresholds.
	prefix := "threshold"
	if name != "" {
		prefix = name + "_threshold"
	}
	var conds []string
	if !ordered && c.Type != "temporal_ordered" {
		for _, th := range c.Conditions {
			lit, err := thresholdLiteral(th)
			if err != nil {
				return "", err
			}
			op := thresholdOp(th.Op)
			if op == "" {
				return "", unsupported(th.Pos, "condition "+th.Op, "unknown condition operator")
			}
			v := prefix
			if len(c.Conditions) > 1 {
				v += "_" + th.Op
			}
			*lets = append(*lets, "let "+v+" = "+lit+";")
			conds = append(conds, agg+" "+op+" "+v)
		}
		if len(c.Conditions) == 0 && (c.Type == "temporal" || c.Type == "temporal_ordered") {
			conds = append(conds, agg+" == "+strconv.Itoa(n))
		}
	}

	// Nested correlations first: their lets precede this one's body.
	var legs []corrLeg
	for i, sub := range c.Rules {
		if sub == nil {
			return "", errors.New("kusto: nil rule in correlation")
		}
		if sub.Correlation == nil {
			continue
		}
		sn := "corr_" + strconv.Itoa(i)
		if name != "" {
			sn = name + "_" + strconv.Itoa(i)
		}
		body, err := e.corr(sub, sn, lets)
		if err != nil {
			return "", err
		}
		*lets = append(*lets, "let "+sn+" = "+body+";")
		legs = append(legs, corrLeg{rules: []int{i}, nested: sn})
	}
	nestedLegs := legs
	legs = nil
	// Table legs: per table in schema order, the rules routed there, split by where they read
	// their group-by and value fields.
	for _, t := range translate.SignIn().Tables() {
		var parts []corrLeg
		var keys []string
		for i, sub := range c.Rules {
			if sub.Correlation != nil {
				continue
			}
			for _, leg := range sub.Legs {
				if leg.Table == nil || leg.Table.ID != t.ID {
					continue
				}
				k := sourceKey(c, i, t)
				found := false
				for j := range parts {
					if keys[j] == k {
						parts[j].rules = append(parts[j].rules, i)
						parts[j].preds = append(parts[j].preds, leg.Where)
						found = true
					}
				}
				if !found {
					keys = append(keys, k)
					parts = append(parts, corrLeg{table: t, rules: []int{i}, preds: []translate.Expr{leg.Where}})
				}
			}
		}
		if len(parts) > 1 && c.Type != "temporal" && c.Type != "temporal_ordered" {
			// The event counts once per group: a later part leaves out the events that an earlier
			// part already puts in the same group. That needs one value per event, so the value
			// field must not differ.
			if valueType {
				v0 := c.Fields[0].PerRule[parts[0].rules[0]].Field
				for _, p := range parts[1:] {
					if v := c.Fields[0].PerRule[p.rules[0]].Field; v != v0 {
						return "", unsupported(c.Fields[0].Pos, "aliases that give one table's events different value fields",
							"in "+t.Name+" the rules "+quoteNames(c, parts)+" take "+c.Fields[0].Name+" from different columns, so an event matching several of them has no single value to count once")
					}
				}
			}
			for j := range parts {
				parts[j].earlier = parts[:j]
			}
		}
		legs = append(legs, parts...)
	}
	legs = append(legs, nestedLegs...)
	if len(legs) == 0 {
		return "", errors.New("kusto: correlation has no table to search")
	}

	tags := c.Type == "temporal" || c.Type == "temporal_ordered"
	single := len(legs) == 1 && legs[0].nested == ""

	// Each leg's output columns.
	var body strings.Builder
	var groupRefs []string // the group-by expressions the summarize reads
	var valueRef string
	tagRefs := make([]string, n)
	for li, leg := range legs {
		var cols []col
		cols = append(cols, col{name: "TimeGenerated", expr: "TimeGenerated"})
		if leg.nested != "" {
			cols[0].expr = "EndTime"
		}
		r := leg.rules[0]
		for _, g := range c.GroupBy {
			x, err := e.sourceExpr(g.PerRule[r], leg, false)
			if err != nil {
				return "", err
			}
			cols = append(cols, col{name: g.Name, expr: x})
		}
		if valueType {
			x, err := e.sourceExpr(c.Fields[0].PerRule[r], leg, c.Type != "value_count")
			if err != nil {
				return "", err
			}
			cols = append(cols, col{name: valueName, expr: x})
		}
		indent := ""
		if !single {
			indent = "    "
		}
		var s strings.Builder
		if leg.nested != "" {
			s.WriteString(leg.nested)
		} else {
			s.WriteString(ident(leg.table.Name))
			f, err := e.legFilter(q, c, leg, tags, indent)
			if err != nil {
				return "", err
			}
			s.WriteString(f)
		}
		var tagCols []col
		if tags {
			for i := 0; i < n; i++ {
				tc := col{name: "r" + strconv.Itoa(i), expr: "false"}
				for _, ri := range leg.rules {
					if ri == i {
						tc.expr = "true"
						if len(leg.rules) > 1 {
							tc.expr = tc.name // extended by legFilter
						}
					}
				}
				tagCols = append(tagCols, tc)
			}
		}
		if single {
			for _, cc := range cols[1 : len(c.GroupBy)+1] {
				groupRefs = append(groupRefs, cc.String())
			}
			if valueType {
				valueRef = cols[len(cols)-1].expr
			}
			for i, tc := range tagCols {
				tagRefs[i] = tc.expr
			}
			body.WriteString(s.String())
			continue
		}
		all := append(cols, tagCols...)
		items := make([]string, len(all))
		for i, cc := range all {
			items[i] = cc.String()
		}
		s.WriteString("\n    | project " + strings.Join(items, ", "))
		if li == 0 {
			body.WriteString("union isfuzzy=true")
		} else {
			body.WriteByte(',')
		}
		body.WriteString("\n    (" + s.String() + ")")
	}
	if !single {
		for _, g := range c.GroupBy {
			groupRefs = append(groupRefs, ident(g.Name))
		}
		valueRef = ident(valueName)
		for i := range tagRefs {
			tagRefs[i] = "r" + strconv.Itoa(i)
		}
	}

	times := "StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)"
	by := append([]string{"TimeGenerated = " + bucket("TimeGenerated", c.Timespan)}, groupRefs...)
	if ordered && n > 2 {
		body.WriteString(e.sequence(c, groupRefs, tagRefs))
		return body.String(), nil
	}
	var aggExpr string
	switch c.Type {
	case "event_count":
		aggExpr = "count()"
	case "value_count":
		// Kusto strings are never null: an empty value is an absent one and is not counted.
		aggExpr = "count_distinctif(" + valueRef + ", isnotempty(" + valueRef + "))"
	case "value_sum":
		aggExpr = "sum(" + valueRef + ")"
	case "value_avg":
		aggExpr = "avg(" + valueRef + ")"
	case "value_percentile":
		aggExpr = "percentile(" + valueRef + ", " + strconv.FormatFloat(c.Percentile, 'f', -1, 64) + ")"
	case "temporal", "temporal_ordered":
		if ordered {
			aggExpr = "minif(TimeGenerated, " + tagRefs[0] + ") < maxif(TimeGenerated, " + tagRefs[1] + ")"
			conds = []string{agg}
		} else {
			parts := make([]string, n)
			for i, tr := range tagRefs {
				parts[i] = "max(iff(" + tr + ", 1, 0))"
			}
			aggExpr = strings.Join(parts, " + ")
			if c.Type == "temporal_ordered" {
				conds = []string{agg + " == 1"}
			}
		}
	}
	body.WriteString("\n| summarize " + agg + " = " + aggExpr + ", " + times)
	body.WriteString("\n    by " + strings.Join(by, ", "))
	if len(conds) > 0 {
		body.WriteString("\n| where " + strings.Join(conds, " and "))
	}
	return body.String(), nil
}

// sequence renders temporal_ordered for three or more rules, exactly: the events are first
// reduced to one row per group and distinct TimeGenerated (aK = 1 when rule K has an event at that
// time), sorted by group and time; then, row by row, pK+1 = 1 when rule K+1 has an event at this
// time and some earlier row (strictly earlier time) completed steps 1..K, counted by row_cumsum
// restarting at each group. The group matches when the last step completes somewhere.
func (e *emitter) sequence(c *translate.Correlation, groupRefs, tagRefs []string) string {
	n := len(c.Rules)
	var s strings.Builder
	var as []string
	for i, tr := range tagRefs {
		as = append(as, "a"+strconv.Itoa(i)+" = max(iff("+tr+", 1, 0))")
	}
	s.WriteString("\n| summarize " + strings.Join(as, ", "))
	s.WriteString("\n    by " + strings.Join(append([]string{"TimeGenerated"}, groupRefs...), ", "))
	s.WriteString("\n| extend Window = " + bucket("TimeGenerated", c.Timespan))
	var keys []string
	for _, g := range c.GroupBy {
		keys = append(keys, ident(g.Name))
	}
	var sortBy, restart []string
	for _, k := range append(keys, "Window") {
		sortBy = append(sortBy, k+" asc")
		restart = append(restart, k+" != prev("+k+")")
	}
	sortBy = append(sortBy, "TimeGenerated asc")
	s.WriteString("\n| sort by " + strings.Join(sortBy, ", "))
	rs := strings.Join(restart, " or ")
	prev := "a0" // the previous step's per-row completion
	for k := 1; k < n; k++ {
		sk := "s" + strconv.Itoa(k)
		pk := "p" + strconv.Itoa(k+1)
		s.WriteString("\n| extend " + sk + " = row_cumsum(" + prev + ", " + rs + ")")
		s.WriteString("\n| extend " + pk + " = iff(a" + strconv.Itoa(k) + " == 1 and " + sk + " - " + prev + " > 0, 1, 0)")
		prev = pk
	}
	s.WriteString("\n| summarize Ordered = max(" + prev + ") == 1, StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)")
	s.WriteString("\n    by " + strings.Join(append([]string{"TimeGenerated = Window"}, keys...), ", "))
	s.WriteString("\n| where Ordered")
	return s.String()
}

// legFilter renders a table leg's filter: the OR of its rules' predicates, or, when the rules
// need tags and the leg holds several, the two-valued tags first and then `where r0 or r1`.
func (e *emitter) legFilter(q *translate.Query, c *translate.Correlation, leg corrLeg, tags bool, indent string) (string, error) {
	sc := scope{table: leg.table.ID}
	mark := len(e.warnings)
	defer func() {
		for i := mark; i < len(e.warnings); i++ {
			if e.warnings[i].Path == "" {
				// A predicate warning belongs to the file of the leg's first rule from another file.
				for _, r := range leg.rules {
					if p := c.Rules[r].Path; p != "" && p != e.topPath {
						e.warnings[i].Path = p
						break
					}
				}
			}
		}
	}()
	if tags && len(leg.rules) > 1 {
		var ext, names []string
		for i, r := range leg.rules {
			tsc := sc
			tsc.bools = true
			f, err := e.expr(leg.preds[i], tsc, true)
			if err != nil {
				return "", err
			}
			nm := "r" + strconv.Itoa(r)
			ext = append(ext, nm+" = "+f.text)
			names = append(names, nm)
		}
		return "\n" + indent + "| extend " + strings.Join(ext, ", ") + "\n" + indent + "| where " + strings.Join(names, " or "), nil
	}
	var x translate.Expr
	excl, err := e.exclusions(c, leg, indent)
	if err != nil {
		return "", err
	}
	if len(leg.preds) == 1 {
		x = leg.preds[0]
	} else {
		var args []translate.Expr
		for _, p := range leg.preds {
			if k, ok := p.(*translate.Const); ok && k.Value {
				x = p
				break
			}
			args = append(args, p)
		}
		if x == nil {
			x = &translate.Or{Args: args}
		}
	}
	w, err := e.where(x, sc, indent)
	return w + excl, err
}

// exclusions renders, for each earlier part of the leg's table, `| where not(<it matches> and
// <its group-by values equal this part's>)`, with the earlier rules' predicates two-valued.
func (e *emitter) exclusions(c *translate.Correlation, leg corrLeg, indent string) (string, error) {
	var s strings.Builder
	sc := scope{table: leg.table.ID, bools: true}
	for _, k := range leg.earlier {
		var ps []frag
		for _, p := range k.preds {
			f, err := e.expr(p, sc, true)
			if err != nil {
				return "", err
			}
			ps = append(ps, f)
		}
		match := joinFrags(ps, kOr)
		conds := []string{match.under(kAnd)}
		for _, g := range c.GroupBy {
			a, err := e.sourceExpr(g.PerRule[k.rules[0]], k, false)
			if err != nil {
				return "", err
			}
			b, err := e.sourceExpr(g.PerRule[leg.rules[0]], leg, false)
			if err != nil {
				return "", err
			}
			if a != b {
				conds = append(conds, a+" == "+b)
			}
		}
		s.WriteString("\n" + indent + "| where not(" + strings.Join(conds, " and ") + ")")
	}
	return s.String(), nil
}

// sourceExpr is the leg's expression for one rule's field: a string for group-by and value_count
// values (tostring() of non-text values and sub-keys, "" where the table lacks the field), a real
// for the value_sum/avg/percentile values (toreal(), null where the table lacks the field).
func (e *emitter) sourceExpr(src translate.CorrSource, leg corrLeg, real bool) (string, error) {
	if leg.nested != "" {
		if src.Column == "" {
			return "", errors.New("kusto: nested correlation source without a column")
		}
		return ident(src.Column), nil
	}
	f := src.Field
	if f == nil {
		return "", errors.New("kusto: correlation source without a field")
	}
	if !f.Tables.Has(leg.table.ID) {
		if real {
			return "real(null)", nil
		}
		return `""`, nil
	}
	a, err := e.access(f, scope{table: leg.table.ID})
	if err != nil {
		return "", err
	}
	if real {
		if !a.sub && a.vt == vReal {
			return a.ref, nil
		}
		return "toreal(" + a.ref + ")", nil
	}
	return a.str(), nil
}

// sourceKey identifies where rule i reads its group-by and value fields in table t.
func sourceKey(c *translate.Correlation, i int, t *translate.Table) string {
	var b strings.Builder
	for _, g := range append(append([]translate.CorrField{}, c.GroupBy...), c.Fields...) {
		f := g.PerRule[i].Field
		if f != nil && f.Tables.Has(t.ID) {
			b.WriteString(f.Name)
		}
		b.WriteByte(0)
	}
	return b.String()
}

func quoteNames(c *translate.Correlation, parts []corrLeg) string {
	var names []string
	for _, p := range parts {
		for _, r := range p.rules {
			names = append(names, strconv.Quote(c.RuleNames[r]))
		}
	}
	return strings.Join(names, ", ")
}
