package kqlread

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
	"github.com/entrasig/entrasig/translate"
)

func TestUnquote(t *testing.T) {
	for _, c := range []struct{ tok, want, err string }{
		{`"a\\b"`, `a\b`, ""},
		{`"say \"hi\""`, `say "hi"`, ""},
		{`'it\'s'`, `it's`, ""},
		{`"a\nb\tc\rd"`, "a\nb\tc\rd", ""},
		{`"\u0000\u001f\u007f"`, "\x00\x1f\x7f", ""},
		{`"trailing\\"`, `trailing\`, ""},
		{`"Zoë ‮"`, "Zoë \u202e", ""},
		{`@"C:\Windows\"`, `C:\Windows\`, ""},
		{`@"say ""hi"""`, `say "hi"`, ""},
		{`@'it''s'`, `it's`, ""},
		{`"\x41"`, "", "unknown escape"},
		{`"\u12"`, "", "short"},
	} {
		got, err := Unquote(c.tok)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Unquote(%s) = %q, %v; want error %q", c.tok, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", c.tok, got, err, c.want)
		}
	}
}

func TestParseShapes(t *testing.T) {
	for _, q := range []string{
		"SigninLogs\n| where UserAgent =~ \"a\" and not(coalesce(toreal(ResultType) > 5, false))",
		"union isfuzzy=true\n    (SigninLogs\n    | extend DeviceDetail = todynamic(DeviceDetail)\n    | where tostring(DeviceDetail['odd key']) in~ (\"a\", \"b\"))",
		"let threshold = -1.5;\nSigninLogs\n| summarize EventCount = count() by TimeGenerated = bin(TimeGenerated, 10m), ['a b'] = UserId\n| where EventCount >= threshold",
		"SigninLogs\n| sort by UserId asc, TimeGenerated asc\n| extend s1 = row_cumsum(a0, UserId != prev(UserId))",
		"SigninLogs\n| summarize x = max(iff(r0, 1, 0)) + max(iff(r1, 1, 0)) by TimeGenerated = bin_at(TimeGenerated, 7d, datetime(1970-01-01))",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	for _, q := range []string{"SigninLogs | where a matches b", "SigninLogs | where x == null", "SigninLogs | where a == \"x"} {
		if _, err := Parse(q); err == nil {
			t.Errorf("%s parsed", q)
		}
	}
}

func ev(fields string) roundtrip.Event {
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(fields))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	if _, ok := m["TimeGenerated"]; !ok {
		m["TimeGenerated"] = "2026-11-27T10:00:00Z"
	}
	if _, ok := m["Type"]; !ok {
		m["Type"] = "SigninLogs"
	}
	return roundtrip.Event(m)
}

// TestEvalOperators checks each operator's documented rule on exact values.
func TestEvalOperators(t *testing.T) {
	evs := []roundtrip.Event{
		ev(`{"UserAgent": "Python-Requests/2.0"}`), // 0
		ev(`{"UserAgent": "python-requeſts/2.0"}`), // 1: U+017F: not ASCII
		ev(`{"UserAgent": ""}`),                    // 2
		ev(`{}`),                                   // 3: absent string column reads ""
		ev(`{"UserAgent": "ZOË"}`),                 // 4
		ev(`{"UserAgent": "a-b c", "Type": "AADManagedIdentitySignInLogs"}`), // 5: other table
	}
	for _, c := range []struct {
		where string
		want  []string
	}{
		{`UserAgent == "python-requests/2.0"`, nil},
		{`UserAgent =~ "python-requests/2.0"`, []string{"0"}},
		{`UserAgent contains "REQUESTS"`, []string{"0"}},
		{`UserAgent contains_cs "Requests"`, []string{"0"}},
		{`UserAgent startswith "python"`, []string{"0", "1"}},
		{`UserAgent endswith "/2.0"`, []string{"0", "1"}},
		{`UserAgent =~ "zoë"`, nil}, // ASCII-only folding: Ë is not ë
		{`UserAgent matches regex "(?i)zoë"`, []string{"4"}},
		{`UserAgent matches regex "requests"`, nil},
		{`UserAgent matches regex "(?i)requests"`, []string{"0", "1"}}, // RE2 (?i) folds ſ
		{`UserAgent in~ ("zoë", "PYTHON-REQUESTS/2.0")`, []string{"0"}},
		{`isempty(UserAgent)`, []string{"2", "3"}},
		{`isnotnull(UserAgent)`, []string{"0", "1", "2", "3", "4"}},
		{`UserAgent == ""`, []string{"2", "3"}},
	} {
		got, err := Eval("SigninLogs\n| where "+c.where, evs)
		if err != nil {
			t.Errorf("%s: %v", c.where, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.where, got, c.want)
		}
	}
}

// TestEvalNull checks null propagation: where drops null, not(null) is null, coalesce makes it
// false, properties of absent keys are null and tostring(null) is "".
func TestEvalNull(t *testing.T) {
	evs := []roundtrip.Event{
		ev(`{"DeviceDetail": {"isCompliant": true, "browser": ""}, "ResultType": "50125.5", "IPAddress": "10.1.2.3"}`), // 0
		ev(`{"DeviceDetail": "{\"isCompliant\": false}", "ResultType": "x", "IPAddress": "::1"}`),                      // 1: JSON text
		ev(`{"DeviceDetail": "not json", "IPAddress": "nope"}`),                                                        // 2
		ev(`{"DeviceDetail": {"isCompliant": 0}}`),                                                                     // 3: tobool(0) is false
	}
	for _, c := range []struct {
		where string
		want  []string
	}{
		{`tobool(DeviceDetail.isCompliant) == false`, []string{"1", "3"}},
		{`not(tobool(DeviceDetail.isCompliant) == false)`, []string{"0"}},
		{`not(coalesce(tobool(DeviceDetail.isCompliant) == false, false))`, []string{"0", "2"}},
		{`isempty(tostring(DeviceDetail.browser))`, []string{"0", "1", "2", "3"}},
		{`isnotnull(DeviceDetail.browser)`, []string{"0"}},
		{`toreal(ResultType) > 50125`, []string{"0"}},
		{`ipv4_is_in_range(IPAddress, "10.0.0.0/8")`, []string{"0"}},
		{`not(ipv4_is_in_range(IPAddress, "10.0.0.0/8"))`, nil},
		{`not(coalesce(ipv4_is_in_range(IPAddress, "10.0.0.0/8"), false))`, []string{"1", "2", "3"}},
		{`ipv6_is_in_range(IPAddress, "::/0")`, []string{"0", "1"}},
	} {
		got, err := Eval("SigninLogs\n| where "+c.where, evs)
		if err != nil {
			t.Errorf("%s: %v", c.where, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.where, got, c.want)
		}
	}
}

// TestEvalNullColumns checks Options.NullColumns: a named string column with no value (absent or
// JSON null) is a null string that matches no string operator (so not() of one is true, as Sigma's
// not of a failed match), is empty and null; a column it does not name still reads "".
func TestEvalNullColumns(t *testing.T) {
	evs := []roundtrip.Event{
		ev(`{"UserAgent": "ab", "UserDisplayName": "ab"}`), // 0
		ev(`{"UserAgent": "", "UserDisplayName": ""}`),     // 1: present ""
		ev(`{}`), // 2: absent
		ev(`{"UserAgent": null, "UserDisplayName": null}`),                                       // 3: JSON null
		ev(`{"UserAgent": "x", "UserDisplayName": "y", "Type": "AADManagedIdentitySignInLogs"}`), // 4: other table
	}
	o := Options{NullColumns: map[string]bool{"UserAgent": true}}
	for _, c := range []struct {
		where     string
		kusto, nc []string // plain Eval, EvalWith(o)
	}{
		{`UserAgent == ""`, []string{"1", "2", "3"}, []string{"1"}},
		{`UserAgent =~ ""`, []string{"1", "2", "3"}, []string{"1"}},
		{`not(UserAgent =~ "")`, []string{"0"}, []string{"0", "2", "3"}},
		{`UserAgent contains ""`, []string{"0", "1", "2", "3"}, []string{"0", "1"}},
		{`UserAgent startswith_cs ""`, []string{"0", "1", "2", "3"}, []string{"0", "1"}},
		{`UserAgent matches regex "^$"`, []string{"1", "2", "3"}, []string{"1"}},
		{`UserAgent in~ ("", "x")`, []string{"1", "2", "3"}, []string{"1"}},
		{`isempty(UserAgent)`, []string{"1", "2", "3"}, []string{"1", "2", "3"}},
		{`isnotempty(UserAgent)`, []string{"0"}, []string{"0"}},
		{`isnotnull(UserAgent)`, []string{"0", "1", "2", "3"}, []string{"0", "1"}},
		{`tolower(UserAgent) == tolower(UserDisplayName)`, []string{"0", "1", "2", "3"}, []string{"0", "1"}},
		{`not(tolower(UserAgent) == tolower(UserDisplayName))`, nil, []string{"2", "3"}},
		{`tostring(UserAgent) == ""`, []string{"1", "2", "3"}, []string{"1", "2", "3"}},
		// A column the option does not name reads "" as Kusto has it.
		{`UserDisplayName == ""`, []string{"1", "2", "3"}, []string{"1", "2", "3"}},
		{`isnotnull(UserDisplayName)`, []string{"0", "1", "2", "3"}, []string{"0", "1", "2", "3"}},
	} {
		for _, run := range []struct {
			o    Options
			want []string
		}{{Options{}, c.kusto}, {o, c.nc}} {
			got, err := EvalWith("SigninLogs\n| where "+c.where, evs, run.o)
			if err != nil {
				t.Errorf("%s: %v", c.where, err)
				continue
			}
			if !slices.Equal(got, run.want) {
				t.Errorf("%s (null columns %v): got %v, want %v", c.where, run.o.NullColumns, got, run.want)
			}
		}
	}
	// The rows differ only in the named column.
	sig := translate.SignIn().Table(translate.TableSignin)
	plain, relaxed := EventRow(evs[2], sig), eventRow(evs[2], sig, o)
	for col, v := range plain {
		if col == "UserAgent" {
			if w := relaxed[col]; w.Kind != KString || !w.Null {
				t.Errorf("UserAgent: got %+v, want a null string", w)
			}
			continue
		}
		if w := relaxed[col]; w != v {
			t.Errorf("%s: relaxed %+v, plain %+v", col, w, v)
		}
	}
	if len(relaxed) != len(plain) {
		t.Errorf("relaxed row has %d columns, plain %d", len(relaxed), len(plain))
	}
}

func TestReadAtoms(t *testing.T) {
	m, err := Read("SigninLogs\n| where UserAgent =~ \"ab\"\n    and not(coalesce(toreal(ResultType) > 5, false))")
	if err != nil {
		t.Fatal(err)
	}
	if got := roundtrip.Format(roundtrip.Normalize(m[translate.TableSignin])); got != "(UserAgent ~ /(?i:AB)/ and not(ResultType > 5))" {
		t.Errorf("got %s", got)
	}
	for _, bad := range []string{
		"SigninLogs\n| where not(toreal(ResultType) > 5)",                            // null under not
		"SigninLogs\n| where DeviceDetail.isCompliant == true",                       // property without tobool
		"AADServicePrincipalSignInLogs\n| where UserPrincipalName == \"a\"",          // column the table lacks
		"AADNonInteractiveUserSignInLogs\n| where tostring(DeviceDetail.x) == \"a\"", // text column without todynamic
		"SigninLogs\n| where UserAgent has \"a\"",
	} {
		if _, err := Read(bad); err == nil {
			t.Errorf("read %q", bad)
		}
	}
}
