package splunk

// Correlations (Sigma correlation documents) become one search with fixed time buckets:
//
//	<events> | eval event_time=_time, <value and group-by columns> | fillnull value="" <group-by>
//	| bin _time span=<timespan> | stats <aggregate> min(event_time) AS StartTime max(event_time) AS EndTime
//	  by _time <group-by> | where <conditions>
//
// <events> is the referenced rule's own search when there is one rule (and no per-rule tags are
// needed); otherwise one search for the union of the rules' candidate events (each rule under its
// own category filter), then `| eval rule_<i>=if(<rule i's whole predicate>,1,0)` and
// `| where rule_0==1 OR ...`, so every rule is matched exactly whatever part of it the search
// command cannot express. `_time` is always in the `by` list (dropping it silently widens the
// window to the whole search range). See README.md for the forms and what they approximate.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// aggregateName is the output column of a correlation type's aggregate.
func aggregateName(typ string) string {
	switch typ {
	case "temporal", "temporal_ordered":
		return "rule_count"
	}
	return typ
}

// reservedName reports whether a group-by output name would collide with a column the
// correlation search computes itself.
func reservedName(name string) bool {
	l := strings.ToLower(name)
	switch l {
	case "event_time", "value", "starttime", "endtime", "rule_count", "event_count", "value_count",
		"value_sum", "value_avg", "value_percentile":
		return true
	case "and", "or", "not", "xor", "in", "as", "by", "over", "like", "true", "false", "null", "count", "span":
		// SPL keywords and stats/eval words: as a bare column name they would change the command
		return true
	}
	return strings.HasPrefix(l, "rule_")
}

// validColumnName restricts output column names to plain identifiers, which need no quoting as
// the target of eval, in fillnull and in the stats by list.
func validColumnName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case (r >= '0' && r <= '9' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

// spanText renders a timespan for `bin span=` in the largest of h, m, s that divides it. Day
// spans are written in hours on purpose: bins in seconds, minutes and hours are aligned to the
// Unix epoch, while `span=1d` bins are aligned to midnight in the search's time zone.
func spanText(d time.Duration) (string, bool) {
	if d <= 0 || d%time.Second != 0 {
		return "", false
	}
	s := int64(d / time.Second)
	switch {
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h", true
	case s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m", true
	}
	return strconv.FormatInt(s, 10) + "s", true
}

// thresholdText prints a threshold as written when it is a plain decimal number without leading
// zeros (`00429` is printed as 429), else canonically.
func thresholdText(t rules.Threshold) string {
	raw := t.Raw
	plain := raw != "" && !(strings.HasPrefix(strings.TrimPrefix(raw, "-"), "0") && len(strings.TrimPrefix(raw, "-")) > 1 && !strings.HasPrefix(strings.TrimPrefix(raw, "-"), "0."))
	dot := false
	for i, r := range raw {
		switch {
		case r >= '0' && r <= '9':
		case r == '-' && i == 0 && len(raw) > 1:
		case r == '.' && !dot && i > 0 && i < len(raw)-1:
			dot = true
		default:
			plain = false
		}
	}
	if plain {
		return raw
	}
	return strconv.FormatFloat(t.Value, 'f', -1, 64)
}

func thresholdOp(op string) (string, bool) {
	switch op {
	case "gt":
		return ">", true
	case "gte":
		return ">=", true
	case "lt":
		return "<", true
	case "lte":
		return "<=", true
	case "eq":
		return "==", true
	case "neq":
		return "!=", true
	}
	return "", false
}

// correlation renders a correlation query.
func (b Backend) correlation(q *translate.Query) (translate.Output, error) {
	c := q.Correlation
	if len(c.Rules) == 0 {
		return translate.Output{}, fmt.Errorf("splunk: correlation %q references no rules", q.Title)
	}
	for _, r := range c.Rules {
		if r == nil {
			return translate.Output{}, fmt.Errorf("splunk: correlation %q has a nil rule", q.Title)
		}
		if r.Correlation != nil {
			return translate.Output{}, unsupported(c.Pos, "chained correlation",
				"the nested correlation's groups would have to be appended to the other rules' events: append and union run it as a subsearch, which is cut off silently at 10,000 results or 60 seconds, and multisearch accepts only streaming commands (no stats)")
		}
	}
	switch c.Type {
	case "event_count", "value_count", "value_sum", "value_avg", "value_percentile", "temporal":
	case "temporal_ordered":
		if len(c.Rules) > 2 {
			return translate.Output{}, unsupported(c.Pos, "temporal_ordered over more than two rules",
				"an exact sequence test needs a per-event pass over each group (eventstats or streamstats), and Splunk's eventstats silently stops adding its fields when it reaches max_mem_usage_mb; two rules are exact with min/max times")
		}
	default:
		return translate.Output{}, unsupported(c.Pos, "correlation type "+c.Type, "the splunk backend knows event_count, value_count, value_sum, value_avg, value_percentile, temporal and temporal_ordered")
	}
	temporal := c.Type == "temporal" || c.Type == "temporal_ordered"
	ordered := c.Type == "temporal_ordered" && len(c.Rules) == 2
	span, ok := spanText(c.Timespan)
	if !ok {
		return translate.Output{}, unsupported(c.Pos, "timespan "+c.Timespan.String(), "Splunk time bins here are whole seconds, minutes or hours")
	}
	if !temporal && len(c.Conditions) == 0 {
		return translate.Output{}, fmt.Errorf("splunk: %s correlation %q without a condition", c.Type, q.Title)
	}

	tags := len(c.Rules) > 1 || temporal
	var pipe []string
	if !tags {
		s, err := b.ruleQuery(c.Rules[0])
		if err != nil {
			return translate.Output{}, err
		}
		pipe = append(pipe, s)
	} else {
		s, err := b.taggedEvents(c)
		if err != nil {
			return translate.Output{}, err
		}
		pipe = append(pipe, s...)
	}

	// Per-event columns: the original time, per-rule times (ordered), the value, the group-by.
	evals := []string{"event_time=_time"}
	if ordered {
		for i := range c.Rules {
			evals = append(evals, fmt.Sprintf("rule_%d_time=if(rule_%d==1,_time,null())", i, i))
		}
	}
	valueType := strings.HasPrefix(c.Type, "value_")
	if valueType {
		if len(c.Fields) != 1 {
			return translate.Output{}, fmt.Errorf("splunk: %s correlation %q needs one value field", c.Type, q.Title)
		}
		src, err := sourceExpr(c.Fields[0], len(c.Rules), tags, c.Type+" field")
		if err != nil {
			return translate.Output{}, err
		}
		if c.Type != "value_count" {
			// non-numeric text becomes null and is ignored by the aggregate
			src = "tonumber(" + src + ")"
		}
		evals = append(evals, "value="+src)
		if c.Type == "value_count" {
			// An empty string is no value, as for null (Sentinel and the evaluator read both the same).
			evals = append(evals, `value=if(value=="",null(),value)`)
		}
	}
	var groupNames []string
	var groupSources [][]string
	for _, g := range c.GroupBy {
		if !validColumnName(g.Name) || reservedName(g.Name) {
			return translate.Output{}, unsupported(g.Pos, "group-by name "+strconv.Quote(g.Name),
				"the splunk backend names output columns after the group-by with plain identifiers (letters, digits, '_') that are neither SPL keywords nor its own columns (event_time, value, StartTime, EndTime, rule_*, the aggregate); use an alias")
		}
		src, err := sourceExpr(g, len(c.Rules), tags, "group-by")
		if err != nil {
			return translate.Output{}, err
		}
		groupNames = append(groupNames, g.Name)
		groupSources = append(groupSources, splunkSources(g))
		evals = append(evals, g.Name+"="+src)
	}
	// An eval assignment must not overwrite a field a later assignment of the same eval reads.
	for i, name := range groupNames {
		for j := i + 1; j < len(groupNames); j++ {
			for _, s := range groupSources[j] {
				if s == name {
					return translate.Output{}, unsupported(c.GroupBy[i].Pos, "group-by name "+strconv.Quote(name),
						"it is also the Splunk field another group-by reads; use an alias")
				}
			}
		}
	}
	pipe = append(pipe, "eval "+strings.Join(evals, ", "))
	if len(groupNames) > 0 {
		// stats drops events whose by-field is null: keep them, as one group with the empty string
		pipe = append(pipe, `fillnull value="" `+strings.Join(groupNames, " "))
	}
	pipe = append(pipe, "bin _time span="+span)

	agg := aggregateName(c.Type)
	var aggs []string
	switch c.Type {
	case "event_count":
		aggs = append(aggs, "count AS "+agg)
	case "value_count":
		aggs = append(aggs, "dc(value) AS "+agg)
	case "value_sum":
		aggs = append(aggs, "sum(value) AS "+agg)
	case "value_avg":
		aggs = append(aggs, "avg(value) AS "+agg)
	case "value_percentile":
		p := c.Percentile
		if p != math.Trunc(p) || p < 1 || p > 99 {
			return translate.Output{}, unsupported(c.Pos, "value_percentile "+strconv.FormatFloat(p, 'f', -1, 64),
				"Splunk's exact percentile exactperc<N> takes an integer N from 1 to 99")
		}
		aggs = append(aggs, fmt.Sprintf("exactperc%d(value) AS %s", int(p), agg))
	case "temporal", "temporal_ordered":
		if ordered {
			aggs = append(aggs, "min(rule_0_time) AS rule_0_first", "max(rule_1_time) AS rule_1_last")
		} else {
			for i := range c.Rules {
				aggs = append(aggs, fmt.Sprintf("max(rule_%d) AS rule_%d", i, i))
			}
		}
	}
	aggs = append(aggs, "min(event_time) AS StartTime", "max(event_time) AS EndTime")
	pipe = append(pipe, "stats "+strings.Join(aggs, " ")+" by "+strings.Join(append([]string{"_time"}, groupNames...), " "))

	var conds []string
	switch {
	case ordered:
		conds = append(conds, "rule_0_first<rule_1_last")
	case temporal:
		var terms []string
		for i := range c.Rules {
			terms = append(terms, fmt.Sprintf("rule_%d", i))
		}
		pipe = append(pipe, "eval "+agg+"="+strings.Join(terms, " + "))
		if c.Type == "temporal_ordered" || len(c.Conditions) == 0 {
			// all rules (temporal_ordered over one rule is that rule's presence)
			conds = append(conds, fmt.Sprintf("%s==%d", agg, len(c.Rules)))
		}
	case c.Type == "value_sum":
		// a group without any numeric value sums to 0
		pipe = append(pipe, "fillnull value=0 "+agg)
	}
	if c.Type != "temporal_ordered" {
		for _, t := range c.Conditions {
			op, ok := thresholdOp(t.Op)
			if !ok {
				return translate.Output{}, fmt.Errorf("splunk: unknown threshold operator %q", t.Op)
			}
			conds = append(conds, agg+op+thresholdText(t))
		}
	}
	pipe = append(pipe, "where "+strings.Join(conds, " AND "))
	return translate.Output{
		Query:    strings.Join(pipe, " | "),
		Warnings: []translate.Warning{c.WindowWarning()},
	}, nil
}

// taggedEvents renders the union of the rules' candidate events, the per-rule tags and the filter
// on them.
func (b Backend) taggedEvents(c *translate.Correlation) ([]string, error) {
	var alts [][]node
	seen := map[string]bool{} // lookup only; order from alts
	var tagEvals, tagTests []string
	for i, r := range c.Rules {
		groups, err := groupLegs(r)
		if err != nil {
			return nil, err
		}
		var preds []node
		for _, g := range groups {
			conj := []node{{s: searchCategory(g.tables), op: opAtom}}
			conj = append(conj, g.r.search...)
			k := joinNodes(conj, " AND ", opAnd)
			if !seen[k] {
				seen[k] = true
				alts = append(alts, conj)
			}
			p, err := groupPredicate(g, true)
			if err != nil {
				return nil, err
			}
			preds = append(preds, p)
		}
		tagEvals = append(tagEvals, fmt.Sprintf("rule_%d=if(%s,1,0)", i, joinNodes(preds, " OR ", opOr)))
		tagTests = append(tagTests, fmt.Sprintf("rule_%d==1", i))
	}
	parts := b.base()
	if len(alts) == 1 {
		for _, n := range alts[0] {
			parts = append(parts, wrap(n, opAnd))
		}
	} else {
		var ors []node
		for _, conj := range alts {
			ors = append(ors, node{s: joinNodes(conj, " AND ", opAnd), op: opAndIf(len(conj))})
		}
		parts = append(parts, "("+joinNodes(ors, " OR ", opOr)+")")
	}
	return []string{
		strings.Join(parts, " "),
		"eval " + strings.Join(tagEvals, ", "),
		"where " + strings.Join(tagTests, " OR "),
	}, nil
}

// splunkSources lists the Splunk field names a group-by reads.
func splunkSources(f translate.CorrField) []string {
	var out []string
	for _, s := range f.PerRule {
		if s.Field != nil {
			out = append(out, s.Field.Splunk.Name)
		}
	}
	return out
}

// sourceExpr is the eval expression for a group-by or value field: the rule's field, or with
// several rules whose fields differ, case() over the rule tags (an event matching several rules
// takes the field of the first).
func sourceExpr(f translate.CorrField, nRules int, tags bool, what string) (string, error) {
	if len(f.PerRule) != nRules {
		return "", fmt.Errorf("splunk: %s %q has %d sources for %d rules", what, f.Name, len(f.PerRule), nRules)
	}
	exprs := make([]string, nRules)
	same := true
	for i, src := range f.PerRule {
		if src.Field == nil {
			return "", fmt.Errorf("splunk: %s %q has no field for rule %d", what, f.Name, i)
		}
		name := src.Field.Splunk.Name
		switch {
		case name == "":
			return "", unsupported(f.Pos, "field "+src.Field.Name,
				"the Splunk add-on's azure:monitor:aad events have no equivalent field")
		case strings.HasPrefix(name, "_"):
			return "", unsupported(f.Pos, "field "+src.Field.Name+" as correlation "+what,
				"Splunk keeps it as "+name+", which the correlation search uses for its time buckets")
		case strings.Contains(name, "{}"):
			return "", unsupported(f.Pos, "field "+src.Field.Name+" as correlation "+what,
				"it is a multivalue field ("+name+"): stats would count an event once per element")
		}
		e, err := evalField(name)
		if err != nil {
			return "", fmt.Errorf("splunk: %w", err)
		}
		exprs[i] = e
		if e != exprs[0] {
			same = false
		}
	}
	if same || !tags {
		return exprs[0], nil
	}
	var args []string
	for i, e := range exprs {
		args = append(args, fmt.Sprintf("rule_%d==1", i), e)
	}
	return "case(" + strings.Join(args, ", ") + ")", nil
}
