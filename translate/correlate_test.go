package translate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
