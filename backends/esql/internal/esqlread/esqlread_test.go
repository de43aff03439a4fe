package esqlread

import (
	"slices"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
)

func run(t *testing.T, where string, evs ...roundtrip.Event) []string {
	t.Helper()
	for _, e := range evs {
		e["TimeGenerated"] = "2026-11-27T10:00:00Z"
		e["Type"] = "SigninLogs"
	}
	got, err := Eval("FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\" and azure.signinlogs.category == \"SignInLogs\" and "+where, evs)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestEvalSemantics(t *testing.T) {
	upn := "azure.signinlogs.properties.user_principal_name"
	for _, c := range []struct {
		name, where string
		values      []any // UserPrincipalName per event (nil: absent)
		want        []string
	}{
		{"== is case-sensitive", upn + ` == "Ab"`, []any{"Ab", "ab", nil}, []string{"0"}},
		{"escapes decode", upn + ` == "a\"b\\c\n"`, []any{"a\"b\\c\n", `a"b\c`}, []string{"0"}},
		{"raw string keeps backslashes", upn + ` == """a\nb"""`, []any{`a\nb`, "a\nb"}, []string{"0"}},
		{"LIKE whole value", upn + ` LIKE "a*"`, []any{"abc", "xabc"}, []string{"0"}},
		{"LIKE escaped star", upn + ` LIKE "a\\*"`, []any{"a*", "ab"}, []string{"0"}},
		{"LIKE ? is one code point", upn + ` LIKE "a?"`, []any{"aé", "a", "aéé"}, []string{"0"}},
		{"TO_LOWER leaves long s", `TO_LOWER(` + upn + `) == "s"`, []any{"S", "ſ", "s"}, []string{"0", "2"}},
		{"TO_LOWER maps kelvin", `TO_LOWER(` + upn + `) == "k"`, []any{"\u212a"}, []string{"0"}},
		{"RLIKE Lucene whole value", upn + ` RLIKE "[Ssſ]a.*"`, []any{"ſab", "xsa"}, []string{"0"}},
		{"RLIKE escaped operator", upn + ` RLIKE "a\\@b"`, []any{"a@b"}, []string{"0"}},
		{"NOT of null drops the row", `NOT (` + upn + ` == "a")`, []any{"b", nil}, []string{"0"}},
		{"COALESCE keeps it", `NOT COALESCE(` + upn + ` == "a", false)`, []any{"b", nil}, []string{"0", "1"}},
		{"IS NULL does not see empty", upn + ` IS NULL`, []any{"", nil}, []string{"1"}},
		{"null or empty", `(` + upn + ` IS NULL or ` + upn + ` == "")`, []any{"", nil, "x"}, []string{"0", "1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var evs []roundtrip.Event
			for _, v := range c.values {
				e := roundtrip.Event{}
				if v != nil {
					e["UserPrincipalName"] = v
				}
				evs = append(evs, e)
			}
			if got := run(t, c.where, evs...); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestReadRejects(t *testing.T) {
	base := "FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\" and azure.signinlogs.category == \"SignInLogs\" and "
	for _, where := range []string{
		`NOT (azure.signinlogs.properties.user_type == "a")`,  // NOT over a nullable operand
		`azure.signinlogs.properties.user_type RLIKE "a@b"`,   // unescaped Lucene operator
		`azure.signinlogs.properties.user_type RLIKE "a\\db"`, // version-dependent class escape
	} {
		if _, err := Read(base + where); err == nil {
			t.Errorf("Read(%s) succeeded", where)
		}
	}
	// Without a category filter the query also reads AD FS sign-ins.
	if _, err := Read("FROM logs-azure.signinlogs-*\n| WHERE data_stream.dataset == \"azure.signinlogs\""); err == nil {
		t.Errorf("a query without the category filter was read")
	}
}

func TestDocument(t *testing.T) {
	doc, ok, err := Document(roundtrip.Event{"TimeGenerated": "2026-11-27T10:00:00Z", "Type": "SigninLogs",
		"ResultType": "050053", "IPAddress": "not an ip", "DeviceDetail": map[string]any{"isCompliant": "FALSE"}})
	if err != nil || !ok {
		t.Fatal(err, ok)
	}
	if doc["azure.signinlogs.properties.status.error_code"] != int64(50053) || doc["azure.signinlogs.result_type"] != "050053" {
		t.Errorf("ResultType: %v %v", doc["azure.signinlogs.properties.status.error_code"], doc["azure.signinlogs.result_type"])
	}
	if _, ok := doc["source.ip"]; ok {
		t.Errorf("a malformed ip is indexed")
	}
	if doc["azure.signinlogs.properties.device_detail.is_compliant"] != false {
		t.Errorf("boolean text")
	}
}
