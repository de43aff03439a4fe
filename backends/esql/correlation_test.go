package esql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

var corrPos = rules.Pos{Line: 30, Col: 11}

// rc is a ResultType rule on the given tables.
func rc(t testing.TB, code string, n float64, tables ...translate.TableID) *translate.Query {
	return query(eq(t, "ResultType", num(code, n)), tables...)
}

// same is a CorrField taking name from every one of n rules.
func same(t testing.TB, name string, n int) translate.CorrField {
	f := translate.CorrField{Name: name}
	for range n {
		f.PerRule = append(f.PerRule, translate.CorrSource{Field: field(t, name)})
	}
	return f
}

// alias is a CorrField named name taking fields[i] from rule i.
func alias(t testing.TB, name string, fields ...string) translate.CorrField {
	f := translate.CorrField{Name: name}
	for _, x := range fields {
		f.PerRule = append(f.PerRule, translate.CorrSource{Field: field(t, x)})
	}
	return f
}

func thr(op, raw string, v float64) rules.Threshold {
	return rules.Threshold{Op: op, Raw: raw, Value: v}
}

func corrQ(typ string, span time.Duration, rs []*translate.Query, by []translate.CorrField, conds ...rules.Threshold) *translate.Query {
	names := make([]string, len(rs))
	for i := range rs {
		names[i] = "r" + string(rune('0'+i))
	}
	return &translate.Query{Path: "c.yml", Correlation: &translate.Correlation{
		Type: typ, Rules: rs, RuleNames: names, GroupBy: by, Timespan: span, Conditions: conds, Pos: corrPos,
	}}
}

func withField(q *translate.Query, f translate.CorrField, pct float64) *translate.Query {
	q.Correlation.Fields = []translate.CorrField{f}
	q.Correlation.Percentile = pct
	return q
}

const (
	corrHead = "FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\"\n    and "
	sil      = `azure.signinlogs.category == "SignInLogs"`
	nil_     = `azure.signinlogs.category == "NonInteractiveUserSignInLogs"`
	ec       = "azure.signinlogs.properties.status.error_code"
	times    = "    Esql.start_time = MIN(@timestamp),\n    Esql.end_time = MAX(@timestamp)\n"
	twoRules = "(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      )\n      or (\n        " + sil + "\n        and " + ec + " == 50053\n      )\n    )\n"
	tags     = "    Esql.rule_0 = COALESCE(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      ),\n      false\n    ),\n" +
		"    Esql.rule_1 = COALESCE(\n      (\n        " + sil + "\n        and " + ec + " == 50053\n      ),\n      false\n    ),\n"
	// tags of a SigninLogs and a non-interactive rule, both ResultType 50126
	tags2 = "    Esql.rule_0 = COALESCE(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      ),\n      false\n    ),\n" +
		"    Esql.rule_1 = COALESCE(\n      (\n        " + nil_ + "\n        and " + ec + " == 50126\n      ),\n      false\n    ),\n"
)

func TestCorrelations(t *testing.T) {
	r1 := func() *translate.Query { return rc(t, "50126", 50126, translate.TableSignin) }
	r2 := func() *translate.Query { return rc(t, "50053", 50053, translate.TableSignin) }
	upn := func(n int) []translate.CorrField { return []translate.CorrField{same(t, "UserPrincipalName", n)} }
	one := sil + "\n    and " + ec + " == 50126\n"
	tests := []struct {
		name  string
		q     *translate.Query
		want  string
		warns []string
	}{
		{"event_count", corrQ("event_count", 10*time.Minute, []*translate.Query{r1()}, upn(1), thr("gte", "10", 10)),
			corrHead + one +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(10 minutes, @timestamp),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| WHERE Esql.event_count >= 10", nil},
		{"no group-by, range", corrQ("event_count", time.Hour, []*translate.Query{r1()}, nil, thr("gte", "100", 100), thr("lte", "1e4", 1e4)),
			corrHead + one +
				"| EVAL Esql.time_window_date_trunc = DATE_TRUNC(1 hour, @timestamp)\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc\n" +
				"| WHERE Esql.event_count >= 100 and Esql.event_count <= 1e4", nil},
		{"neq, eq, gt, lt", corrQ("event_count", 90*time.Second, []*translate.Query{r1()}, upn(1), thr("neq", "1", 1), thr("gt", "0", 0), thr("lt", "9", 9), thr("eq", "2.5", 2.5)),
			corrHead + one +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(90 seconds, @timestamp),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| WHERE Esql.event_count != 1 and Esql.event_count > 0 and Esql.event_count < 9 and Esql.event_count == 2.5", nil},
		{"two rules, same field", corrQ("event_count", 2*24*time.Hour, []*translate.Query{r1(), r2()}, upn(2), thr("gte", "3", 3)),
			corrHead + twoRules +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(48 hours, @timestamp),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| WHERE Esql.event_count >= 3", nil},
		{"two tables, aliases", corrQ("event_count", 15*time.Minute,
			[]*translate.Query{r1(), rc(t, "50126", 50126, translate.TableNonInteractive)},
			[]translate.CorrField{alias(t, "account", "UserPrincipalName", "UserId"), same(t, "IPAddress", 2)}, thr("gte", "20", 20)),
			corrHead + "(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      )\n      or (\n        " + nil_ + "\n        and " + ec + " == 50126\n      )\n    )\n" +
				"| EVAL\n" +
				tags2 +
				"    Esql.account = COALESCE(CASE(\n      Esql.rule_0, azure.signinlogs.properties.user_principal_name,\n      Esql.rule_1, azure.signinlogs.properties.user_id\n    ), \"\"),\n" +
				"    Esql.time_window_date_trunc = DATE_TRUNC(15 minutes, @timestamp)\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc, Esql.account, source.ip\n" +
				"| WHERE Esql.event_count >= 20", nil},
		{"aliases of different types", corrQ("event_count", time.Minute,
			[]*translate.Query{r1(), rc(t, "50126", 50126, translate.TableNonInteractive)},
			[]translate.CorrField{alias(t, "who or where", "UserPrincipalName", "IPAddress")}, thr("gt", "1", 1)),
			corrHead + "(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      )\n      or (\n        " + nil_ + "\n        and " + ec + " == 50126\n      )\n    )\n" +
				"| EVAL\n" +
				tags2 +
				"    Esql.who_or_where = COALESCE(CASE(\n      Esql.rule_0, azure.signinlogs.properties.user_principal_name,\n      Esql.rule_1, TO_STRING(source.ip)\n    ), \"\"),\n" +
				"    Esql.time_window_date_trunc = DATE_TRUNC(1 minute, @timestamp)\n" +
				"| STATS\n    Esql.event_count = COUNT(*),\n" + times +
				"  BY Esql.time_window_date_trunc, Esql.who_or_where\n" +
				"| WHERE Esql.event_count > 1", nil},
		{"value_count", withField(corrQ("value_count", 20*time.Minute, []*translate.Query{r1()}, []translate.CorrField{same(t, "IPAddress", 1)}, thr("gte", "10", 10)), same(t, "UserPrincipalName", 1), 0),
			corrHead + one +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(20 minutes, @timestamp),\n    Esql.user_principal_name_value = CASE(azure.signinlogs.properties.user_principal_name != \"\", azure.signinlogs.properties.user_principal_name)\n" +
				"| STATS\n" + times +
				"  BY Esql.time_window_date_trunc, source.ip, Esql.user_principal_name_value\n" +
				"| STATS\n    Esql.user_principal_name_count_distinct = COUNT(Esql.user_principal_name_value),\n" +
				"    Esql.start_time = MIN(Esql.start_time),\n    Esql.end_time = MAX(Esql.end_time)\n" +
				"  BY Esql.time_window_date_trunc, source.ip\n" +
				"| WHERE Esql.user_principal_name_count_distinct >= 10", nil},
		{"value_count, aliased value", withField(corrQ("value_count", 20*time.Minute,
			[]*translate.Query{r1(), rc(t, "50126", 50126, translate.TableNonInteractive)}, nil, thr("gte", "10", 10)),
			alias(t, "user", "UserPrincipalName", "UserId"), 0),
			corrHead + "(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      )\n      or (\n        " + nil_ + "\n        and " + ec + " == 50126\n      )\n    )\n" +
				"| EVAL\n" +
				tags2 +
				"    Esql.user = CASE(\n      Esql.rule_0, azure.signinlogs.properties.user_principal_name,\n      Esql.rule_1, azure.signinlogs.properties.user_id\n    ),\n" +
				"    Esql.time_window_date_trunc = DATE_TRUNC(20 minutes, @timestamp),\n    Esql.user_value = CASE(Esql.user != \"\", Esql.user)\n" +
				"| STATS\n" + times +
				"  BY Esql.time_window_date_trunc, Esql.user_value\n" +
				"| STATS\n    Esql.user_count_distinct = COUNT(Esql.user_value),\n" +
				"    Esql.start_time = MIN(Esql.start_time),\n    Esql.end_time = MAX(Esql.end_time)\n" +
				"  BY Esql.time_window_date_trunc\n" +
				"| WHERE Esql.user_count_distinct >= 10", nil},
		{"value_count, value is the group-by alias", withField(corrQ("value_count", time.Minute,
			[]*translate.Query{r1(), rc(t, "50126", 50126, translate.TableNonInteractive)}, []translate.CorrField{alias(t, "user", "UserPrincipalName", "UserId")}, thr("gte", "1", 1)),
			alias(t, "user", "UserPrincipalName", "UserId"), 0),
			corrHead + "(\n      (\n        " + sil + "\n        and " + ec + " == 50126\n      )\n      or (\n        " + nil_ + "\n        and " + ec + " == 50126\n      )\n    )\n" +
				"| EVAL\n" +
				tags2 +
				"    Esql.user = COALESCE(CASE(\n      Esql.rule_0, azure.signinlogs.properties.user_principal_name,\n      Esql.rule_1, azure.signinlogs.properties.user_id\n    ), \"\"),\n" +
				"    Esql.time_window_date_trunc = DATE_TRUNC(1 minute, @timestamp),\n    Esql.user_value = CASE(Esql.user != \"\", Esql.user)\n" +
				"| STATS\n" + times +
				"  BY Esql.time_window_date_trunc, Esql.user, Esql.user_value\n" +
				"| STATS\n    Esql.user_count_distinct = COUNT(Esql.user_value),\n" +
				"    Esql.start_time = MIN(Esql.start_time),\n    Esql.end_time = MAX(Esql.end_time)\n" +
				"  BY Esql.time_window_date_trunc, Esql.user\n" +
				"| WHERE Esql.user_count_distinct >= 1", nil},
		{"value_count, never-null tags, quoted alias", withField(corrQ("value_count", time.Hour,
			[]*translate.Query{query(&translate.Const{Value: true}, translate.TableSignin), query(&translate.Const{Value: true}, translate.TableNonInteractive)}, nil, thr("gt", "1", 1)),
			alias(t, "1 by", "UserPrincipalName", "UserId"), 0),
			"FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\"\n    and (\n      azure.signinlogs.category == \"SignInLogs\"\n      or azure.signinlogs.category == \"NonInteractiveUserSignInLogs\"\n    )\n| EVAL\n    Esql.rule_0 = azure.signinlogs.category == \"SignInLogs\",\n    Esql.rule_1 = azure.signinlogs.category == \"NonInteractiveUserSignInLogs\",\n    Esql.`1_by` = CASE(\n      Esql.rule_0, azure.signinlogs.properties.user_principal_name,\n      Esql.rule_1, azure.signinlogs.properties.user_id\n    ),\n    Esql.time_window_date_trunc = DATE_TRUNC(1 hour, @timestamp),\n    Esql.`1_by_value` = CASE(Esql.`1_by` != \"\", Esql.`1_by`)\n| STATS\n    Esql.start_time = MIN(@timestamp),\n    Esql.end_time = MAX(@timestamp)\n  BY Esql.time_window_date_trunc, Esql.`1_by_value`\n| STATS\n    Esql.`1_by_count_distinct` = COUNT(Esql.`1_by_value`),\n    Esql.start_time = MIN(Esql.start_time),\n    Esql.end_time = MAX(Esql.end_time)\n  BY Esql.time_window_date_trunc\n| WHERE Esql.`1_by_count_distinct` > 1", nil},
		{"value_sum, aliased float and long", withField(corrQ("value_sum", time.Hour,
			[]*translate.Query{rc(t, "0", 0, translate.TableSignin), rc(t, "0", 0, translate.TableNonInteractive)}, nil, thr("gt", "1", 1)),
			alias(t, "n", "ProcessingTimeInMilliseconds", "AutonomousSystemNumber"), 0),
			"FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\"\n    and (\n      (\n        azure.signinlogs.category == \"SignInLogs\"\n        and azure.signinlogs.properties.status.error_code == 0\n      )\n      or (\n        azure.signinlogs.category == \"NonInteractiveUserSignInLogs\"\n        and azure.signinlogs.properties.status.error_code == 0\n      )\n    )\n| EVAL\n    Esql.rule_0 = COALESCE(\n      (\n        azure.signinlogs.category == \"SignInLogs\"\n        and azure.signinlogs.properties.status.error_code == 0\n      ),\n      false\n    ),\n    Esql.rule_1 = COALESCE(\n      (\n        azure.signinlogs.category == \"NonInteractiveUserSignInLogs\"\n        and azure.signinlogs.properties.status.error_code == 0\n      ),\n      false\n    ),\n    Esql.n = CASE(\n      Esql.rule_0, TO_DOUBLE(azure.signinlogs.properties.processing_time_ms),\n      Esql.rule_1, TO_DOUBLE(azure.signinlogs.properties.autonomous_system_number)\n    ),\n    Esql.time_window_date_trunc = DATE_TRUNC(1 hour, @timestamp)\n| STATS\n    Esql.n_sum = SUM(Esql.n),\n    Esql.start_time = MIN(@timestamp),\n    Esql.end_time = MAX(@timestamp)\n  BY Esql.time_window_date_trunc\n| WHERE Esql.n_sum > 1", nil},
		{"value_sum", withField(corrQ("value_sum", time.Hour, []*translate.Query{r1()}, []translate.CorrField{same(t, "AppId", 1)}, thr("gt", "600000", 600000)), same(t, "ProcessingTimeInMilliseconds", 1), 0),
			corrHead + one +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(1 hour, @timestamp),\n    azure.signinlogs.properties.app_id = COALESCE(azure.signinlogs.properties.app_id, \"\")\n" +
				"| STATS\n    Esql.processing_time_ms_sum = SUM(azure.signinlogs.properties.processing_time_ms),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.app_id\n" +
				"| WHERE Esql.processing_time_ms_sum > 600000", nil},
		{"value_avg over a keyword field", withField(corrQ("value_avg", time.Hour, []*translate.Query{r1()}, nil, thr("lt", "5", 5)), same(t, "ClientAppUsed", 1), 0),
			corrHead + one +
				"| EVAL\n    Esql.client_app_used = TO_DOUBLE(azure.signinlogs.properties.client_app_used),\n" +
				"    Esql.time_window_date_trunc = DATE_TRUNC(1 hour, @timestamp)\n" +
				"| STATS\n    Esql.client_app_used_avg = AVG(Esql.client_app_used),\n" + times +
				"  BY Esql.time_window_date_trunc\n" +
				"| WHERE Esql.client_app_used_avg < 5", nil},
		{"value_percentile", withField(corrQ("value_percentile", 24*time.Hour, []*translate.Query{r1()}, []translate.CorrField{same(t, "AppId", 1)}, thr("gt", "5000", 5000)), same(t, "ProcessingTimeInMilliseconds", 1), 99.5),
			corrHead + one +
				"| EVAL\n    Esql.time_window_date_trunc = DATE_TRUNC(24 hours, @timestamp),\n    azure.signinlogs.properties.app_id = COALESCE(azure.signinlogs.properties.app_id, \"\")\n" +
				"| STATS\n    Esql.processing_time_ms_percentile = PERCENTILE(azure.signinlogs.properties.processing_time_ms, 99.5),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.app_id\n" +
				"| WHERE Esql.processing_time_ms_percentile > 5000",
			[]string{"value_percentile: ES|QL's PERCENTILE is approximate (a TDigest), so the percentile can differ slightly from the exact value"}},
		{"temporal", corrQ("temporal", 30*time.Minute, []*translate.Query{r1(), r2()}, upn(2)),
			corrHead + twoRules +
				"| EVAL\n" + tags +
				"    Esql.time_window_date_trunc = DATE_TRUNC(30 minutes, @timestamp),\n" +
				"    Esql.rule_0_event = CASE(Esql.rule_0, 1, 0),\n    Esql.rule_1_event = CASE(Esql.rule_1, 1, 0),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.rule_0_seen = MAX(Esql.rule_0_event),\n    Esql.rule_1_seen = MAX(Esql.rule_1_event),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| EVAL Esql.rule_count = Esql.rule_0_seen + Esql.rule_1_seen\n" +
				"| WHERE Esql.rule_count == 2", nil},
		{"temporal with a condition", corrQ("temporal", 30*time.Minute, []*translate.Query{r1(), r2()}, nil, thr("gte", "1", 1)),
			corrHead + twoRules +
				"| EVAL\n" + tags +
				"    Esql.time_window_date_trunc = DATE_TRUNC(30 minutes, @timestamp),\n" +
				"    Esql.rule_0_event = CASE(Esql.rule_0, 1, 0),\n    Esql.rule_1_event = CASE(Esql.rule_1, 1, 0)\n" +
				"| STATS\n    Esql.rule_0_seen = MAX(Esql.rule_0_event),\n    Esql.rule_1_seen = MAX(Esql.rule_1_event),\n" + times +
				"  BY Esql.time_window_date_trunc\n" +
				"| EVAL Esql.rule_count = Esql.rule_0_seen + Esql.rule_1_seen\n" +
				"| WHERE Esql.rule_count >= 1", nil},
		{"temporal_ordered", corrQ("temporal_ordered", 30*time.Minute, []*translate.Query{r1(), r2()}, upn(2)),
			corrHead + twoRules +
				"| EVAL\n" + tags +
				"    Esql.time_window_date_trunc = DATE_TRUNC(30 minutes, @timestamp),\n" +
				"    Esql.rule_0_time = CASE(Esql.rule_0, @timestamp),\n    Esql.rule_1_time = CASE(Esql.rule_1, @timestamp),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.rule_0_first = MIN(Esql.rule_0_time),\n    Esql.rule_1_last = MAX(Esql.rule_1_time),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| WHERE Esql.rule_0_first < Esql.rule_1_last", nil},
		{"temporal_ordered, condition requiring all", corrQ("temporal_ordered", 30*time.Minute, []*translate.Query{r1(), r2()}, upn(2), thr("gte", "2", 2)),
			corrHead + twoRules +
				"| EVAL\n" + tags +
				"    Esql.time_window_date_trunc = DATE_TRUNC(30 minutes, @timestamp),\n" +
				"    Esql.rule_0_time = CASE(Esql.rule_0, @timestamp),\n    Esql.rule_1_time = CASE(Esql.rule_1, @timestamp),\n    azure.signinlogs.properties.user_principal_name = COALESCE(azure.signinlogs.properties.user_principal_name, \"\")\n" +
				"| STATS\n    Esql.rule_0_first = MIN(Esql.rule_0_time),\n    Esql.rule_1_last = MAX(Esql.rule_1_time),\n" + times +
				"  BY Esql.time_window_date_trunc, azure.signinlogs.properties.user_principal_name\n" +
				"| WHERE Esql.rule_0_first < Esql.rule_1_last", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Backend{}.Emit(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if out.Query != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.Query, tt.want)
			}
			if strings.Contains(out.Query, "METADATA") {
				t.Errorf("aggregating query with METADATA")
			}
			mustCheck(t, out.Query)
			wantWarns := append([]string{"correlation windows are fixed " + tt.q.Correlation.Timespan.String() +
				" buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"}, tt.warns...)
			if len(out.Warnings) != len(wantWarns) {
				t.Fatalf("warnings %v, want %q", out.Warnings, wantWarns)
			}
			for i, w := range out.Warnings {
				if w.Msg != wantWarns[i] || w.Pos != corrPos || w.Path != "" {
					t.Errorf("warning %d: %+v, want %q at %v", i, w, wantWarns[i], corrPos)
				}
			}
		})
	}
}

func TestCorrelationWindowText(t *testing.T) {
	out, err := Backend{}.Emit(corrQ("event_count", 10*time.Minute, []*translate.Query{rc(t, "0", 0, translate.TableSignin)}, nil, thr("gt", "1", 1)))
	if err != nil {
		t.Fatal(err)
	}
	want := "correlation windows are fixed 10m0s buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"
	if len(out.Warnings) != 1 || out.Warnings[0].Msg != want {
		t.Errorf("warnings %+v", out.Warnings)
	}
}

func TestDurationLiteral(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Second: "1 second", 45 * time.Second: "45 seconds", time.Minute: "1 minute", 90 * time.Minute: "90 minutes",
		time.Hour: "1 hour", 7 * 24 * time.Hour: "168 hours", 1500 * time.Millisecond: "1500 milliseconds",
	} {
		got, err := durationLiteral(d, corrPos)
		if err != nil || got != want {
			t.Errorf("%v: got %q, %v; want %q", d, got, err, want)
		}
	}
	for _, d := range []time.Duration{0, -time.Minute, time.Microsecond} {
		if _, err := durationLiteral(d, corrPos); err == nil {
			t.Errorf("%v accepted", d)
		}
	}
}

func TestCorrelationUnsupported(t *testing.T) {
	r1 := func() *translate.Query { return rc(t, "50126", 50126, translate.TableSignin) }
	r2 := func() *translate.Query { return rc(t, "50053", 50053, translate.TableSignin) }
	nested := corrQ("event_count", time.Minute, []*translate.Query{r1()}, []translate.CorrField{same(t, "UserPrincipalName", 1)}, thr("gt", "1", 1))
	withNested := corrQ("temporal_ordered", time.Hour, []*translate.Query{nested, r2()},
		[]translate.CorrField{{Name: "UserPrincipalName", PerRule: []translate.CorrSource{{Column: "UserPrincipalName"}, {Field: field(t, "UserPrincipalName")}}}})
	tests := []struct {
		name string
		q    *translate.Query
		want string
	}{
		{"chained", withNested,
			`esql: chained correlation is not supported: "r0" is a correlation; ES|QL has no subqueries, and one STATS per level cannot both keep the other rules' single events and turn each matching inner group into one event at its last event time`},
		{"temporal_ordered three", corrQ("temporal_ordered", time.Hour, []*translate.Query{r1(), r2(), r1()}, nil),
			`esql: temporal_ordered over more than two rules is not supported: an exact order of 3 rules needs a row-by-row scan (no ES|QL command compares each event with the earlier ones of its group; INLINE STATS is a technical preview)`},
		{"overlapping aliases", corrQ("event_count", time.Hour, []*translate.Query{r1(), r2()}, []translate.CorrField{alias(t, "account", "UserPrincipalName", "UserId")}, thr("gt", "1", 1)),
			`esql: aliases over overlapping rules is not supported: "r0" and "r1" can match the same sign-in (both route to SigninLogs) but take account from different fields, so such an event would belong to two groups; ES|QL keeps one row per event`},
		{"group-by without Elastic field", corrQ("event_count", time.Hour, []*translate.Query{r1()}, []translate.CorrField{same(t, "IsRisky", 1)}, thr("gt", "1", 1)),
			`esql: field IsRisky is not supported: Elastic's azure.signinlogs data stream has no equivalent field`},
		{"group-by flattened", corrQ("event_count", time.Hour, []*translate.Query{r1()}, []translate.CorrField{same(t, "AuthenticationDetails", 1)}, thr("gt", "1", 1)),
			`esql: field AuthenticationDetails is not supported: Elastic stores it in the flattened field azure.signinlogs.properties.authentication_details, which ES|QL cannot filter on (flattened is an unsupported ES|QL type; sub-keys need the preview FIELD_EXTRACT)`},
		{"group-by multi-valued", corrQ("event_count", time.Hour, []*translate.Query{r1()}, []translate.CorrField{same(t, "RiskEventTypes", 1)}, thr("gt", "1", 1)),
			`esql: field RiskEventTypes is not supported: Elastic stores it as the multi-valued field azure.signinlogs.properties.risk_event_types, and STATS ... BY puts an event in the group of each of its values rather than grouping by the whole list`},
		{"value_count multi-valued", withField(corrQ("value_count", time.Hour, []*translate.Query{r1()}, nil, thr("gt", "1", 1)), same(t, "RiskEventTypes", 1), 0),
			`esql: field RiskEventTypes is not supported: Elastic stores it as the multi-valued field azure.signinlogs.properties.risk_event_types, and STATS ... BY puts an event in the group of each of its values rather than grouping by the whole list`},
		{"value_sum on a boolean", withField(corrQ("value_sum", time.Hour, []*translate.Query{r1()}, nil, thr("gt", "1", 1)), same(t, "IsInteractive", 1), 0),
			`esql: field IsInteractive is not supported: value_sum needs a number, and Elastic maps azure.signinlogs.properties.is_interactive as boolean`},
		{"unknown type", corrQ("value_median", time.Hour, []*translate.Query{r1()}, nil, thr("gt", "1", 1)),
			`esql: correlation type value_median is not supported: the esql backend renders event_count, value_count, value_sum, value_avg, value_percentile, temporal and temporal_ordered`},
		{"sub-millisecond timespan", corrQ("event_count", time.Microsecond, []*translate.Query{r1()}, nil, thr("gt", "1", 1)),
			`esql: timespan 1µs is not supported: DATE_TRUNC needs a positive whole number of milliseconds`},
		{"alias named like a tag", corrQ("event_count", time.Hour, []*translate.Query{r1(), rc(t, "0", 0, translate.TableNonInteractive)}, []translate.CorrField{alias(t, "rule_0", "UserPrincipalName", "UserId")}, thr("gt", "1", 1)),
			`esql: column name Esql.rule_0 is not supported: two computed columns of this correlation would both be called Esql.rule_0; rename the alias or group-by name`},
		{"alias named like the start time", corrQ("event_count", time.Hour, []*translate.Query{r1(), rc(t, "0", 0, translate.TableNonInteractive)}, []translate.CorrField{alias(t, "start time", "UserPrincipalName", "UserId")}, thr("gt", "1", 1)),
			`esql: column name Esql.start_time is not supported: two computed columns of this correlation would both be called Esql.start_time; rename the alias or group-by name`},
		{"alias named like the distinct count", withField(corrQ("value_count", time.Hour, []*translate.Query{r1(), rc(t, "0", 0, translate.TableNonInteractive)}, []translate.CorrField{alias(t, "app_id_count_distinct", "UserPrincipalName", "UserId")}, thr("gt", "1", 1)), same(t, "AppId", 2), 0),
			`esql: column name Esql.app_id_count_distinct is not supported: two computed columns of this correlation would both be called Esql.app_id_count_distinct; rename the alias or group-by name`},
		{"keyword search in a rule", corrQ("event_count", time.Hour, []*translate.Query{signin(&translate.Keyword{Values: []translate.Value{str("*x*")}})}, nil, thr("gt", "1", 1)),
			`esql: keyword search is not supported: ES|QL has no search over every field of an event (MATCH and QSTR are full-text queries on analyzed fields, not substring matches); name the field to search`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Backend{}.Emit(tt.q)
			var ue *translate.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v, want an UnsupportedError", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

// TestCorrelationInternalErrors: malformed correlation IR is an internal error, never a panic.
func TestCorrelationInternalErrors(t *testing.T) {
	r := rc(t, "0", 0, translate.TableSignin)
	for name, q := range map[string]*translate.Query{
		"no rules":      corrQ("event_count", time.Hour, nil, nil, thr("gt", "1", 1)),
		"nil rule":      corrQ("event_count", time.Hour, []*translate.Query{nil}, nil, thr("gt", "1", 1)),
		"no legs":       corrQ("event_count", time.Hour, []*translate.Query{{Path: "x"}}, nil, thr("gt", "1", 1)),
		"no condition":  corrQ("event_count", time.Hour, []*translate.Query{r}, nil),
		"bad condition": corrQ("event_count", time.Hour, []*translate.Query{r}, nil, thr("ge", "1", 1)),
		"no value":      corrQ("value_sum", time.Hour, []*translate.Query{r}, nil, thr("gt", "1", 1)),
		"short field":   corrQ("event_count", time.Hour, []*translate.Query{r}, []translate.CorrField{{Name: "x"}}, thr("gt", "1", 1)),
		"empty source":  corrQ("event_count", time.Hour, []*translate.Query{r}, []translate.CorrField{{Name: "x", PerRule: []translate.CorrSource{{}}}}, thr("gt", "1", 1)),
	} {
		_, err := Backend{}.Emit(q)
		var ue *translate.UnsupportedError
		if err == nil || errors.As(err, &ue) {
			t.Errorf("%s: want an internal error, got %v", name, err)
		}
	}
}

// TestCorrelationHostileNames: any alias name yields a query that parses and checks, or an
// UnsupportedError, never an invalid query.
func TestCorrelationHostileNames(t *testing.T) {
	rejected := 0
	for _, h := range append(hostile, "rule_0", "time_window_date_trunc", "by", "not", "Esql", "a.b", "`x`") {
		q := withField(corrQ("value_count", time.Minute,
			[]*translate.Query{rc(t, "0", 0, translate.TableSignin), rc(t, "0", 0, translate.TableNonInteractive)},
			[]translate.CorrField{alias(t, h, "UserPrincipalName", "UserId")}, thr("gt", "1", 1)),
			alias(t, h+"v", "AppId", "AppId"), 0)
		out, err := Backend{}.Emit(q)
		var ue *translate.UnsupportedError
		switch {
		case errors.As(err, &ue):
			rejected++
		case err != nil:
			t.Errorf("%q: %v", h, err)
		default:
			mustCheck(t, out.Query)
		}
	}
	// Only the names that collide with the tags or the bucket are rejected.
	if rejected != 2 {
		t.Errorf("%d names rejected, want 2", rejected)
	}
}
