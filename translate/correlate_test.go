package translate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/entrasig/entrasig/rules"
)

// corrSummary renders a translated correlation on one line per level, for exact comparison.
func corrSummary(q *Query) string {
	c := q.Correlation
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s rules=%s", c.Type, c.Timespan, strings.Join(c.RuleNames, ","))
	for _, g := range c.GroupBy {
		fmt.Fprintf(&b, " by %s=", g.Name)
		for i, s := range g.PerRule {
			if i > 0 {
				b.WriteString("|")
			}
			if s.Field != nil {
				b.WriteString(s.Field.Name)
			} else {
				b.WriteString("@" + s.Column)
			}
		}
	}
	for _, f := range c.Fields {
		fmt.Fprintf(&b, " field=%s", f.PerRule[0].Field.Name)
	}
	for _, t := range c.Conditions {
		fmt.Fprintf(&b, " %s:%s", t.Op, t.Raw)
	}
	if c.Percentile != 0 {
		fmt.Fprintf(&b, " p%g", c.Percentile)
	}
	if c.Generate {
		b.WriteString(" generate")
	}
	for _, r := range c.Rules {
		if r.Correlation != nil {
			b.WriteString(" [" + corrSummary(r) + "]")
		}
	}
	return b.String()
}

func loadCorrelation(t *testing.T, path string) *Query {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f := rules.LoadFile(path, data)
	rules.Resolve([]*rules.File{f})
	var last *rules.Document
	for _, d := range f.Docs {
		if d.Diags.HasErrors() {
			t.Fatalf("%v", d.Diags)
		}
		if d.Kind == rules.KindCorrelation {
			last = d
		}
	}
	q, diags := Translate(last, nil)
	if diags.HasErrors() {
		t.Fatalf("%v", diags)
	}
	return q
}

func TestCorrelationLowering(t *testing.T) {
	dir := filepath.Join("..", "testdata", "rules")
	for _, c := range []struct{ file, want string }{
		{"correlation-event-count.yml", "event_count 10m0s rules=bf_failed_password by UserPrincipalName=UserPrincipalName gte:10"},
		{"correlation-value-count-spray.yml", "value_count 20m0s rules=spray_failures by IPAddress=IPAddress field=UserPrincipalName gte:10"},
		{"correlation-two-tables-aliases.yml", "event_count 15m0s rules=al_interactive_fail,al_noninteractive_fail by account=UserPrincipalName|UserId by IPAddress=IPAddress|IPAddress gte:20"},
		{"correlation-value-percentile.yml", "value_percentile 24h0m0s rules=pct_signins by AppId=AppId field=ProcessingTimeInMilliseconds gt:5000 p95"},
		{"correlation-no-group-by.yml", "event_count 1h0m0s rules=ng_ca_block gte:100 lte:10000"},
		{"correlation-combined-neq-generate.yml", "event_count 1h0m0s rules=cg_success by IPAddress=IPAddress neq:1 generate"},
		{"correlation-mfa-fatigue-chain.yml", "temporal_ordered 10m0s rules=mfa_burst,mfa_success by UserPrincipalName=@UserPrincipalName|UserPrincipalName [event_count 10m0s rules=mfa_denied by UserPrincipalName=UserPrincipalName gte:5]"},
	} {
		t.Run(c.file, func(t *testing.T) {
			if got := corrSummary(loadCorrelation(t, filepath.Join(dir, c.file))); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestCorrelationErrors(t *testing.T) {
	const rule = "title: r\nname: r\nlogsource:\n    product: azure\n    service: aadserviceprincipalsigninlogs\ndetection:\n    selection:\n        ResultType: 70044\n    condition: selection\n---\n"
	for _, c := range []struct{ name, corr, want string }{
		{"group-by absent from the routed table", "title: c\ncorrelation:\n    type: event_count\n    rules: r\n    group-by: UserPrincipalName\n    timespan: 5m\n    condition:\n        gte: 2\n",
			"x.yml:15:15: correlation: UserPrincipalName is not a column of any table \"r\" routes to, so its events have no UserPrincipalName"},
		{"unknown group-by", "title: c\ncorrelation:\n    type: event_count\n    rules: r\n    group-by: UserPrincipleName\n    timespan: 5m\n    condition:\n        gte: 2\n",
			"x.yml:15:15: unknown field \"UserPrincipleName\"; did you mean \"UserPrincipalName\"?"},
		{"value_sum of a text-free field", "title: c\ncorrelation:\n    type: value_sum\n    rules: r\n    group-by: AppId\n    timespan: 5m\n    condition:\n        gte: 2\n        field: TimeGenerated\n",
			"x.yml:19:16: correlation: value_sum needs a numeric field; TimeGenerated is not numeric"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := rules.LoadFile("x.yml", []byte(rule+c.corr))
			rules.Resolve([]*rules.File{f})
			for _, d := range f.Docs {
				if d.Diags.HasErrors() {
					t.Fatalf("front end: %v", d.Diags)
				}
			}
			_, diags := Translate(f.Docs[1], nil)
			if got := diags.Error(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestHolds(t *testing.T) {
	th := func(op string, v float64) rules.Threshold { return rules.Threshold{Op: op, Value: v} }
	for _, c := range []struct {
		ts   []rules.Threshold
		v    float64
		want bool
	}{
		{nil, 3, true},
		{[]rules.Threshold{th("gt", 2)}, 3, true},
		{[]rules.Threshold{th("gt", 3)}, 3, false},
		{[]rules.Threshold{th("gte", 3)}, 3, true},
		{[]rules.Threshold{th("lt", 3)}, 3, false},
		{[]rules.Threshold{th("lte", 3)}, 3, true},
		{[]rules.Threshold{th("eq", 3)}, 3, true},
		{[]rules.Threshold{th("neq", 3)}, 3, false},
		{[]rules.Threshold{th("gte", 2), th("lt", 5)}, 4, true},
		{[]rules.Threshold{th("gte", 2), th("lt", 5)}, 5, false},
	} {
		if got := Holds(c.ts, c.v); got != c.want {
			t.Errorf("Holds(%v, %g) = %v, want %v", c.ts, c.v, got, c.want)
		}
	}
}

// temporal_ordered only means "all rules, in order": a condition must hold for n rules and for no
// smaller count (groups with no rule never exist, so 0 is not a count a condition can see).
func TestTemporalOrderedCondition(t *testing.T) {
	const base = "title: a\nname: a\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        ResultType: 50126\n    condition: selection\n---\n" +
		"title: b\nname: b\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        ResultType: 50053\n    condition: selection\n---\n" +
		"title: c\ncorrelation:\n    type: temporal_ordered\n    rules: [a, b]\n    group-by: UserPrincipalName\n    timespan: 30m\n    condition:\n"
	const msg = "x.yml:28:%d: correlation: temporal_ordered matches when all 2 rules occur in order; a condition that accepts fewer rules has no ordered meaning (remove it, or use temporal)"
	for _, c := range []struct{ cond, want string }{
		{"        gte: 2\n", ""},
		{"        eq: 2\n", ""},
		{"        gt: 1\n", ""},
		{"        neq: 1\n", ""},
		{"        gte: 1\n", fmt.Sprintf(msg, 14)},
		{"        lt: 2\n", fmt.Sprintf(msg, 13)},
		{"        gte: 3\n", fmt.Sprintf(msg, 14)},
	} {
		f := rules.LoadFile("x.yml", []byte(base+c.cond))
		rules.Resolve([]*rules.File{f})
		for _, d := range f.Docs {
			if d.Diags.HasErrors() {
				t.Fatalf("front end: %v", d.Diags)
			}
		}
		_, diags := Translate(f.Docs[2], nil)
		if got := diags.Error(); got != c.want {
			t.Errorf("%s: got %q, want %q", strings.TrimSpace(c.cond), got, c.want)
		}
	}
}

func TestWindowWarning(t *testing.T) {
	c := &Correlation{Timespan: 24 * time.Hour, TimespanText: "1d", Pos: rules.Pos{Line: 3, Col: 11}}
	want := Warning{Pos: rules.Pos{Line: 3, Col: 11}, Msg: "correlation windows are fixed 1d buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"}
	if got := c.WindowWarning(); got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	c.TimespanText = ""
	if got := c.WindowWarning().Msg; !strings.Contains(got, "fixed 24h0m0s buckets") {
		t.Errorf("without the written text: %q", got)
	}
}
