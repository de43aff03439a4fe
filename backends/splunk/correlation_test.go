package splunk

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Correlation IR is built by hand over rule queries from query(); the real loader's correlations are
// covered by the goldens (testdata/golden/splunk/correlation-*.golden).

var corrPos = rules.Pos{Line: 20, Col: 11}

func th(op, raw string) rules.Threshold {
	var v float64
	fmt.Sscan(raw, &v)
	return rules.Threshold{Op: op, Value: v, Raw: raw}
}

// cf is a group-by or value field with one canonical field per rule.
func cf(t testing.TB, name string, fields ...string) translate.CorrField {
	f := translate.CorrField{Name: name, Pos: rules.Pos{Line: 22, Col: 9}}
	for _, n := range fields {
		f.PerRule = append(f.PerRule, translate.CorrSource{Field: fld(t, n)})
	}
	return f
}

// corr builds a correlation; a group-by field given for one rule is used for every rule.
func corr(typ string, span time.Duration, rs []*translate.Query, group []translate.CorrField, conds ...rules.Threshold) *translate.Query {
	var gs []translate.CorrField
	for _, g := range group {
		for len(g.PerRule) >= 1 && len(g.PerRule) < len(rs) {
			g.PerRule = append(g.PerRule, g.PerRule[0])
		}
		gs = append(gs, g)
	}
	group = gs
	return &translate.Query{Title: "c", Correlation: &translate.Correlation{
		Type: typ, Rules: rs, GroupBy: group, Timespan: span, Conditions: conds, Pos: corrPos}}
}

type corrCase struct {
	name string
	q    *translate.Query
	want string // exact query, or "error: <message>"
}

func corrCases(t testing.TB) []corrCase {
	rt := func(code string, ids ...translate.TableID) *translate.Query {
		return query(mt(t, "ResultType", translate.OpEq, num(code)), ids...)
	}
	fail, locked := rt("50126"), rt("50053")
	niFail := rt("50126", translate.TableNonInteractive)
	upnG := []translate.CorrField{cf(t, upn, upn)}
	value := func(q *translate.Query, f translate.CorrField) *translate.Query {
		q.Correlation.Fields = []translate.CorrField{f}
		return q
	}
	pct := func(q *translate.Query, p float64) *translate.Query { q.Correlation.Percentile = p; return q }
	// a rule that needs `| where` (cased match) on one table and the search command on another
	cased2 := query(and(mt(t, "ResultType", translate.OpEq, num("0")), cased(mt(t, "AppDisplayName", translate.OpEq, str("Azure Portal")))))
	hostile := query(or(mt(t, upn, translate.OpEq, str(`" OR sourcetype=* | delete "`)), cased(mt(t, upn, translate.OpEq, str("a`b|[search x]\n")))))
	nested := corr("event_count", 10*time.Minute, []*translate.Query{fail}, upnG, th("gte", "5"))
	return []corrCase{
		{"event_count", corr("event_count", 10*time.Minute, []*translate.Query{fail}, upnG, th("gte", "10")), ""},
		{"event_count no group-by range", corr("event_count", time.Hour, []*translate.Query{fail}, nil, th("gte", "100"), th("lte", "10000")), ""},
		{"event_count neq", corr("event_count", time.Hour, []*translate.Query{fail}, upnG, th("neq", "1")), ""},
		{"event_count eq gt lt", corr("event_count", time.Hour, []*translate.Query{fail}, upnG, th("eq", "3"), th("gt", "2.5"), th("lt", "4")), ""},
		{"event_count where rule", corr("event_count", 5*time.Minute, []*translate.Query{cased2}, upnG, th("gt", "3")), ""},
		{"event_count two rules", corr("event_count", 15*time.Minute, []*translate.Query{fail, locked}, upnG, th("gte", "20")), ""},
		{"two tables aliases", corr("event_count", 15*time.Minute, []*translate.Query{fail, niFail},
			[]translate.CorrField{cf(t, "account", upn, "UserId"), cf(t, "IPAddress", "IPAddress", "IPAddress")}, th("gte", "20")), ""},
		{"two rules one needs where", corr("event_count", 15*time.Minute, []*translate.Query{cased2, niFail}, upnG[:0], th("gte", "2")), ""},
		{"value_count", value(corr("value_count", 20*time.Minute, []*translate.Query{fail}, []translate.CorrField{cf(t, "IPAddress", "IPAddress")}, th("gte", "10")), cf(t, upn, upn)), ""},
		{"value_count aliases", value(corr("value_count", 20*time.Minute, []*translate.Query{fail, niFail}, nil, th("gte", "10")), cf(t, "who", upn, "UserId")), ""},
		{"value_sum", value(corr("value_sum", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "AppId", "AppId")}, th("lt", "600000")), cf(t, "ProcessingTimeInMilliseconds", "ProcessingTimeInMilliseconds")), ""},
		{"value_avg", value(corr("value_avg", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "AppId", "AppId")}, th("gte", "2000"), th("lt", "100000")), cf(t, "DurationMs", "DurationMs")), ""},
		{"value_percentile", pct(value(corr("value_percentile", 24*time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "AppId", "AppId")}, th("gt", "5000")), cf(t, "DurationMs", "DurationMs")), 95), ""},
		{"temporal", corr("temporal", 30*time.Minute, []*translate.Query{fail, locked}, upnG), ""},
		{"temporal condition", corr("temporal", 90*time.Second, []*translate.Query{fail, locked, niFail}, upnG, th("gte", "2")), ""},
		{"temporal_ordered", corr("temporal_ordered", 30*time.Minute, []*translate.Query{fail, locked}, upnG), ""},
		{"temporal_ordered all-rules condition", corr("temporal_ordered", 30*time.Minute, []*translate.Query{fail, locked}, upnG, th("gte", "2")), ""},
		{"temporal_ordered one rule", corr("temporal_ordered", 30*time.Minute, []*translate.Query{fail}, upnG), ""},
		{"hostile values", corr("temporal", time.Hour, []*translate.Query{hostile, locked}, upnG), ""},
		{"index and macro", corr("event_count", time.Hour, []*translate.Query{fail, locked}, nil, th("gt", "1")), ""},
		// what Splunk cannot do exactly
		{"chained", corr("temporal_ordered", 10*time.Minute, []*translate.Query{nested, locked}, upnG), ""},
		{"temporal_ordered three", corr("temporal_ordered", time.Hour, []*translate.Query{fail, locked, niFail}, upnG), ""},
		{"percentile fraction", pct(value(corr("value_percentile", time.Hour, []*translate.Query{fail}, nil, th("gt", "1")), cf(t, "DurationMs", "DurationMs")), 99.9), ""},
		{"percentile 100", pct(value(corr("value_percentile", time.Hour, []*translate.Query{fail}, nil, th("gt", "1")), cf(t, "DurationMs", "DurationMs")), 100), ""},
		{"sub-second timespan", corr("event_count", 1500*time.Millisecond, []*translate.Query{fail}, nil, th("gt", "1")), ""},
		{"unknown type", corr("value_median", time.Hour, []*translate.Query{fail}, nil, th("gt", "1")), ""},
		{"group-by name reserved", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "StartTime", upn)}, th("gt", "1")), ""},
		{"group-by name keyword", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "by", upn)}, th("gt", "1")), ""},
		{"threshold leading zero and negative", corr("event_count", time.Hour, []*translate.Query{fail}, nil, th("gt", "007"), th("gt", "-1"), th("lt", "0.5")), ""},
		{"group-by name hostile", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "a` | delete", upn)}, th("gt", "1")), ""},
		{"group-by name dotted", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "DeviceDetail.isCompliant", "DeviceDetail.isCompliant")}, th("gt", "1")), ""},
		{"group-by shadows a later source", corr("event_count", time.Hour, []*translate.Query{fail},
			[]translate.CorrField{cf(t, "resultType", upn), cf(t, "code", "ResultType")}, th("gt", "1")), ""},
		{"group-by multivalue", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "r", "RiskEventTypes")}, th("gt", "1")), ""},
		{"group-by time", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "t", "TimeGenerated")}, th("gt", "1")), ""},
		{"group-by no splunk field", corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{cf(t, "r", "IsRisky")}, th("gt", "1")), ""},
		{"tag needs multivalue where", corr("temporal", time.Hour, []*translate.Query{query(mt(t, "RiskEventTypes", translate.OpEq, pat("*unfamiliar*"))), locked}, upnG), ""},
	}
}

func TestCorrelations(t *testing.T) {
	wants := corrWants()
	for _, c := range corrCases(t) {
		b := Backend{}
		if c.name == "index and macro" {
			b = Backend{Index: "azure", Macro: "azure_monitor_aad"}
		}
		var got string
		out, err := b.Emit(c.q)
		if err != nil {
			got = "error: " + err.Error()
			var ue *translate.UnsupportedError
			if !errors.As(err, &ue) || ue.Target != "splunk" || ue.Construct == "" || ue.Reason == "" {
				t.Errorf("%s: not a complete UnsupportedError: %v", c.name, err)
			}
		} else {
			got = out.Query
			if cerr := splcheck.Check(got, splcheck.SignInFields()); cerr != nil {
				t.Errorf("%s: fails the checker: %v\n%s", c.name, cerr, got)
			}
			want := []translate.Warning{c.q.Correlation.WindowWarning()}
			if fmt.Sprint(out.Warnings) != fmt.Sprint(want) {
				t.Errorf("%s: warnings %v, want exactly %v", c.name, out.Warnings, want)
			}
			if again, _ := b.Emit(c.q); again.Query != got {
				t.Errorf("%s: not deterministic", c.name)
			}
		}
		if *printCases {
			fmt.Printf("\t\t%q: %q,\n", c.name, got)
			continue
		}
		want, ok := wants[c.name]
		if !ok {
			t.Errorf("%s: no expectation; got\n%s", c.name, got)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got: %s\nwant: %s", c.name, got, want)
		}
	}
}

// Every successful correlation search groups by _time: the invariant shipped rules break.
func TestCorrelationsAlwaysGroupByTime(t *testing.T) {
	by := regexp.MustCompile(`\| stats .* by _time( |$)`)
	for _, c := range corrCases(t) {
		out, err := Backend{}.Emit(c.q)
		if err != nil {
			continue
		}
		if !by.MatchString(out.Query) || strings.Count(out.Query, "| bin _time span=") != 1 {
			t.Errorf("%s: want one bin _time and stats ... by _time: %s", c.name, out.Query)
		}
	}
}

func TestSpanText(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "10m"}, {time.Hour, "1h"}, {24 * time.Hour, "24h"}, {90 * time.Minute, "90m"},
		{90 * time.Second, "90s"}, {time.Second, "1s"}, {0, ""}, {1500 * time.Millisecond, ""}, {-time.Minute, ""},
	} {
		got, ok := spanText(c.d)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("spanText(%v) = %q, %v; want %q", c.d, got, ok, c.want)
		}
	}
}

// matchCalls collects the match() calls of an eval expression.
func matchCalls(e *splcheck.EOr, out *[]*splcheck.ECall) {
	for _, a := range e.Args {
		for _, n := range a.Args {
			for n.Not != nil {
				n = n.Not
			}
			for _, s := range []*splcheck.ESum{n.Cmp.Left, n.Cmp.Right} {
				if s == nil {
					continue
				}
				for _, at := range s.Terms {
					switch {
					case at.Group != nil:
						matchCalls(at.Group, out)
					case at.Call != nil:
						if at.Call.Name == "match" {
							*out = append(*out, at.Call)
						}
						for _, arg := range at.Call.Args {
							matchCalls(arg, out)
						}
					}
				}
			}
		}
	}
}

// TestHostileValuesInCorrelationTags: a hostile value inside a referenced rule stays one regex
// literal inside its rule's tag, matching exactly that value.
func TestHostileValuesInCorrelationTags(t *testing.T) {
	locked := query(mt(t, "ResultType", translate.OpEq, num("50053")))
	for _, v := range hostileValues {
		for _, isCased := range []bool{false, true} {
			m := mt(t, upn, translate.OpEq, str(v))
			m.Cased = isCased
			q := corr("temporal", time.Hour, []*translate.Query{query(m), locked}, []translate.CorrField{cf(t, upn, upn)})
			out, err := Backend{}.Emit(q)
			if err != nil {
				t.Errorf("%q: %v", v, err)
				continue
			}
			got := out.Query
			if err := splcheck.Check(got, splcheck.SignInFields()); err != nil {
				t.Errorf("%q: checker: %v\n%s", v, err, got)
				continue
			}
			if strings.Contains(got, "`") {
				t.Errorf("%q: a backtick reached the query: %s", v, got)
			}
			ast, _ := splcheck.Parse(got)
			var tag *splcheck.Assign
			for _, c := range ast.Commands {
				for _, a := range c.Eval {
					if a.Name == "rule_0" {
						tag = a
					}
				}
			}
			if tag == nil {
				t.Errorf("%q: no rule_0 tag in %s", v, got)
				continue
			}
			var calls []*splcheck.ECall
			matchCalls(tag.Value, &calls)
			if len(calls) != 1 || len(calls[0].Args) != 2 {
				t.Errorf("%q: want one match() in the tag, got %d in %s", v, len(calls), got)
				continue
			}
			lit := calls[0].Args[1].Args[0].Args[0].Cmp.Left.Terms[0].Str
			if lit == nil {
				t.Errorf("%q: match() without a string pattern in %s", v, got)
				continue
			}
			pattern, err := splcheck.EvalString(*lit)
			if err != nil {
				t.Errorf("%q: %v", v, err)
				continue
			}
			rx, err := regexp.Compile(pattern)
			if err != nil {
				t.Errorf("%q: regex %q: %v", v, pattern, err)
				continue
			}
			if !rx.MatchString(v) || rx.MatchString(v+"x") || rx.MatchString("x"+v) {
				t.Errorf("%q: tag regex %q does not match exactly the value", v, pattern)
			}
			if isCased && v != strings.ToUpper(v) && rx.MatchString(strings.ToUpper(v)) {
				t.Errorf("%q: cased tag regex %q matches another case", v, pattern)
			}
		}
	}
}

// TestCorrelationDegenerateIR: malformed correlation IR is an error, never a panic.
func TestCorrelationDegenerateIR(t *testing.T) {
	fail := query(mt(t, "ResultType", translate.OpEq, num("50126")))
	cases := map[string]*translate.Query{
		"no rules":        corr("event_count", time.Hour, nil, nil, th("gt", "1")),
		"nil rule":        corr("event_count", time.Hour, []*translate.Query{nil}, nil, th("gt", "1")),
		"rule no tables":  corr("event_count", time.Hour, []*translate.Query{{Title: "x"}}, nil, th("gt", "1")),
		"no condition":    corr("event_count", time.Hour, []*translate.Query{fail}, nil),
		"unknown op":      corr("event_count", time.Hour, []*translate.Query{fail}, nil, rules.Threshold{Op: "gtx", Raw: "1"}),
		"value no field":  corr("value_sum", time.Hour, []*translate.Query{fail}, nil, th("gt", "1")),
		"group no source": corr("event_count", time.Hour, []*translate.Query{fail}, []translate.CorrField{{Name: "g", PerRule: []translate.CorrSource{{}}}}, th("gt", "1")),
		"group too few":   corr("event_count", time.Hour, []*translate.Query{fail, fail}, []translate.CorrField{{Name: "g"}}, th("gt", "1")),
		"zero timespan":   corr("event_count", 0, []*translate.Query{fail}, nil, th("gt", "1")),
	}
	for name, q := range cases {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", name, r)
				}
			}()
			if _, err := (Backend{}).Emit(q); err == nil {
				t.Errorf("%s: want an error", name)
			}
		}()
	}
}
