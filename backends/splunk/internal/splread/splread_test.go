package splread

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
)

const base = `sourcetype="azure:monitor:aad" category=SignInLogs `

func ev(fields string) roundtrip.Event {
	m := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(fields))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		panic(err)
	}
	if _, ok := m["Type"]; !ok {
		m["Type"] = "SigninLogs"
	}
	if _, ok := m["TimeGenerated"]; !ok {
		m["TimeGenerated"] = "2026-11-27T10:00:00Z"
	}
	return roundtrip.Event(m)
}

// TestEvalSemantics pins each operator's case rule, wildcard, escape and null behaviour on exact
// strings.
func TestEvalSemantics(t *testing.T) {
	cases := []struct {
		name, query string
		events      []string
		want        []string
	}{
		{"search value is case-insensitive, whole value", base + `properties.userAgent="Curl"`,
			[]string{`{"UserAgent":"curl"}`, `{"UserAgent":"CURL"}`, `{"UserAgent":"curl/8"}`, `{}`}, []string{"0", "1"}},
		{"star is any run, no single-char wildcard", base + `properties.userAgent="a*c?"`,
			[]string{`{"UserAgent":"abc?"}`, `{"UserAgent":"ac?"}`, `{"UserAgent":"abcd"}`}, []string{"0", "1"}},
		{"quoted escapes decode", base + `properties.userAgent="say \"hi\" C:\\x"`,
			[]string{`{"UserAgent":"say \"hi\" C:\\x"}`, `{"UserAgent":"say \"hi\" C:x"}`}, []string{"0"}},
		{"NOT also selects events without the field", base + `NOT properties.userType="Guest"`,
			[]string{`{"UserType":"guest"}`, `{"UserType":"Member"}`, `{}`}, []string{"1", "2"}},
		{"f=* matches any value, the empty string too", base + `properties.userAgent=*`,
			[]string{`{"UserAgent":""}`, `{"UserAgent":null}`, `{}`, `{"UserAgent":"x"}`}, []string{"0", "3"}},
		{"IN is case-insensitive", base + `properties.userAgent IN ("a", "B*")`,
			[]string{`{"UserAgent":"A"}`, `{"UserAgent":"bee"}`, `{"UserAgent":"c"}`}, []string{"0", "1"}},
		{"search folds ASCII letters with ASCII only", base + `properties.userAgent="risk"`,
			[]string{`{"UserAgent":"RISK"}`, `{"UserAgent":"ri\u017fk"}`, `{"UserAgent":"ris\u212a"}`}, []string{"0"}},
		{"search compares other characters exactly (assumed)", base + `properties.userAgent="é"`,
			[]string{`{"UserAgent":"\u00e9"}`, `{"UserAgent":"\u00c9"}`}, []string{"0"}},
		{"PCRE (?i) in UTF mode folds k with the Kelvin sign", base + `| where match('properties.userAgent', "(?i)^risk\\z")`,
			[]string{`{"UserAgent":"RISK"}`, `{"UserAgent":"ri\u017fk"}`, `{"UserAgent":"ris\u212a"}`}, []string{"0", "1", "2"}},
		{"fold classes do not", base + `| where match('properties.userAgent', "(?s)^[Rr][Ii][Ss][Kk]\\z")`,
			[]string{`{"UserAgent":"RISK"}`, `{"UserAgent":"ri\u017fk"}`, `{"UserAgent":"ris\u212a"}`}, []string{"0"}},
		{"search evaluates OR before AND", base + `properties.userType="a" properties.userAgent="b" OR properties.userAgent="c"`,
			[]string{`{"UserType":"a","UserAgent":"c"}`, `{"UserType":"x","UserAgent":"c"}`}, []string{"0"}},
		{"CIDR value is a range", base + `properties.ipAddress=10.0.0.0/8`,
			[]string{`{"IPAddress":"10.1.2.3"}`, `{"IPAddress":"11.0.0.1"}`, `{"IPAddress":"10.0.0.0/8"}`}, []string{"0"}},
		{"numeric twin from ResultType", base + `properties.status.errorCode IN (50126, 0)`,
			[]string{`{"ResultType":"50126"}`, `{"ResultType":"0"}`, `{"ResultType":"00429"}`, `{"ResultType":"050126"}`}, []string{"0", "1"}},
		{"search comparison is numeric", base + `durationMs>=100`,
			[]string{`{"DurationMs":100}`, `{"DurationMs":99.5}`, `{"DurationMs":"abc"}`}, []string{"0"}},
		{"where match is case-sensitive without (?i)", base + `| where match('properties.userAgent', "(?s)^Curl\\z")`,
			[]string{`{"UserAgent":"Curl"}`, `{"UserAgent":"curl"}`}, []string{"0"}},
		{"match is unanchored", base + `| where match('properties.userAgent', "url")`,
			[]string{`{"UserAgent":"Curl/8"}`, `{"UserAgent":"x"}`}, []string{"0"}},
		{"PCRE $ also matches before a final newline", base + `| where match('properties.userAgent', "a$")`,
			[]string{`{"UserAgent":"a\n"}`, `{"UserAgent":"a\nb"}`, `{"UserAgent":"a"}`}, []string{"0", "2"}},
		{"\\z is the very end", base + `| where match('properties.userAgent', "(?is)^a\\z")`,
			[]string{`{"UserAgent":"a\n"}`, `{"UserAgent":"A"}`}, []string{"1"}},
		{"eval string escapes", base + `| where match('properties.userAgent', "(?s)^a\\x{0a}b\\\\c\\z")`,
			[]string{`{"UserAgent":"a\nb\\c"}`, `{"UserAgent":"a\\nb\\c"}`}, []string{"0"}},
		{"NOT of a null comparison is null", base + `| where NOT match('properties.userAgent', "x")`,
			[]string{`{"UserAgent":"y"}`, `{}`}, []string{"0"}},
		{"guarded NOT keeps missing fields", base + `| where NOT (isnotnull('properties.userAgent') AND match('properties.userAgent', "x"))`,
			[]string{`{"UserAgent":"y"}`, `{}`, `{"UserAgent":"x"}`}, []string{"0", "1"}},
		{"coalesce null test: absent, null, empty", base + `| where coalesce('properties.userAgent', "")==""`,
			[]string{`{"UserAgent":""}`, `{"UserAgent":null}`, `{}`, `{"UserAgent":"x"}`}, []string{"0", "1", "2"}},
		{"cidrmatch", base + `| where cidrmatch("2001:db8::/32", 'properties.ipAddress')`,
			[]string{`{"IPAddress":"2001:db8::1"}`, `{"IPAddress":"2001:db9::1"}`, `{"IPAddress":"bad"}`}, []string{"0"}},
		{"tonumber reads number text only", base + `| where tonumber('properties.userAgent')>5`,
			[]string{`{"UserAgent":"6"}`, `{"UserAgent":"0x10"}`, `{"UserAgent":" 7"}`}, []string{"0"}},
		{"lower fieldref", base + `| where lower('properties.homeTenantId')==lower('properties.resourceTenantId')`,
			[]string{`{"HomeTenantId":"A","ResourceTenantId":"a"}`, `{"HomeTenantId":"A"}`}, []string{"0"}},
		{"bool field as text", base + `properties.isInteractive=true`,
			[]string{`{"IsInteractive":true}`, `{"IsInteractive":false}`, `{"IsInteractive":"TRUE"}`}, []string{"0", "2"}},
		{"multivalue matches any element", base + `properties.riskEventTypes{}="unlikelyTravel"`,
			[]string{`{"RiskEventTypes":"[\"a\",\"unlikelyTravel\"]"}`, `{"RiskEventTypes":"[]"}`}, []string{"0"}},
	}
	for _, c := range cases {
		var evs []roundtrip.Event
		for _, e := range c.events {
			evs = append(evs, ev(e))
		}
		got, err := Eval(c.query, evs)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRead pins read-back meanings on exact strings.
func TestRead(t *testing.T) {
	cases := []struct{ query, want string }{
		{base + `properties.userAgent="a*b\"c"`, `UserAgent ~ /(?is:A.*B"C)/`},
		{base + `NOT properties.userType="Guest"`, `not(UserType ~ /(?i:GUE)[Ss](?i:T)/)`},
		{base + `properties.status.errorCode=50126`, `ResultType ~ /50126/`},
		{base + `durationMs>=100`, `DurationMs >= 100`},
		{base + `properties.ipAddress=10.0.0.0/8`, `IPAddress in 10.0.0.0/8`},
		{base + `| where NOT (isnotnull('properties.userAgent') AND match('properties.userAgent', "(?s)^x\\z"))`, `not(UserAgent ~ /(?s:.*\Ax\z.*)/)`},
		{base + `| where coalesce('properties.userAgent', "")==""`, `UserAgent is null`},
		{base + `| where NOT coalesce('properties.userAgent', "")==""`, `not(UserAgent is null)`},
		{base + `| where isnull('properties.userAgent')`, `not(UserAgent ~ /(?s:.*)/)`},
	}
	for _, c := range cases {
		m, err := Read(c.query)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if got := roundtrip.Format(roundtrip.Normalize(m[0])); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.query, got, c.want)
		}
		for i := 1; i < 4; i++ {
			if m[i] != roundtrip.Const(false) {
				t.Errorf("%s: table %d: %s, want false", c.query, i, roundtrip.Format(m[i]))
			}
		}
	}
}
