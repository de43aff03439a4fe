package kusto

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// ruleYAML is a sign-in rule named name on service with the given detection selection (YAML
// lines indented by 8 spaces).
func ruleYAML(name, service, selection string) string {
	return "title: " + name + "\nname: " + name + "\nstatus: test\nlogsource:\n    product: azure\n    service: " + service +
		"\ndetection:\n    selection:\n" + selection + "\n    condition: selection\nlevel: low\n"
}

// corrYAML is a correlation document; body holds its `correlation:` lines (indented by 4).
func corrYAML(title, body string) string {
	return "title: " + title + "\nstatus: test\ncorrelation:\n" + body + "\nlevel: high\n"
}

// corrQuery loads the documents (joined with ---) as one file and translates its last document.
func corrQuery(t *testing.T, docs ...string) *translate.Query {
	t.Helper()
	f := rules.LoadFile("rules/corr.yml", []byte(strings.Join(docs, "---\n")))
	rules.Resolve([]*rules.File{f})
	for _, d := range f.Docs {
		if d.Diags.HasErrors() {
			t.Fatalf("front-end errors: %v", d.Diags.Errors())
		}
	}
	d := f.Docs[len(f.Docs)-1]
	q, diags := translate.Translate(d, nil)
	if diags.HasErrors() || q == nil {
		t.Fatalf("translation errors: %v", diags.Errors())
	}
	return q
}

// corrCase is one correlation file and what Emit must return for its last document: the exact
// query followed by one "-- <pos> <path>: <msg>" line per warning, or "<pos>: <error>" for a
// statement of non-support.
type corrCase struct {
	name string
	docs []string
	want string
}

func corrCases() []corrCase {
	failed := ruleYAML("failed", "signinlogs", "        ResultType: 50126")
	locked := ruleYAML("locked", "signinlogs", "        ResultType: 50053")
	success := ruleYAML("success", "signinlogs", "        ResultType: 0")
	niFailed := ruleYAML("ni_failed", "aadnoninteractiveusersigninlogs", "        ResultType: 50126")
	slow := ruleYAML("slow", "signinlogs", "        DurationMs|gt: 5000")
	anyKind := ruleYAML("any_kind", "combinedsigninlogs", "        ResultType: 0")
	kw := "title: kw\nname: kw\nstatus: test\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    keywords:\n        - evil\n    condition: keywords\nlevel: low\n"
	return []corrCase{
		{name: "event_count", docs: []string{failed, corrYAML("c", "    type: event_count\n    rules: [failed]\n    group-by: [UserPrincipalName]\n    timespan: 10m\n    condition:\n        gte: 10")},
			want: "let threshold = 10;\nSigninLogs\n| where ResultType == \"50126\"\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 10m), UserPrincipalName\n| where EventCount >= threshold\n-- 16:11 : correlation windows are fixed 10m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "value_count", docs: []string{failed, corrYAML("c", "    type: value_count\n    rules: [failed]\n    group-by: [IPAddress]\n    timespan: 20m\n    condition:\n        gte: 10\n        field: UserPrincipalName")},
			want: "let threshold = 10;\nSigninLogs\n| where ResultType == \"50126\"\n| summarize ValueCount = count_distinctif(UserPrincipalName, isnotempty(UserPrincipalName)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 20m), IPAddress\n| where ValueCount >= threshold\n-- 16:11 : correlation windows are fixed 20m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "value_sum", docs: []string{success, corrYAML("c", "    type: value_sum\n    rules: [success]\n    group-by: [AppId]\n    timespan: 1h\n    condition:\n        gt: 600000\n        field: ProcessingTimeInMilliseconds")},
			want: "let threshold = 600000;\nSigninLogs\n| where ResultType == \"0\"\n| summarize ValueSum = sum(toreal(ProcessingTimeInMilliseconds)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1h), AppId\n| where ValueSum > threshold\n-- 16:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "value_avg over a long column", docs: []string{success, corrYAML("c", "    type: value_avg\n    rules: [success]\n    group-by: [AppId]\n    timespan: 1h\n    condition:\n        gte: 2000.5\n        field: DurationMs")},
			want: "let threshold = 2000.5;\nSigninLogs\n| where ResultType == \"0\"\n| summarize ValueAvg = avg(toreal(DurationMs)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1h), AppId\n| where ValueAvg >= threshold\n-- 16:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "value_percentile", docs: []string{success, corrYAML("c", "    type: value_percentile\n    rules: [success]\n    group-by: [AppId]\n    timespan: 1d\n    condition:\n        gt: 5000\n        field: ProcessingTimeInMilliseconds\n        percentile: 95")},
			want: "let threshold = 5000;\nSigninLogs\n| where ResultType == \"0\"\n| summarize ValuePercentile = percentile(toreal(ProcessingTimeInMilliseconds), 95), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1d), AppId\n| where ValuePercentile > threshold\n-- 16:11 : correlation windows are fixed 1d buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows\n-- 16:11 : percentile() is an estimate (T-Digest) of the nearest-rank percentile, not the exact value; its accuracy depends on how dense the values are near the percentile"},
		{name: "temporal", docs: []string{failed, success, corrYAML("c", "    type: temporal\n    rules: [failed, success]\n    group-by: [UserPrincipalName]\n    timespan: 30m")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"0\"\n| where r0 or r1\n| summarize RuleCount = max(iff(r0, 1, 0)) + max(iff(r1, 1, 0)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 30m), UserPrincipalName\n| where RuleCount == 2\n-- 28:11 : correlation windows are fixed 30m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal with a condition", docs: []string{failed, locked, success, corrYAML("c", "    type: temporal\n    rules: [failed, locked, success]\n    group-by: [UserPrincipalName]\n    timespan: 30m\n    condition:\n        gte: 2")},
			want: "let threshold = 2;\nSigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"50053\", r2 = ResultType == \"0\"\n| where r0 or r1 or r2\n| summarize RuleCount = max(iff(r0, 1, 0)) + max(iff(r1, 1, 0)) + max(iff(r2, 1, 0)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 30m), UserPrincipalName\n| where RuleCount >= threshold\n-- 40:11 : correlation windows are fixed 30m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal_ordered two rules", docs: []string{failed, locked, corrYAML("c", "    type: temporal_ordered\n    rules: [failed, locked]\n    group-by: [UserPrincipalName]\n    timespan: 30m")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"50053\"\n| where r0 or r1\n| summarize Ordered = minif(TimeGenerated, r0) < maxif(TimeGenerated, r1), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 30m), UserPrincipalName\n| where Ordered\n-- 28:11 : correlation windows are fixed 30m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal_ordered with an all-rules condition", docs: []string{failed, locked, corrYAML("c", "    type: temporal_ordered\n    rules: [failed, locked]\n    group-by: [UserPrincipalName]\n    timespan: 30m\n    condition:\n        gte: 2")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"50053\"\n| where r0 or r1\n| summarize Ordered = minif(TimeGenerated, r0) < maxif(TimeGenerated, r1), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 30m), UserPrincipalName\n| where Ordered\n-- 28:11 : correlation windows are fixed 30m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal_ordered three rules, no group-by", docs: []string{failed, locked, success, corrYAML("c", "    type: temporal_ordered\n    rules: [failed, locked, success]\n    timespan: 1h")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"50053\", r2 = ResultType == \"0\"\n| where r0 or r1 or r2\n| summarize a0 = max(iff(r0, 1, 0)), a1 = max(iff(r1, 1, 0)), a2 = max(iff(r2, 1, 0))\n    by TimeGenerated\n| extend Window = bin(TimeGenerated, 1h)\n| sort by Window asc, TimeGenerated asc\n| extend s1 = row_cumsum(a0, Window != prev(Window))\n| extend p2 = iff(a1 == 1 and s1 - a0 > 0, 1, 0)\n| extend s2 = row_cumsum(p2, Window != prev(Window))\n| extend p3 = iff(a2 == 1 and s2 - p2 > 0, 1, 0)\n| summarize Ordered = max(p3) == 1, StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = Window\n| where Ordered\n-- 40:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal_ordered three rules, two group-by", docs: []string{failed, locked, success, corrYAML("c", "    type: temporal_ordered\n    rules: [failed, locked, success]\n    group-by: [UserPrincipalName, IPAddress]\n    timespan: 1h")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = ResultType == \"50053\", r2 = ResultType == \"0\"\n| where r0 or r1 or r2\n| summarize a0 = max(iff(r0, 1, 0)), a1 = max(iff(r1, 1, 0)), a2 = max(iff(r2, 1, 0))\n    by TimeGenerated, UserPrincipalName, IPAddress\n| extend Window = bin(TimeGenerated, 1h)\n| sort by UserPrincipalName asc, IPAddress asc, Window asc, TimeGenerated asc\n| extend s1 = row_cumsum(a0, UserPrincipalName != prev(UserPrincipalName) or IPAddress != prev(IPAddress) or Window != prev(Window))\n| extend p2 = iff(a1 == 1 and s1 - a0 > 0, 1, 0)\n| extend s2 = row_cumsum(p2, UserPrincipalName != prev(UserPrincipalName) or IPAddress != prev(IPAddress) or Window != prev(Window))\n| extend p3 = iff(a2 == 1 and s2 - p2 > 0, 1, 0)\n| summarize Ordered = max(p3) == 1, StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = Window, UserPrincipalName, IPAddress\n| where Ordered\n-- 40:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "tag of a nullable predicate", docs: []string{failed, slow, corrYAML("c", "    type: temporal\n    rules: [failed, slow]\n    group-by: [UserPrincipalName]\n    timespan: 5m")},
			want: "SigninLogs\n| extend r0 = ResultType == \"50126\", r1 = coalesce(DurationMs > 5000, false)\n| where r0 or r1\n| summarize RuleCount = max(iff(r0, 1, 0)) + max(iff(r1, 1, 0)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 5m), UserPrincipalName\n| where RuleCount == 2\n-- 28:11 : correlation windows are fixed 5m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "aliases across two tables", docs: []string{failed, niFailed, corrYAML("c", "    type: event_count\n    rules: [failed, ni_failed]\n    group-by: [account, IPAddress]\n    aliases:\n        account:\n            failed: UserPrincipalName\n            ni_failed: UserId\n    timespan: 15m\n    condition:\n        gte: 20")},
			want: "let threshold = 20;\nunion isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, account = UserPrincipalName, IPAddress),\n    (AADNonInteractiveUserSignInLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, account = UserId, IPAddress)\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 15m), account, IPAddress\n| where EventCount >= threshold\n-- 28:11 : correlation windows are fixed 15m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "sub-key group-by across two tables", docs: []string{failed, niFailed, corrYAML("c", "    type: value_count\n    rules: [failed, ni_failed]\n    group-by: [DeviceDetail.browser]\n    timespan: 1h\n    condition:\n        gt: 5\n        field: DurationMs")},
			want: "let threshold = 5;\nunion isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, ['DeviceDetail.browser'] = tostring(DeviceDetail.browser), DurationMs = tostring(DurationMs)),\n    (AADNonInteractiveUserSignInLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, ['DeviceDetail.browser'] = tostring(todynamic(DeviceDetail).browser), DurationMs = tostring(DurationMs))\n| summarize ValueCount = count_distinctif(DurationMs, isnotempty(DurationMs)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1h), ['DeviceDetail.browser']\n| where ValueCount > threshold\n-- 28:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "group-by missing from some tables", docs: []string{anyKind, corrYAML("c", "    type: event_count\n    rules: [any_kind]\n    group-by: [UserPrincipalName]\n    timespan: 7d\n    condition:\n        neq: 1")},
			want: "let threshold = 1;\nunion isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"0\"\n    | project TimeGenerated, UserPrincipalName),\n    (AADNonInteractiveUserSignInLogs\n    | where ResultType == \"0\"\n    | project TimeGenerated, UserPrincipalName),\n    (AADServicePrincipalSignInLogs\n    | where ResultType == \"0\"\n    | project TimeGenerated, UserPrincipalName = \"\"),\n    (AADManagedIdentitySignInLogs\n    | where ResultType == \"0\"\n    | project TimeGenerated, UserPrincipalName = \"\")\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin_at(TimeGenerated, 7d, datetime(1970-01-01)), UserPrincipalName\n| where EventCount != threshold\n-- 16:11 : correlation windows are fixed 7d buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "no group-by with a range", docs: []string{failed, corrYAML("c", "    type: event_count\n    rules: [failed]\n    timespan: 1h\n    condition:\n        gt: 100\n        lte: 10000")},
			want: "let threshold_gt = 100;\nlet threshold_lte = 10000;\nSigninLogs\n| where ResultType == \"50126\"\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1h)\n| where EventCount > threshold_gt and EventCount <= threshold_lte\n-- 16:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "temporal with aliases to different fields of one table", docs: []string{failed, locked, corrYAML("c", "    type: temporal\n    rules: [failed, locked]\n    group-by: [who]\n    aliases:\n        who:\n            failed: UserPrincipalName\n            locked: UserId\n    timespan: 10m")},
			want: "union isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, who = UserPrincipalName, r0 = true, r1 = false),\n    (SigninLogs\n    | where ResultType == \"50053\"\n    | project TimeGenerated, who = UserId, r0 = false, r1 = true)\n| summarize RuleCount = max(iff(r0, 1, 0)) + max(iff(r1, 1, 0)), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 10m), who\n| where RuleCount == 2\n-- 28:11 : correlation windows are fixed 10m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "chain", docs: []string{failed, success,
			"title: burst\nname: burst\nstatus: test\ncorrelation:\n    type: event_count\n    rules: [failed]\n    group-by: [UserPrincipalName]\n    timespan: 10m\n    condition:\n        gte: 5\nlevel: high\n",
			corrYAML("c", "    type: temporal_ordered\n    rules: [burst, success]\n    group-by: [user]\n    aliases:\n        user:\n            burst: UserPrincipalName\n            success: UserPrincipalName\n    timespan: 1h")},
			want: "let corr_0_threshold = 5;\nlet corr_0 = SigninLogs\n| where ResultType == \"50126\"\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 10m), UserPrincipalName\n| where EventCount >= corr_0_threshold;\nunion isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"0\"\n    | project TimeGenerated, user = UserPrincipalName, r0 = false, r1 = true),\n    (corr_0\n    | project TimeGenerated = EndTime, user = UserPrincipalName, r0 = true, r1 = false)\n| summarize Ordered = minif(TimeGenerated, r0) < maxif(TimeGenerated, r1), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 1h), user\n| where Ordered\n-- 40:11 : correlation windows are fixed 1h buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows\n-- 29:11 : correlation windows are fixed 10m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		// Statements of non-support.
		{name: "event_count with aliases to different fields of one table", docs: []string{failed, locked, corrYAML("c", "    type: event_count\n    rules: [failed, locked]\n    group-by: [who]\n    aliases:\n        who:\n            failed: UserPrincipalName\n            locked: UserId\n    timespan: 10m\n    condition:\n        gte: 3")},
			want: "let threshold = 3;\nunion isfuzzy=true\n    (SigninLogs\n    | where ResultType == \"50126\"\n    | project TimeGenerated, who = UserPrincipalName),\n    (SigninLogs\n    | where ResultType == \"50053\"\n    | where not(ResultType == \"50126\" and UserPrincipalName == UserId)\n    | project TimeGenerated, who = UserId)\n| summarize EventCount = count(), StartTime = min(TimeGenerated), EndTime = max(TimeGenerated)\n    by TimeGenerated = bin(TimeGenerated, 10m), who\n| where EventCount >= threshold\n-- 28:11 : correlation windows are fixed 10m buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"},
		{name: "value_count with aliases to different value fields of one table", docs: []string{failed, locked, corrYAML("c", "    type: value_count\n    rules: [failed, locked]\n    group-by: [IPAddress]\n    aliases:\n        who:\n            failed: UserPrincipalName\n            locked: UserId\n    timespan: 10m\n    condition:\n        gte: 3\n        field: who")},
			want: "38:16: kusto: aliases that give one table's events different value fields is not supported: in SigninLogs the rules \"failed\", \"locked\" take who from different columns, so an event matching several of them has no single value to count once"},
		{name: "group-by named like a generated column", docs: []string{failed, corrYAML("c", "    type: event_count\n    rules: [failed]\n    group-by: [StartTime]\n    aliases:\n        StartTime:\n            failed: UserPrincipalName\n    timespan: 10m\n    condition:\n        gte: 3")},
			want: "18:16: kusto: group-by StartTime is not supported: the kusto query names the first event time StartTime; use an alias with another name"},
		{name: "keyword rule", docs: []string{kw, corrYAML("c", "    type: event_count\n    rules: [kw]\n    timespan: 10m\n    condition:\n        gte: 3")},
			want: "9:9: kusto: keyword search is not supported: Sentinel rows carry no raw event text: `search` and `has` match whole terms, not substrings, and `where * contains` sees only the columns' string forms; match a named field instead"},
	}
}

func render(out translate.Output) string {
	var b strings.Builder
	b.WriteString(out.Query)
	for _, w := range out.Warnings {
		fmt.Fprintf(&b, "\n-- %s %s: %s", w.Pos, w.Path, w.Msg)
	}
	return b.String()
}

// emitCorr is what a corrCase compares: the query and its warnings, or the positioned error.
func emitCorr(t *testing.T, c corrCase) (translate.Output, string) {
	t.Helper()
	out, err := Backend{}.Emit(corrQuery(t, c.docs...))
	if err != nil {
		var ue *translate.UnsupportedError
		if !errors.As(err, &ue) {
			t.Fatalf("%s: not a statement of non-support: %v", c.name, err)
		}
		return out, ue.Pos.String() + ": " + err.Error()
	}
	return out, render(out)
}

func TestCorrelations(t *testing.T) {
	for _, c := range corrCases() {
		t.Run(c.name, func(t *testing.T) {
			_, got := emitCorr(t, c)
			if got != c.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, c.want)
			}
			if _, again := emitCorr(t, c); again != got {
				t.Errorf("second emit differs:\n%s", again)
			}
		})
	}
}

// TestCorrelationsValidate has Kusto.Language (and the validator's own checks) accept every
// correlation query the cases emit.
func TestCorrelationsValidate(t *testing.T) {
	var qs []checkQuery
	for _, c := range corrCases() {
		out, _ := emitCorr(t, c)
		if out.Query == "" {
			continue // a statement of non-support
		}
		qs = append(qs, checkQuery{Name: "corr/" + c.name, Text: out.Query})
	}
	diags := runValidator(t, qs)
	for _, q := range qs {
		if d := diags[q.Name]; len(d) > 0 {
			t.Errorf("%s: rejected by the Kusto validator:\n%s\n%s", q.Name, q.Text, strings.Join(d, "\n"))
		}
	}
}

func TestCorrelationInternalErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		q    *translate.Query
		want string
	}{
		{"no rules", &translate.Query{Correlation: &translate.Correlation{Type: "event_count", Timespan: time.Minute}}, "kusto: correlation without rules"},
		{"no timespan", &translate.Query{Correlation: &translate.Correlation{Type: "event_count", Rules: []*translate.Query{single(eq(fld(t, "ResultType"), num("0")))}, RuleNames: []string{"x"}}},
			"kusto: correlation timespan 0s"},
	} {
		_, err := Backend{}.Emit(c.q)
		var ue *translate.UnsupportedError
		if err == nil || err.Error() != c.want || errors.As(err, &ue) {
			t.Errorf("%s: error %v, want the internal error %q", c.name, err, c.want)
		}
	}
}

func TestThresholdLiteral(t *testing.T) {
	for _, c := range []struct {
		raw  string
		v    float64
		want string
	}{
		{"10", 10, "10"}, {"010", 10, "10"}, {"010", 8, "8"}, {"+5", 5, "5"}, {"2000.5", 2000.5, "2000.5"},
		{"-3", -3, "-3"}, {"0", 0, "0"}, {"00.50", 0.5, "0.50"}, {"1e3", 1000, "1000"}, {"0x1F", 31, "31"},
	} {
		got, err := thresholdLiteral(rules.Threshold{Op: "gt", Value: c.v, Raw: c.raw})
		if err != nil || got != c.want {
			t.Errorf("thresholdLiteral(%q, %v) = %q, %v; want %q", c.raw, c.v, got, err, c.want)
		}
	}
}

func TestBucket(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Minute, "bin(TimeGenerated, 10m)"},
		{90 * time.Second, "bin(TimeGenerated, 90s)"},
		{24 * time.Hour, "bin(TimeGenerated, 1d)"},
		{5 * time.Hour, "bin_at(TimeGenerated, 5h, datetime(1970-01-01))"},
		{48 * time.Hour, "bin_at(TimeGenerated, 2d, datetime(1970-01-01))"},
		{7 * time.Minute, "bin_at(TimeGenerated, 7m, datetime(1970-01-01))"},
	} {
		if got := bucket("TimeGenerated", c.d); got != c.want {
			t.Errorf("bucket(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// TestSequenceProgramme checks the row-wise form that temporal_ordered over three or more rules
// emits (one row per distinct time with a<i> flags; s_k = running sum of step k's completions,
// p_k+1 = a_k == 1 and s_k - (this row's step-k completion) > 0) against a brute-force search for
// e1 < e2 < ... < en, over every small event set.
func TestSequenceProgramme(t *testing.T) {
	const n, times = 3, 4
	// Each of `times` time points holds a subset of the n rules (2^n choices each).
	total := 1
	for i := 0; i < times; i++ {
		total *= 1 << n
	}
	for code := 0; code < total; code++ {
		rows := make([][n]int, times) // rows[t][i] = 1 when rule i has an event at time t
		c := code
		for tm := 0; tm < times; tm++ {
			for i := 0; i < n; i++ {
				rows[tm][i] = c >> i & 1
			}
			c >>= n
		}
		// The programme, row by row.
		prev := make([]int, times)
		for tm := range rows {
			prev[tm] = rows[tm][0]
		}
		for k := 1; k < n; k++ {
			sum := 0
			next := make([]int, times)
			for tm := range rows {
				sum += prev[tm]
				if rows[tm][k] == 1 && sum-prev[tm] > 0 {
					next[tm] = 1
				}
			}
			prev = next
		}
		got := slices.Contains(prev, 1)
		// Brute force: strictly increasing times t0 < t1 < t2 with rule i at t_i.
		want := false
		var search func(i, after int) bool
		search = func(i, after int) bool {
			if i == n {
				return true
			}
			for tm := after + 1; tm < times; tm++ {
				if rows[tm][i] == 1 && search(i+1, tm) {
					return true
				}
			}
			return false
		}
		want = search(0, -1)
		if got != want {
			t.Fatalf("rows %v: programme says %v, brute force %v", rows, got, want)
		}
	}
}

// TestCorrelationUnsupportedIR covers the statements of non-support that only a hand-built IR
// reaches (the front end rejects these documents first).
func TestCorrelationUnsupportedIR(t *testing.T) {
	rule := single(eq(fld(t, "ResultType"), num("0")))
	mk := func(typ string, conds ...rules.Threshold) *translate.Query {
		return &translate.Query{Path: "rules/c.yml", Correlation: &translate.Correlation{Type: typ, Rules: []*translate.Query{rule},
			RuleNames: []string{"r"}, Timespan: time.Hour, Conditions: conds, Pos: pos}}
	}
	nan := rules.Threshold{Op: "gt", Value: math.NaN(), Raw: ".nan", Pos: pos}
	for _, c := range []struct {
		name string
		q    *translate.Query
		want string
	}{
		{"unknown type", mk("value_median"), "kusto: correlation type value_median is not supported: unknown correlation type"},
		{"unknown operator", mk("event_count", rules.Threshold{Op: "about", Value: 3, Raw: "3", Pos: pos}),
			"kusto: condition about is not supported: unknown condition operator"},
		{"NaN threshold", mk("event_count", nan), "kusto: threshold .nan is not supported: Kusto has no literal for infinity or NaN"},
	} {
		_, err := Backend{}.Emit(c.q)
		var ue *translate.UnsupportedError
		if err == nil || err.Error() != c.want || !errors.As(err, &ue) || ue.Pos != pos {
			t.Errorf("%s: error %v, want the statement of non-support %q at %v", c.name, err, c.want, pos)
		}
	}
}
