package splread

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/translate"
)

// ReadCorrelation parses a correlation pipeline back into what it computes:
//
//	<events> | eval event_time=_time, ... | fillnull value="" <group-by> | bin _time span=<span>
//	| stats <aggregate> ... by _time <group-by> [| fillnull value=0 value_sum] [| eval rule_count=...]
//	| where <conditions>
//
// where <events> is one rule's search (and `| where`), or the union search followed by
// `| eval rule_<i>=if(<predicate>,1,0), ... | where rule_0==1 OR ...`: rule i's filter is then the
// union search AND its tag's predicate.
func ReadCorrelation(out string) (*roundtrip.CorrMeaning, error) {
	q, err := splcheck.Parse(out)
	if err != nil {
		return nil, err
	}
	cmds := q.Commands
	m := &roundtrip.CorrMeaning{}
	// the events
	var tags []*splcheck.EOr
	var wheres []*splcheck.EOr
	i := 0
	for ; i < len(cmds) && cmds[i].Where != nil; i++ {
		wheres = append(wheres, cmds[i].Where)
	}
	if i < len(cmds) && cmds[i].Eval != nil && len(cmds[i].Eval) > 0 && cmds[i].Eval[0].Name == "rule_0" {
		for j, a := range cmds[i].Eval {
			if a.Name != fmt.Sprintf("rule_%d", j) {
				return nil, fmt.Errorf("tag %s out of order", a.Name)
			}
			call, ok := singleOr(a.Value)
			if !ok || call.Call == nil || call.Call.Name != "if" || len(call.Call.Args) != 3 {
				return nil, fmt.Errorf("tag %s is not if(<predicate>,1,0)", a.Name)
			}
			tags = append(tags, call.Call.Args[0])
		}
		i++
		if i >= len(cmds) || cmds[i].Where == nil {
			return nil, fmt.Errorf("tags without `| where rule_0==1 OR ...`")
		}
		i++ // the union of the tags: every event matches at least one rule
	}
	if len(tags) == 0 {
		f, err := readFilter(q.Search, wheres)
		if err != nil {
			return nil, err
		}
		m.Rules = []roundtrip.CorrRule{{Filter: f}}
	} else {
		if len(wheres) > 0 {
			return nil, fmt.Errorf("a `| where` before the tags")
		}
		for _, t := range tags {
			f, err := readFilter(q.Search, []*splcheck.EOr{t})
			if err != nil {
				return nil, err
			}
			m.Rules = append(m.Rules, roundtrip.CorrRule{Filter: f})
		}
	}
	// per-event columns
	if i >= len(cmds) || cmds[i].Eval == nil {
		return nil, fmt.Errorf("no per-event eval")
	}
	var groupNames []string
	valueSeen := false
	for _, a := range cmds[i].Eval {
		switch {
		case a.Name == "event_time" || strings.HasPrefix(a.Name, "rule_") && strings.HasSuffix(a.Name, "_time"):
		case a.Name == "value":
			if valueSeen {
				continue // value=if(value=="",null(),value): "" is no value, as null
			}
			valueSeen = true
			srcs, err := sources(a.Value, m)
			if err != nil {
				return nil, err
			}
			for k := range m.Rules {
				m.Rules[k].Value = srcs[k]
			}
		default:
			srcs, err := sources(a.Value, m)
			if err != nil {
				return nil, err
			}
			groupNames = append(groupNames, a.Name)
			for k := range m.Rules {
				m.Rules[k].GroupBy = append(m.Rules[k].GroupBy, srcs[k])
			}
		}
	}
	i++
	for ; i < len(cmds); i++ {
		c := cmds[i]
		switch {
		case c.Fillnull != nil:
		case c.Bin != nil:
			d, err := parseSpan(c.Bin.Span)
			if err != nil {
				return nil, err
			}
			m.Span = d
		case c.Stats != nil:
			if len(c.Stats.By) != len(groupNames)+1 || c.Stats.By[0] != "_time" {
				return nil, fmt.Errorf("stats by %v, want _time and %v", c.Stats.By, groupNames)
			}
			for k, g := range groupNames {
				if c.Stats.By[k+1] != g {
					return nil, fmt.Errorf("stats by %v, want _time and %v", c.Stats.By, groupNames)
				}
			}
			a := c.Stats.Aggs[0]
			switch {
			case a.Func == "count":
				m.Type = "event_count"
			case a.Func == "dc":
				m.Type = "value_count"
			case a.Func == "sum":
				m.Type = "value_sum"
			case a.Func == "avg":
				m.Type = "value_avg"
			case strings.HasPrefix(a.Func, "exactperc"):
				m.Type = "value_percentile"
				p, err := strconv.Atoi(strings.TrimPrefix(a.Func, "exactperc"))
				if err != nil {
					return nil, err
				}
				m.Percentile = float64(p)
			case a.Func == "max" && a.Arg != nil && *a.Arg == "rule_0":
				m.Type = "temporal"
			case a.Func == "min" && a.Arg != nil && *a.Arg == "rule_0_time":
				m.Type = "temporal_ordered"
			default:
				return nil, fmt.Errorf("aggregate %s", a.Func)
			}
		case c.Eval != nil:
		case c.Where != nil:
			conds, err := conditions(c.Where, m)
			if err != nil {
				return nil, err
			}
			m.Conditions = append(m.Conditions, conds...)
		}
	}
	return m, nil
}

// sources reads a per-event column's source for every rule: 'field', tonumber('field'), or
// case(rule_0==1, 'a', rule_1==1, 'b', ...), in canonical field names.
func sources(e *splcheck.EOr, m *roundtrip.CorrMeaning) ([]string, error) {
	a, ok := singleOr(e)
	if !ok {
		return nil, fmt.Errorf("unexpected per-event expression")
	}
	if a.Call != nil && a.Call.Name == "tonumber" && len(a.Call.Args) == 1 {
		return sources(a.Call.Args[0], m)
	}
	out := make([]string, len(m.Rules))
	if name, ok := fieldName(a); ok {
		for k := range m.Rules {
			f, err := ruleField(name, m.Rules[k].Filter)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	}
	if a.Call == nil || a.Call.Name != "case" || len(a.Call.Args) != 2*len(m.Rules) {
		return nil, fmt.Errorf("unexpected per-event expression")
	}
	for k := range m.Rules {
		name, ok := fieldOf(a.Call.Args[2*k+1])
		if !ok {
			return nil, fmt.Errorf("case() value is not a field")
		}
		f, err := ruleField(name, m.Rules[k].Filter)
		if err != nil {
			return nil, err
		}
		out[k] = f
	}
	return out, nil
}

// ruleField maps a Splunk name to the canonical field on the first table the rule reads.
func ruleField(name string, filter roundtrip.Meaning) (string, error) {
	for _, t := range translate.SignIn().Tables() {
		if c, ok := filter[t.ID].(roundtrip.Const); ok && !bool(c) {
			continue
		}
		f, err := (&reader{table: t}).field(name)
		if err != nil {
			return "", err
		}
		return f.Name, nil
	}
	return "", fmt.Errorf("a rule that reads no table")
}

// conditions reads the final `| where`: `<aggregate> op N` ANDed. rule_count==<number of rules>
// and rule_0_first<rule_1_last mean "all rules" (gte n: rule_count never exceeds n).
func conditions(e *splcheck.EOr, m *roundtrip.CorrMeaning) ([]roundtrip.Condition, error) {
	if len(e.Args) != 1 {
		return nil, fmt.Errorf("conditions are ANDed")
	}
	var out []roundtrip.Condition
	for _, n := range e.Args[0].Args {
		if n.Not != nil || n.Cmp.Op == "" {
			return nil, fmt.Errorf("unexpected condition")
		}
		l, ok1 := single(n.Cmp.Left)
		r, ok2 := single(n.Cmp.Right)
		if !ok1 || !ok2 || l.Word == nil || r.Word == nil {
			return nil, fmt.Errorf("unexpected condition")
		}
		if *l.Word == "rule_0_first" && *r.Word == "rule_1_last" && n.Cmp.Op == "<" {
			out = append(out, roundtrip.Condition{Op: "gte", Value: float64(len(m.Rules))})
			continue
		}
		v, err := strconv.ParseFloat(*r.Word, 64)
		if err != nil {
			return nil, err
		}
		ops := map[string]string{">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "==": "eq", "!=": "neq"}
		op := ops[n.Cmp.Op]
		if *l.Word == "rule_count" && op == "eq" && v == float64(len(m.Rules)) {
			op = "gte"
		}
		out = append(out, roundtrip.Condition{Op: op, Value: v})
	}
	return out, nil
}
