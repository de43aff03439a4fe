package rules

import (
	"strings"
	"testing"
	"time"
)

func TestCorrelationValid(t *testing.T) {
	f := wantDiags(t, `title: Many failed logins
id: 0e95725d-7320-415d-80f7-004da920fc11
name: many_failed
correlation:
    type: value_count
    rules:
        - failed_login
        - 5638f7c0-ac70-491d-8465-2a65075e0d86
    group-by:
        - User
        - ip
    timespan: 90m
    condition:
        field: TargetUser
        gt: 10
        lte: 200
    aliases:
        ip:
            failed_login: src.ip
    generate: true
level: high
`)
	d := f.Docs[0]
	cr := d.Correlation
	if d.Kind != KindCorrelation || cr == nil {
		t.Fatalf("not a correlation: %+v", d)
	}
	var b strings.Builder
	b.WriteString(cr.Type + " " + cr.TypePos.String())
	for _, r := range cr.Rules {
		b.WriteString(" rule=" + r.Text + "@" + r.Pos.String())
	}
	for _, g := range cr.GroupBy {
		b.WriteString(" by=" + g.Text)
	}
	b.WriteString(" span=" + cr.Timespan.String() + "/" + cr.TimespanRaw + "@" + cr.TimespanPos.String())
	for _, th := range cr.Conditions {
		b.WriteString(" " + th.Op + "=" + th.Raw)
	}
	for _, fl := range cr.Fields {
		b.WriteString(" field=" + fl.Text)
	}
	for _, a := range cr.Aliases {
		for _, af := range a.Fields {
			b.WriteString(" alias=" + a.Name + ":" + af.Rule.Text + "->" + af.Field.Text)
		}
	}
	if cr.Generate {
		b.WriteString(" generate")
	}
	want := "value_count 5:11 rule=failed_login@7:11 rule=5638f7c0-ac70-491d-8465-2a65075e0d86@8:11 by=User by=ip span=1h30m0s/90m@12:15 gt=10 lte=200 field=TargetUser alias=ip:failed_login->src.ip generate"
	if b.String() != want {
		t.Errorf("correlation model:\n got %s\nwant %s", b.String(), want)
	}
	if cr.Conditions[1].Value != 200 {
		t.Errorf("threshold value %v", cr.Conditions[1].Value)
	}
}

func TestCorrelationErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"bad pieces", `title: c
correlation:
    type: event_cnt
    rules: []
    group-by: User
    timespan: 10w
    condition:
        gte: ten
        foo: 1
`, []string{
			`t.yml:3:11: unknown correlation type "event_cnt" (did you mean "event_count"?) (expected event_count, value_count, temporal, temporal_ordered, value_sum, value_avg or value_percentile)`,
			`t.yml:4:12: correlation rules: at least one rule is required`,
			`t.yml:6:15: timespan "10w": unknown unit "w" (expected s, m, h or d)`,
			`t.yml:8:14: correlation condition gte must be a number, got string "ten"`,
			`t.yml:9:9: unknown key "foo" in correlation condition (expected gt, gte, lt, lte, eq, neq, field or percentile)`,
		}},
		{"missing field, zero timespan", `title: c
correlation:
    type: value_count
    rules: a
    timespan: 0m
    condition:
        gt: 1
        lte: 5.5
`, []string{
			`t.yml:5:15: timespan "0m" must be a positive number of s, m, h or d`,
			`t.yml:7:9: correlation type value_count needs condition.field (the field whose values are aggregated)`,
		}},
		{"temporal misuse", `title: c
correlation:
    type: temporal
    rules: [a, b, a]
    timespan: 1h
    condition:
        field: x
        eq: 2
    aliases:
        ip:
            a: src.ip
            c: dst.ip
    generate: maybe
    timeframe: 5m
`, []string{
			`t.yml:4:19: correlation rules: "a" is listed twice`,
			`t.yml:7:16: condition.field is only for value_count, value_sum, value_avg and value_percentile, not temporal`,
			`t.yml:10:9: warning: alias "ip" is not used in group-by`,
			`t.yml:12:13: alias "ip" names rule "c", which is not in this correlation's rules`,
			`t.yml:13:15: generate must be true or false, got string "maybe"`,
			`t.yml:14:5: unknown key "timeframe" in correlation: did you mean "timespan"?`,
		}},
		{"percentile range", `title: c
correlation:
    type: value_percentile
    rules: [a]
    timespan: 1d
    condition:
        field: [x, y]
        percentile: 101
        lt: 1
`, []string{`t.yml:8:21: percentile must be a number from 0 to 100, got "101"`}},
		{"percentile missing", `title: c
correlation:
    type: value_percentile
    rules: [a]
    timespan: 1d
    condition:
        field: x
        lt: 1
`, []string{`t.yml:7:9: correlation type value_percentile needs condition.percentile`}},
		{"percentile misplaced", `title: c
correlation:
    type: value_avg
    rules: [a]
    timespan: 1d
    condition:
        field: x
        percentile: 50
        lt: 1
`, []string{`t.yml:8:21: condition.percentile is only for value_percentile, not value_avg`}},
		{"condition required", `title: c
correlation:
    type: value_sum
    rules: [a]
    timespan: 1d
`, []string{`t.yml:2:1: correlation type value_sum needs a condition (e.g. condition: {gte: 10})`}},
		{"infinite threshold", `title: c
correlation:
    type: event_count
    rules: [a]
    timespan: 1d
    condition:
        gt: .inf
`, []string{`t.yml:7:13: correlation condition gt must be a number, got number ".inf"`}},
		{"empty", "title: c\ncorrelation: {}\n", []string{
			`t.yml:2:1: correlation has no rules (required)`,
			`t.yml:2:1: correlation has no timespan (required)`,
			`t.yml:2:1: correlation has no type (required)`,
		}},
		{"not a mapping", "title: c\ncorrelation: event_count\n", []string{
			`t.yml:2:14: correlation must be a mapping (type, rules, group-by, timespan, condition), got a scalar`,
		}},
		{"unknown key", "title: c\ncorrelation:\n    type: temporal\n    rules: [a]\n    timespan: 1s\n    groupby: [x]\n", []string{
			`t.yml:6:5: unknown key "groupby" (did you mean "group-by"?) in correlation (expected type, rules, group-by, timespan, condition, aliases or generate)`,
		}},
		{"non-uuid id is a warning", "title: c\nid: my-corr\ncorrelation:\n    type: temporal\n    rules: [a]\n    timespan: 1s\n", []string{
			`t.yml:2:5: warning: id "my-corr" is not a UUID (recommended by the spec)`,
		}},
		{"logsource in correlation", "title: c\nlogsource:\n    product: x\ncorrelation:\n    type: temporal\n    rules: [a]\n    timespan: 1s\n", []string{
			`t.yml:2:1: warning: logsource has no meaning in a correlation document (ignored)`,
		}},
	}
	for _, tt := range tests {
		f := load(tt.src)
		if got := diags(f); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestParseTimespan(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"10s", 10 * time.Second, ""},
		{"5m", 5 * time.Minute, ""},
		{"2h", 2 * time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"1H", 0, `timespan "1H": unknown unit "H" (expected s, m, h or d)`},
		{"1M", 0, `timespan "1M": unknown unit "M" (expected s, m, h or d)`},
		{"m", 0, `timespan "m" is not a number followed by s, m, h or d (e.g. 10m)`},
		{"1.5h", 0, `timespan "1.5h" is not a number followed by s, m, h or d (e.g. 10m)`},
		{"-1h", 0, `timespan "-1h" is not a number followed by s, m, h or d (e.g. 10m)`},
		{"0s", 0, `timespan "0s" must be a positive number of s, m, h or d`},
		{"99999999999999999999d", 0, `timespan "99999999999999999999d" must be a positive number of s, m, h or d`},
		{"9999999999d", 0, `timespan "9999999999d" is too long`},
		{"1h30m", 0, `timespan "1h30m" is not a number followed by s, m, h or d (e.g. 10m)`},
	}
	for _, tt := range tests {
		got, err := ParseTimespan(tt.in)
		es := ""
		if err != nil {
			es = err.Error()
		}
		if got != tt.want || es != tt.err {
			t.Errorf("ParseTimespan(%q) = %v, %q; want %v, %q", tt.in, got, es, tt.want, tt.err)
		}
	}
}

func TestFilter(t *testing.T) {
	f := wantDiags(t, `title: Filter admins
logsource:
    product: azure
    service: signinlogs
filter:
    rules:
        - 6f3e2987-db24-4c78-a860-b4f4095a7095
        - login_rule
    sel:
        UserPrincipalName|startswith: 'adm_'
    condition: not sel
`)
	fl := f.Docs[0].Filter
	if f.Docs[0].Kind != KindFilter || fl == nil || len(fl.Rules) != 2 || fl.Rules[1].Text != "login_rule" ||
		len(fl.Detection.Searches) != 1 || CondString(fl.Detection.Conditions[0]) != "not sel" || fl.Logsource.Service != "signinlogs" {
		t.Errorf("filter model: %+v", fl)
	}
	wantDiags(t, "title: f\nfilter:\n    sel:\n        User: x\n",
		`t.yml:1:1: missing logsource (required)`,
		`t.yml:2:1: filter has no condition (required)`,
		`t.yml:3:5: filter has no rules (required: the rules it applies to)`,
	)
	wantDiags(t, "title: f\nlogsource:\n    product: azure\nfilter:\n    rules: a\n    sel:\n        User: x\n    condition: not sl\n",
		`t.yml:8:20: condition: undefined search identifier "sl" (did you mean "sel"?)`,
	)
}
