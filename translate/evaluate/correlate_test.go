package evaluate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// correlationProgram loads a rule file (a path under testdata, or inline YAML when name ends in
// ".inline.yml"), translates its one output correlation and compiles it.
func correlationProgram(t testing.TB, path string, yaml string) *Program {
	t.Helper()
	data := []byte(yaml)
	if yaml == "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	f := rules.LoadFile(path, data)
	rules.Resolve([]*rules.File{f})
	for _, d := range f.Diags {
		t.Fatalf("load: %s", d.Error())
	}
	var q *translate.Query
	for _, d := range rules.Outputs([]*rules.File{f}) {
		if d.Kind != rules.KindCorrelation {
			continue
		}
		if q != nil {
			t.Fatalf("%s: several output correlations", path)
		}
		var diags rules.Diagnostics
		if q, diags = translate.Translate(d, nil); q == nil {
			t.Fatalf("translate %s: %v", path, diags)
		}
	}
	if q == nil {
		t.Fatalf("%s: no correlation", path)
	}
	p, err := Compile(q)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return p
}

func testdataRule(name string) string { return "../../testdata/rules/" + name }

// jsonl writes compact event lines as JSON Lines. Each line is `HH:MM:SS T key=value ...` on
// 2024-05-06 (UTC); T is I (SigninLogs), N (AADNonInteractiveUserSignInLogs) or S
// (AADServicePrincipalSignInLogs); values are JSON strings, and key=# omits nothing but writes
// a JSON number (key=#123). A line "-" is left blank.
func jsonl(t testing.TB, lines ...string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		if l == "-" {
			b.WriteString("\n")
			continue
		}
		parts := strings.Fields(l)
		if len(parts) < 2 {
			t.Fatalf("bad event line %q", l)
		}
		table := map[string]string{"I": "SigninLogs", "N": "AADNonInteractiveUserSignInLogs", "S": "AADServicePrincipalSignInLogs"}[parts[1]]
		if table == "" {
			t.Fatalf("bad table in %q", l)
		}
		fmt.Fprintf(&b, `{"TimeGenerated":"2024-05-06T%sZ","Type":%q`, parts[0], table)
		for _, kv := range parts[2:] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("bad field %q in %q", kv, l)
			}
			if num, isNum := strings.CutPrefix(v, "#"); isNum {
				fmt.Fprintf(&b, `,%q:%s`, k, num)
				continue
			}
			q, _ := json.Marshal(v)
			fmt.Fprintf(&b, `,%q:%s`, k, q)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// runEvents runs p over JSON Lines and renders every finding (with the line whose Add returned it,
// or "close") and every error, one per line.
func runEvents(t testing.TB, p *Program, events string) string {
	t.Helper()
	r := NewReader(strings.NewReader(events), "events.jsonl", "")
	run := p.NewRun()
	var out []string
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		fs, err := run.Add(ev)
		if err != nil {
			out = append(out, err.Error())
		}
		for _, f := range fs {
			out = append(out, fmt.Sprintf("at %d: %s", ev.Line, renderFinding(f)))
		}
	}
	for _, f := range run.Close() {
		out = append(out, "at close: "+renderFinding(f))
	}
	return strings.Join(out, "\n")
}

func renderFinding(f Finding) string {
	var b strings.Builder
	b.WriteString(f.Window.Format("15:04"))
	for _, g := range f.Group {
		if g.Null {
			fmt.Fprintf(&b, " %s=(null)", g.Name)
		} else {
			fmt.Fprintf(&b, " %s=%s", g.Name, g.Value)
		}
	}
	fmt.Fprintf(&b, " value=%s lines=", strconv.FormatFloat(f.Value, 'g', -1, 64))
	for i, l := range f.Lines {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(l))
	}
	if f.Truncated {
		b.WriteString(",...")
	}
	fmt.Fprintf(&b, " %s-%s", f.Start.Format("15:04:05"), f.End.Format("15:04:05"))
	return b.String()
}

func checkRun(t *testing.T, name string, p *Program, events, want string) {
	t.Helper()
	if got := runEvents(t, p, events); got != want {
		t.Errorf("%s:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// repeat expands a template with %d (1..n) into n event lines, one per minute from start.
func repeat(start string, n int, step time.Duration, format string) []string {
	t0, err := time.Parse("15:04:05", start)
	if err != nil {
		panic(err)
	}
	var out []string
	for i := 1; i <= n; i++ {
		ts := t0.Add(time.Duration(i-1) * step).Format("15:04:05")
		out = append(out, ts+" "+strings.ReplaceAll(format, "%d", strconv.Itoa(i)))
	}
	return out
}

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestEventCount(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-event-count.yml"), "")
	events := jsonl(t, cat(
		// Lines 1-10: alice, ten wrong passwords 10:00:00 to 10:09:00: a finding.
		repeat("10:00:00", 10, time.Minute, "I ResultType=50126 UserPrincipalName=alice"),
		// Lines 11-19: bob, nine in the 10:00 bucket; line 20: his tenth is in the next bucket.
		repeat("10:00:30", 9, time.Minute, "I ResultType=50126 UserPrincipalName=bob"),
		[]string{
			"10:10:00 I ResultType=50126 UserPrincipalName=bob",
			// Lines 21-22: carol, wrong table and wrong result: not in the event set.
			"10:10:01 N ResultType=50126 UserPrincipalName=carol",
			"10:10:02 I ResultType=0 UserPrincipalName=carol",
		},
		// Lines 23-32: carol, ten in 10:10 (closed by Close).
		repeat("10:10:03", 10, 30*time.Second, "I ResultType=50126 UserPrincipalName=carol"),
	)...)
	checkRun(t, "event_count", p, events,
		"at 20: 10:00 UserPrincipalName=alice value=10 lines=1,2,3,4,5,6,7,8,9,10 10:00:00-10:09:00\n"+
			"at close: 10:10 UserPrincipalName=carol value=10 lines=23,24,25,26,27,28,29,30,31,32 10:10:03-10:14:33")
}

func TestEventCountOutOfOrder(t *testing.T) {
	p := correlationProgram(t, "ooo.yml", inlineCorrelation("event_count", "UserPrincipalName", "10m", "gte: 2", ""))
	events := jsonl(t,
		"10:00:00 I ResultType=50126 UserPrincipalName=alice",
		"10:05:00 I ResultType=50126 UserPrincipalName=alice",
		"10:10:00 I ResultType=50126 UserPrincipalName=alice", // closes 10:00
		"10:09:59 I ResultType=50126 UserPrincipalName=alice", // too late: an error, ignored
		"10:10:00 I ResultType=0 UserPrincipalName=alice",     // in the open window: fine
		"10:04:00 I ResultType=0 UserPrincipalName=bob",       // any event is checked
		"10:19:59 I ResultType=50126 UserPrincipalName=alice", // evaluation goes on
	)
	checkRun(t, "out of order", p, events,
		"at 3: 10:00 UserPrincipalName=alice value=2 lines=1,2 10:00:00-10:05:00\n"+
			"events.jsonl:4: event at 2024-05-06T10:09:59Z is earlier than a window already closed (events must be sorted by TimeGenerated)\n"+
			"events.jsonl:6: event at 2024-05-06T10:04:00Z is earlier than a window already closed (events must be sorted by TimeGenerated)\n"+
			"at close: 10:10 UserPrincipalName=alice value=2 lines=3,7 10:10:00-10:19:59")
}

// inlineCorrelation is a one-rule correlation over wrong passwords (ResultType 50126, interactive).
func inlineCorrelation(typ, groupBy, timespan, condition, extra string) string {
	gb := ""
	if groupBy != "" {
		gb = "    group-by:\n"
		for _, g := range strings.Split(groupBy, ",") {
			gb += "        - " + g + "\n"
		}
	}
	cond := ""
	if condition != "" {
		cond = "    condition:\n"
		for _, c := range strings.Split(condition, ",") {
			cond += "        " + strings.TrimSpace(c) + "\n"
		}
	}
	return `title: Wrong password
id: 5b0a6e0e-0f0d-4a55-9d77-000000000001
name: inline_fail
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50126
    condition: selection
level: low
---
title: Inline correlation
id: 5b0a6e0e-0f0d-4a55-9d77-000000000002
status: test
correlation:
    type: ` + typ + `
    rules:
        - inline_fail
` + gb + `    timespan: ` + timespan + "\n" + cond + extra + "level: high\n"
}

func TestNoGroupByAndNullGroups(t *testing.T) {
	p := correlationProgram(t, "ng.yml", inlineCorrelation("event_count", "", "1h", "gte: 3", ""))
	events := jsonl(t,
		"10:00:00 I ResultType=50126 UserPrincipalName=alice",
		"10:30:00 N ResultType=50126 UserPrincipalName=alice",
		"10:40:00 I ResultType=50126",
		"10:59:59 I ResultType=50126 UserPrincipalName=bob",
		"11:00:00 I ResultType=50126 UserPrincipalName=bob",
	)
	checkRun(t, "no group-by", p, events, "at 5: 10:00 value=3 lines=1,3,4 10:00:00-10:59:59")

	// Absent, JSON null and "" are one null group; it is a group like any other (and apart from the
	// string "null").
	p = correlationProgram(t, "null.yml", inlineCorrelation("event_count", "UserPrincipalName,IPAddress", "1h", "gte: 2", ""))
	events = jsonl(t,
		"10:00:00 I ResultType=50126 IPAddress=192.0.2.1",
		"10:01:00 I ResultType=50126 UserPrincipalName= IPAddress=192.0.2.1",
		"10:02:00 I ResultType=50126 UserPrincipalName=#null IPAddress=192.0.2.1",
		"10:03:00 I ResultType=50126 UserPrincipalName=alice",
		"10:04:00 I ResultType=50126 UserPrincipalName=alice IPAddress=",
		"10:05:00 I ResultType=50126 UserPrincipalName=null IPAddress=192.0.2.1",
	)
	checkRun(t, "null groups", p, events,
		"at close: 10:00 UserPrincipalName=(null) IPAddress=192.0.2.1 value=3 lines=1,2,3 10:00:00-10:02:00\n"+
			"at close: 10:00 UserPrincipalName=alice IPAddress=(null) value=2 lines=4,5 10:03:00-10:04:00")
}

func TestTwoTablesAliases(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-two-tables-aliases.yml"), "")
	events := jsonl(t, cat(
		// Lines 1-10: interactive failures for account u1 (UserPrincipalName) from 192.0.2.1.
		repeat("10:00:00", 10, 20*time.Second, "I ResultType=50126 UserPrincipalName=u1 UserId=x%d IPAddress=192.0.2.1"),
		// Lines 11-20: non-interactive failures for u1 (UserId) from the same address.
		repeat("10:04:00", 10, 20*time.Second, "N ResultType=50126 UserId=u1 UserPrincipalName=y%d IPAddress=192.0.2.1"),
		// Lines 21-39: u2 has 19 of them across both tables: a near miss.
		repeat("10:00:10", 10, 20*time.Second, "I ResultType=50126 UserPrincipalName=u2 IPAddress=192.0.2.1"),
		repeat("10:04:10", 9, 20*time.Second, "N ResultType=50126 UserId=u2 IPAddress=192.0.2.1"),
		// Line 40: interactive, UserId u1 but UserPrincipalName other: not account u1.
		[]string{"10:08:00 I ResultType=50126 UserPrincipalName=other UserId=u1 IPAddress=192.0.2.1"},
		// Line 41: u1 from another address: another group.
		[]string{"10:08:30 N ResultType=50126 UserId=u1 IPAddress=192.0.2.2"},
		// Line 42: u3 has 20 in total, but the 20th is in the next 15m bucket.
		repeat("10:00:05", 19, 30*time.Second, "N ResultType=50126 UserId=u3 IPAddress=192.0.2.3"),
		[]string{"10:15:00 I ResultType=50126 UserPrincipalName=u3 IPAddress=192.0.2.3"},
	)...)
	checkRun(t, "aliases", p, events,
		"at 61: 10:00 account=u1 IPAddress=192.0.2.1 value=20 lines=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 10:00:00-10:07:00")
}

func TestValueCountSpray(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-value-count-spray.yml"), "")
	events := jsonl(t, cat(
		// Lines 1-10: ten accounts from 198.51.100.7, line 11 repeats one: value 10.
		repeat("10:00:00", 10, 30*time.Second, "I ResultType=50126 UserPrincipalName=user%d IPAddress=198.51.100.7"),
		[]string{"10:06:00 I ResultType=50053 UserPrincipalName=USER1 IPAddress=198.51.100.7"},
		// Lines 12-23: nine accounts from 198.51.100.8 in twelve events, plus an empty and a
		// missing account, which are not values: a near miss.
		repeat("10:00:10", 9, 30*time.Second, "I ResultType=50055 UserPrincipalName=user%d IPAddress=198.51.100.8"),
		[]string{
			"10:05:00 I ResultType=50126 UserPrincipalName=user1 IPAddress=198.51.100.8",
			"10:05:01 I ResultType=50126 UserPrincipalName= IPAddress=198.51.100.8",
			"10:05:02 I ResultType=50126 IPAddress=198.51.100.8",
		},
		// Lines 24-33: ten accounts without an address: the null address is a group.
		repeat("10:01:00", 10, time.Second, "I ResultType=50126 UserPrincipalName=v%d"),
		// Line 34: success, not in the set; line 35 closes the 10:00 bucket.
		[]string{"10:07:00 I ResultType=0 UserPrincipalName=z IPAddress=198.51.100.8"},
		[]string{"10:20:00 I ResultType=0 UserPrincipalName=z IPAddress=198.51.100.8"},
	)...)
	// 198.51.100.7 has eleven values: user1 and USER1 are distinct strings (as Kusto's count_distinct).
	checkRun(t, "value_count", p, events,
		"at 35: 10:00 IPAddress=198.51.100.7 value=11 lines=1,2,3,4,5,6,7,8,9,10,11 10:00:00-10:06:00\n"+
			"at 35: 10:00 IPAddress=(null) value=10 lines=24,25,26,27,28,29,30,31,32,33 10:01:00-10:01:09")
}

func TestValueSumAvg(t *testing.T) {
	sum := correlationProgram(t, testdataRule("correlation-value-sum.yml"), "")
	events := jsonl(t,
		"10:00:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=200000",
		"10:10:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=#200000",
		"10:20:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=200001",
		"10:21:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=n/a",
		"10:00:01 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=200000",
		"10:10:01 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=200000",
		"10:20:01 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=200000",
		"10:30:00 I ResultType=50126 AppId=a2 ProcessingTimeInMilliseconds=1",
	)
	checkRun(t, "value_sum", sum, events, "at close: 10:00 AppId=a1 value=600001 lines=1,2,3,4 10:00:00-10:21:00")

	avg := correlationProgram(t, testdataRule("correlation-value-avg.yml"), "")
	events = jsonl(t,
		"10:00:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=1000",
		"10:01:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=3000",
		"10:02:00 I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=n/a",
		"10:03:00 I ResultType=0 AppId=a1",
		"10:00:00 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=1999",
		"10:01:00 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=2000",
		"10:02:00 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=n/a",
		"10:03:00 I ResultType=0 AppId=a4 ProcessingTimeInMilliseconds=1e5",
		"10:04:00 I ResultType=0 AppId=a5 ProcessingTimeInMilliseconds=2e3",
	)
	checkRun(t, "value_avg", avg, events,
		"at close: 10:00 AppId=a1 value=2000 lines=1,2,3,4 10:00:00-10:03:00\n"+
			"at close: 10:00 AppId=a5 value=2000 lines=9 10:04:00-10:04:00")
}

func TestValuePercentile(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-value-percentile.yml"), "")
	var lines []string
	// a1: 18 x 100 and 2 x 6000: the 19th of 20 (ceil(0.95*20)) is 6000 > 5000.
	lines = append(lines, repeat("01:00:00", 18, time.Minute, "I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=100")...)
	lines = append(lines, repeat("02:00:00", 2, time.Minute, "I ResultType=0 AppId=a1 ProcessingTimeInMilliseconds=6000")...)
	// a2: 19 x 100 and 1 x 6000: the 19th is 100: a near miss.
	lines = append(lines, repeat("03:00:00", 19, time.Minute, "I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=100")...)
	lines = append(lines, "04:00:00 I ResultType=0 AppId=a2 ProcessingTimeInMilliseconds=6000")
	// a3: 100 200 300 400 5100: nearest rank gives the 5th (5100 > 5000); linear interpolation
	// would give 400 + 0.8*4700 = 4160 and no finding. Non-numeric values are not counted.
	lines = append(lines,
		"05:00:00 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=5100",
		"05:00:01 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=300",
		"05:00:02 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=#100",
		"05:00:03 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=400",
		"05:00:04 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=200",
		"05:00:05 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=slow",
		"05:00:06 I ResultType=0 AppId=a3 ProcessingTimeInMilliseconds=",
	)
	checkRun(t, "value_percentile", p, jsonl(t, lines...),
		"at close: 00:00 AppId=a1 value=6000 lines=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20 01:00:00-02:01:00\n"+
			"at close: 00:00 AppId=a3 value=5100 lines=41,42,43,44,45,46,47 05:00:00-05:00:06")
}

func TestNearestRank(t *testing.T) {
	tests := []struct {
		values []float64
		p      float64
		want   float64
	}{
		{[]float64{15, 20, 35, 40, 50}, 5, 15},
		{[]float64{15, 20, 35, 40, 50}, 30, 20},
		{[]float64{15, 20, 35, 40, 50}, 40, 20},
		{[]float64{15, 20, 35, 40, 50}, 50, 35},
		{[]float64{50, 40, 35, 20, 15}, 100, 50},
		{[]float64{3, 1, 2}, 0, 1},
		{[]float64{7}, 95, 7},
	}
	for _, tt := range tests {
		if got := nearestRank(tt.values, tt.p); got != tt.want {
			t.Errorf("nearestRank(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
		}
	}
	if got := nearestRank(nil, 50); !math.IsNaN(got) {
		t.Errorf("nearestRank(nil) = %v, want NaN", got)
	}
}

func TestTemporal(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-temporal.yml"), "")
	events := jsonl(t,
		"10:05:00 I ResultType=53003 UserPrincipalName=alice",
		"10:06:00 I ResultType=0 UserPrincipalName=bob",
		"10:10:00 I ResultType=53003 UserPrincipalName=carol",
		"10:12:00 I ResultType=53003 UserPrincipalName=carol",
		"10:20:00 I ResultType=0 UserPrincipalName=alice",
		"10:25:00 I ResultType=53003 UserPrincipalName=dave",
		"10:29:59 I ResultType=53003 UserPrincipalName=bob",
		"10:30:00 I ResultType=0 UserPrincipalName=dave",
		"10:31:00 N ResultType=0 UserPrincipalName=carol",
	)
	checkRun(t, "temporal", p, events,
		"at 8: 10:00 UserPrincipalName=alice value=2 lines=1,5 10:05:00-10:20:00\n"+
			"at 8: 10:00 UserPrincipalName=bob value=2 lines=2,7 10:06:00-10:29:59")
}

func TestTemporalOrderedTwo(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-temporal-ordered-lockout.yml"), "")
	events := jsonl(t,
		"10:00:00 I ResultType=50126 UserPrincipalName=alice",
		"10:01:00 I ResultType=50053 UserPrincipalName=alice",
		"10:00:00 I ResultType=50053 UserPrincipalName=bob", // out of order within an open window: fine for two rules
		"10:02:00 I ResultType=50126 UserPrincipalName=bob",
		"10:03:00 I ResultType=50126 UserPrincipalName=carol",
		"10:03:00 I ResultType=50053 UserPrincipalName=carol", // same time: not strictly after
		"10:29:00 I ResultType=50126 UserPrincipalName=dave",
		"10:30:00 I ResultType=50053 UserPrincipalName=dave", // next bucket
		"10:31:00 I ResultType=50053 UserPrincipalName=erin",
		"10:32:00 I ResultType=50126 UserPrincipalName=erin",
		"10:33:00 I ResultType=50053 UserPrincipalName=erin",
	)
	checkRun(t, "temporal_ordered, two rules", p, events,
		"at 8: 10:00 UserPrincipalName=alice value=2 lines=1,2 10:00:00-10:01:00\n"+
			"at close: 10:30 UserPrincipalName=erin value=2 lines=9,10,11 10:31:00-10:33:00")
}

func TestTemporalOrderedThree(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-temporal-ordered-three.yml"), "")
	events := jsonl(t,
		// alice: required, denied, success: in order.
		"10:01:00 I ResultType=50074 UserPrincipalName=alice",
		"10:02:00 I ResultType=500121 UserPrincipalName=alice",
		"10:03:00 I ResultType=0 UserPrincipalName=alice",
		// bob: denied before required: the greedy prefix is 1.
		"10:04:00 I ResultType=500121 UserPrincipalName=bob",
		"10:05:00 I ResultType=50074 UserPrincipalName=bob",
		"10:06:00 I ResultType=0 UserPrincipalName=bob",
		// carol: required and denied at the same time, then success: not strictly increasing.
		"10:07:00 I ResultType=50074 UserPrincipalName=carol",
		"10:07:00 I ResultType=500121 UserPrincipalName=carol",
		"10:08:00 I ResultType=0 UserPrincipalName=carol",
		// dave: noise between the steps still finds the sequence.
		"10:09:00 I ResultType=50074 UserPrincipalName=dave",
		"10:10:00 I ResultType=0 UserPrincipalName=dave",
		"10:11:00 I ResultType=50074 UserPrincipalName=dave",
		"10:12:00 I ResultType=500121 UserPrincipalName=dave",
		"10:13:00 I ResultType=0 UserPrincipalName=dave",
		// An event earlier than one before it: an error for three or more rules.
		"10:12:30 I ResultType=0 UserPrincipalName=erin",
		// erin: the last step in the next 1h bucket.
		"10:58:00 I ResultType=50074 UserPrincipalName=erin",
		"10:59:00 I ResultType=500121 UserPrincipalName=erin",
		"11:00:00 I ResultType=0 UserPrincipalName=erin",
	)
	checkRun(t, "temporal_ordered, three rules", p, events,
		"events.jsonl:15: event at 2024-05-06T10:12:30Z is earlier than an event before it, and temporal_ordered over more than two rules needs its events in time order (events must be sorted by TimeGenerated)\n"+
			"at 18: 10:00 UserPrincipalName=alice value=3 lines=1,2,3 10:01:00-10:03:00\n"+
			"at 18: 10:00 UserPrincipalName=dave value=3 lines=10,11,12,13,14 10:09:00-10:13:00")
}

func TestMFAFatigueChain(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-mfa-fatigue-chain.yml"), "")
	events := jsonl(t, cat(
		// Lines 1-6: alice, five denials then a success: the burst ends at 10:05, success at 10:06.
		repeat("10:01:00", 5, time.Minute, "I ResultType=500121 UserPrincipalName=alice"),
		[]string{"10:06:00 I ResultType=0 UserPrincipalName=alice"},
		// Lines 7-11: bob, four denials and a success: one too few.
		repeat("10:01:10", 4, time.Minute, "I ResultType=500121 UserPrincipalName=bob"),
		[]string{"10:06:10 I ResultType=0 UserPrincipalName=bob"},
		// Lines 12-17: carol, the success comes first.
		[]string{"10:00:20 I ResultType=0 UserPrincipalName=carol"},
		repeat("10:01:20", 5, time.Minute, "I ResultType=500121 UserPrincipalName=carol"),
		// Lines 18-23: erin, the success at the same time as the last denial.
		repeat("10:01:30", 5, time.Minute, "I ResultType=500121 UserPrincipalName=erin"),
		[]string{"10:05:30 I ResultType=0 UserPrincipalName=erin"},
		// Lines 24-29: dave, the burst in 10:00, the success in the next 10m bucket.
		repeat("10:04:40", 5, time.Minute, "I ResultType=500121 UserPrincipalName=dave"),
		[]string{"10:11:00 I ResultType=0 UserPrincipalName=dave"},
		// Lines 30-35: frank, burst and success in 10:20, reported at Close.
		repeat("10:20:00", 5, 10*time.Second, "I ResultType=500121 UserPrincipalName=frank"),
		[]string{"10:29:59 N ResultType=0 UserPrincipalName=frank", "10:29:59 I ResultType=0 UserPrincipalName=frank"},
	)...)
	// The input is sorted by time in the test's intent but not line by line; sort it as an export.
	sorted := sortLines(t, events)
	checkRun(t, "MFA fatigue chain", p, sorted.text,
		"at "+sorted.lineOf(29)+": 10:00 UserPrincipalName=alice value=2 lines="+sorted.linesOf(1, 2, 3, 4, 5, 6)+" 10:01:00-10:06:00\n"+
			"at close: 10:20 UserPrincipalName=frank value=2 lines="+sorted.linesOf(30, 31, 32, 33, 34, 36)+" 10:20:00-10:29:59")
}

// TestChainLongerNestedWindow chains a 1h burst into a 10m sequence: the burst's window closes long
// after the outer 10m window it falls in, so the outer correlation holds its events back until
// the nested one has reported.
func TestChainLongerNestedWindow(t *testing.T) {
	yaml := `title: Denied
id: 6c1d2a52-5d0f-4f5e-8f5e-000000000001
name: ch_denied
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 500121
    condition: selection
level: low
---
title: Success
id: 6c1d2a52-5d0f-4f5e-8f5e-000000000002
name: ch_success
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 0
    condition: selection
level: low
---
title: Burst
id: 6c1d2a52-5d0f-4f5e-8f5e-000000000003
name: ch_burst
status: test
correlation:
    type: event_count
    rules:
        - ch_denied
    group-by:
        - UserPrincipalName
    timespan: 1h
    condition:
        gte: 3
level: low
---
title: Burst then success
id: 6c1d2a52-5d0f-4f5e-8f5e-000000000004
status: test
correlation:
    type: temporal_ordered
    rules:
        - ch_burst
        - ch_success
    group-by:
        - user
    aliases:
        user:
            ch_burst: UserPrincipalName
            ch_success: UserPrincipalName
    timespan: 10m
level: high
`
	p := correlationProgram(t, "chain.inline.yml", yaml)
	events := jsonl(t,
		"10:01:00 I ResultType=500121 UserPrincipalName=alice",
		"10:02:00 I ResultType=500121 UserPrincipalName=alice",
		"10:03:00 I ResultType=500121 UserPrincipalName=alice",
		"10:04:00 I ResultType=0 UserPrincipalName=alice",
		"10:30:00 I ResultType=0 UserPrincipalName=bob",
		// bob's burst ends at 10:52 and his success at 10:30 is before it.
		"10:50:00 I ResultType=500121 UserPrincipalName=bob",
		"10:51:00 I ResultType=500121 UserPrincipalName=bob",
		"10:52:00 I ResultType=500121 UserPrincipalName=bob",
		"10:55:00 I ResultType=0 UserPrincipalName=bob",
		"11:00:00 I ResultType=0 UserPrincipalName=carol",
	)
	checkRun(t, "chain with a longer nested window", p, events,
		"at 10: 10:00 user=alice value=2 lines=1,2,3,4 10:01:00-10:04:00\n"+
			"at 10: 10:50 user=bob value=2 lines=6,7,8,9 10:50:00-10:55:00")
}

// TestOverlappingRules checks that an event matching two referenced rules is one event for
// event_count and counts for both rules for temporal.
func TestOverlappingRules(t *testing.T) {
	yaml := func(typ, cond string) string {
		return `title: Wrong password
id: 7d2e3b63-6e1f-4a6f-9a6f-000000000001
name: ov_fail
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50126
    condition: selection
level: low
---
title: Scripted
id: 7d2e3b63-6e1f-4a6f-9a6f-000000000002
name: ov_script
status: test
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        UserAgent|contains: python
    condition: selection
level: low
---
title: Overlap
id: 7d2e3b63-6e1f-4a6f-9a6f-000000000003
status: test
correlation:
    type: ` + typ + `
    rules:
        - ov_fail
        - ov_script
    group-by:
        - UserPrincipalName
    timespan: 1h
` + cond + `level: high
`
	}
	events := jsonl(t,
		"10:00:00 I ResultType=50126 UserAgent=python-requests UserPrincipalName=alice",
		"10:01:00 I ResultType=50126 UserAgent=Mozilla UserPrincipalName=alice",
		"10:02:00 I ResultType=0 UserAgent=python-requests UserPrincipalName=bob",
		"10:03:00 I ResultType=50126 UserAgent=python-requests UserPrincipalName=carol",
	)
	count := correlationProgram(t, "count.inline.yml", yaml("event_count", "    condition:\n        gte: 1\n"))
	checkRun(t, "event_count", count, events,
		"at close: 10:00 UserPrincipalName=alice value=2 lines=1,2 10:00:00-10:01:00\n"+
			"at close: 10:00 UserPrincipalName=bob value=1 lines=3 10:02:00-10:02:00\n"+
			"at close: 10:00 UserPrincipalName=carol value=1 lines=4 10:03:00-10:03:00")
	temporal := correlationProgram(t, "temporal.inline.yml", yaml("temporal", ""))
	checkRun(t, "temporal", temporal, events,
		"at close: 10:00 UserPrincipalName=alice value=2 lines=1,2 10:00:00-10:01:00\n"+
			"at close: 10:00 UserPrincipalName=carol value=2 lines=4 10:03:00-10:03:00")
}

// TestCombinedNeqAndTenantWide runs the remaining correlation test rules: neq over every sign-in
// table, and a range condition without group-by.
func TestCombinedNeqAndTenantWide(t *testing.T) {
	p := correlationProgram(t, testdataRule("correlation-combined-neq-generate.yml"), "")
	events := jsonl(t,
		"10:00:00 I ResultType=0 IPAddress=192.0.2.1",
		"10:10:00 N ResultType=0 IPAddress=192.0.2.2",
		"10:20:00 S ResultType=0 IPAddress=192.0.2.2",
		"10:30:00 N ResultType=50126 IPAddress=192.0.2.3",
		"10:40:00 N ResultType=0 IPAddress=192.0.2.3",
		"10:50:00 I ResultType=0",
		"10:51:00 S ResultType=0",
	)
	checkRun(t, "neq over combined tables", p, events,
		"at close: 10:00 IPAddress=192.0.2.2 value=2 lines=2,3 10:10:00-10:20:00\n"+
			"at close: 10:00 IPAddress=(null) value=2 lines=6,7 10:50:00-10:51:00")

	p = correlationProgram(t, testdataRule("correlation-no-group-by.yml"), "")
	lines := cat(
		repeat("10:00:00", 100, 30*time.Second, "I ResultType=53003 UserPrincipalName=u%d"),
		repeat("11:00:00", 99, 30*time.Second, "I ResultType=53003 UserPrincipalName=u%d"),
	)
	want := "at 101: 10:00 value=100 lines="
	for i := 1; i <= 100; i++ {
		if i > 1 {
			want += ","
		}
		want += strconv.Itoa(i)
	}
	checkRun(t, "tenant-wide range", p, jsonl(t, lines...), want+" 10:00:00-10:49:30")
}

// TestCompilesTestdataCorrelations compiles every correlation the project's test rules define.
func TestCompilesTestdataCorrelations(t *testing.T) {
	files, err := filepath.Glob("../../testdata/rules/correlation-*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d correlation test rules; the test set moved?", len(files))
	}
	for _, path := range files {
		correlationProgram(t, path, "")
	}
}

// sorted is JSON Lines sorted by TimeGenerated (stable), with the map from original to new lines.
type sortedEvents struct {
	text  string
	newOf map[int]int
}

func sortLines(t testing.TB, events string) sortedEvents {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(events, "\n"), "\n")
	idx := make([]int, len(lines))
	for i := range idx {
		idx[i] = i
	}
	timeOf := func(l string) string {
		var v struct{ TimeGenerated string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		return v.TimeGenerated
	}
	// insertion sort: stable and small
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && timeOf(lines[idx[j]]) < timeOf(lines[idx[j-1]]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	s := sortedEvents{newOf: map[int]int{}}
	var b strings.Builder
	for n, i := range idx {
		b.WriteString(lines[i] + "\n")
		s.newOf[i+1] = n + 1
	}
	s.text = b.String()
	return s
}

func (s sortedEvents) lineOf(orig int) string { return strconv.Itoa(s.newOf[orig]) }

func (s sortedEvents) linesOf(orig ...int) string {
	var ns []int
	for _, o := range orig {
		ns = append(ns, s.newOf[o])
	}
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j] < ns[j-1]; j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
	var out []string
	for _, n := range ns {
		out = append(out, strconv.Itoa(n))
	}
	return strings.Join(out, ",")
}

func TestCorrelationCompileErrors(t *testing.T) {
	rule := func(t *testing.T) *translate.Query {
		ps := programs(t, "r.yml", `title: R
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 0
    condition: selection
`)
		return ps[0].Query()
	}
	r := rule(t)
	upn := translate.CorrField{Name: "UserPrincipalName", PerRule: []translate.CorrSource{{Field: field(t, "UserPrincipalName")}, {Field: field(t, "UserPrincipalName")}}}
	pos := rules.Pos{Line: 4, Col: 11}
	corr := func(typ string, conds ...rules.Threshold) *translate.Query {
		return &translate.Query{Path: "c.yml", Correlation: &translate.Correlation{
			Type: typ, Rules: []*translate.Query{r, r}, RuleNames: []string{"a", "b"},
			GroupBy: []translate.CorrField{upn}, Timespan: time.Hour, Conditions: conds, Pos: pos}}
	}
	th := func(op string, v float64) rules.Threshold {
		return rules.Threshold{Op: op, Value: v, Raw: strconv.FormatFloat(v, 'g', -1, 64)}
	}
	tests := []struct {
		name string
		q    *translate.Query
		want string // "" for no error
	}{
		{"temporal_ordered, all rules as gte", corr("temporal_ordered", th("gte", 2)), ""},
		{"temporal_ordered, all rules as eq", corr("temporal_ordered", th("eq", 2)), ""},
		{"temporal_ordered, all rules as gt", corr("temporal_ordered", th("gt", 1)), ""},
		{"temporal with a condition", corr("temporal", th("gte", 1)), ""},
		{"event_count without condition", corr("event_count"), "c.yml:4:11: correlation: event_count needs a condition"},
		{"unknown type", corr("value_median", th("gt", 1)), `c.yml:4:11: correlation: unknown type "value_median"`},
		{"unknown operator", corr("event_count", th("ge", 1)), `c.yml:4:11: correlation: unknown condition operator "ge"`},
		{"value type without field", corr("value_sum", th("gt", 1)), "c.yml:4:11: correlation: value_sum needs exactly one field, got 0"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.q)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestPlainRuleRun(t *testing.T) {
	ps := programs(t, "r.yml", `title: R
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50126
    condition: selection
`)
	events := jsonl(t,
		"10:00:00 I ResultType=50126",
		"09:00:00 I ResultType=50126", // order does not matter to a plain rule
		"10:00:00 N ResultType=50126",
		"10:00:00 I ResultType=0",
	)
	r := NewReader(strings.NewReader(events), "e", "")
	run := ps[0].NewRun()
	var got []string
	for {
		ev, err := r.Next()
		if err != nil {
			break
		}
		fs, err := run.Add(ev)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			got = append(got, fmt.Sprintf("%v %s", f.Lines, f.Start.Format("15:04")))
		}
	}
	if fs := run.Close(); fs != nil {
		t.Errorf("Close = %v", fs)
	}
	if _, err := run.Add(&Event{}); err == nil || err.Error() != "evaluate: Add after Close" {
		t.Errorf("Add after Close: %v", err)
	}
	if want := "[1] 10:00 [2] 09:00"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// TestLinesCap checks that a finding keeps at most MaxFindingLines lines and says so.
func TestLinesCap(t *testing.T) {
	p := correlationProgram(t, "cap.yml", inlineCorrelation("event_count", "UserPrincipalName", "1d", "gte: 2", ""))
	run := p.NewRun()
	base := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	n := 3*MaxFindingLines + 7
	for i := range n {
		ev := &Event{Line: n - i, Table: table(t, "SigninLogs"), Time: base.Add(time.Duration(i) * time.Second),
			Fields: map[string]any{"ResultType": "50126", "UserPrincipalName": "alice"}}
		if _, err := run.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	fs := run.Close()
	if len(fs) != 1 {
		t.Fatalf("%d findings", len(fs))
	}
	f := fs[0]
	if len(f.Lines) != MaxFindingLines || !f.Truncated || f.Lines[0] != 1 || f.Lines[MaxFindingLines-1] != MaxFindingLines || f.Value != float64(n) {
		t.Errorf("lines %d..%d (%d), truncated %v, value %v", f.Lines[0], f.Lines[len(f.Lines)-1], len(f.Lines), f.Truncated, f.Value)
	}
}

// slidingEvents makes n sign-in failures six seconds apart whose accounts slide: at any time about
// ten accounts are active, and over the stream n/20 accounts appear.
func slidingEvents(t testing.TB, n int, resultType func(i int) string) []*Event {
	base := time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)
	tb := table(t, "SigninLogs")
	out := make([]*Event, n)
	for i := range n {
		out[i] = &Event{Line: i + 1, Table: tb, Time: base.Add(time.Duration(i) * 6 * time.Second),
			Fields: map[string]any{
				"ResultType":        resultType(i),
				"UserPrincipalName": fmt.Sprintf("user%d@contoso.com", i/20+i%10),
				"IPAddress":         fmt.Sprintf("192.0.2.%d", i%7),
			}}
	}
	return out
}

// TestMemoryBounded checks that a long stream over a sliding set of accounts keeps only the open
// windows: the number of open groups and pending items stays bounded by the accounts of one window.
func TestMemoryBounded(t *testing.T) {
	cases := []struct {
		name  string
		p     *Program
		rt    func(i int) string
		bound int
	}{
		{"event_count", correlationProgram(t, testdataRule("correlation-event-count.yml"), ""),
			func(int) string { return "50126" }, 15},
		{"value_count", correlationProgram(t, testdataRule("correlation-value-count-spray.yml"), ""),
			func(int) string { return "50126" }, 7},
		// The chain holds the outer groups and the success events that wait for the burst's window.
		{"MFA fatigue chain", correlationProgram(t, testdataRule("correlation-mfa-fatigue-chain.yml"), ""),
			func(i int) string {
				if i%4 == 3 {
					return "0"
				}
				return "500121"
			}, 40},
	}
	for _, c := range cases {
		run := c.p.NewRun()
		maxHeld, findings := 0, 0
		for _, ev := range slidingEvents(t, 20000, c.rt) {
			fs, err := run.Add(ev)
			if err != nil {
				t.Fatal(err)
			}
			findings += len(fs)
			maxHeld = max(maxHeld, run.held())
		}
		findings += len(run.Close())
		if maxHeld > c.bound {
			t.Errorf("%s: %d open groups and pending items at most, want <= %d", c.name, maxHeld, c.bound)
		}
		if run.held() != 0 {
			t.Errorf("%s: %d held after Close", c.name, run.held())
		}
		if findings == 0 {
			t.Errorf("%s: no findings over the stream", c.name)
		}
	}
}

// BenchmarkRunAdd feeds pre-decoded events to an event_count correlation by account.
func BenchmarkRunAdd(b *testing.B) {
	p := correlationProgram(b, testdataRule("correlation-event-count.yml"), "")
	events := slidingEvents(b, 10000, func(int) string { return "50126" })
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	run := p.NewRun()
	for b.Loop() {
		if i == len(events) {
			run.Close()
			run, i = p.NewRun(), 0
		}
		if _, err := run.Add(events[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRunAddChain feeds the MFA-fatigue chain (a nested event_count in a temporal_ordered).
func BenchmarkRunAddChain(b *testing.B) {
	p := correlationProgram(b, testdataRule("correlation-mfa-fatigue-chain.yml"), "")
	events := slidingEvents(b, 10000, func(i int) string {
		if i%4 == 3 {
			return "0"
		}
		return "500121"
	})
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	run := p.NewRun()
	for b.Loop() {
		if i == len(events) {
			run.Close()
			run, i = p.NewRun(), 0
		}
		if _, err := run.Add(events[i]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
