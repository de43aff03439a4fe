package evaluate

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Builders for hand-made IR.

func field(t testing.TB, name string) *translate.Field {
	t.Helper()
	f := translate.SignIn().Field(name)
	if f == nil {
		t.Fatalf("schema has no field %s", name)
	}
	return f
}

func table(t testing.TB, name string) *translate.Table {
	t.Helper()
	tb := tableByName(name)
	if tb == nil {
		t.Fatalf("no table %s", name)
	}
	return tb
}

func sv(p string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: p, Segs: segs(p)}
}

func iv(raw string) translate.Value {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		panic(err)
	}
	return translate.Value{Kind: rules.ValInt, Raw: raw, Num: n, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func fv(raw string) translate.Value {
	v := iv(raw)
	v.Kind = rules.ValFloat
	return v
}

func bv(b bool) translate.Value {
	raw := strconv.FormatBool(b)
	return translate.Value{Kind: rules.ValBool, Raw: raw, Bool: b, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func match(f *translate.Field, op translate.Op, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: f, Op: op, Values: vals}
}

func cased(m *translate.Match) *translate.Match { m.Cased = true; return m }

func not(e translate.Expr) translate.Expr { return &translate.Not{Arg: e} }

// evt is an interactive sign-in event with the given extra columns (a JSON object body).
func evt(body string) string {
	s := `{"TimeGenerated":"2024-05-06T07:08:09.1234567Z","Type":"SigninLogs"`
	if body != "" {
		s += "," + body
	}
	return s + "}"
}

func compileOne(t testing.TB, e translate.Expr) *Program {
	t.Helper()
	q := &translate.Query{Path: "r.yml", Legs: []translate.Leg{
		{Table: table(t, "SigninLogs"), Where: e},
		{Table: table(t, "AADNonInteractiveUserSignInLogs"), Where: e},
	}}
	p, err := Compile(q)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

func decode(t testing.TB, line string) *Event {
	t.Helper()
	ev, err := DecodeEvent([]byte(line), "")
	if err != nil {
		t.Fatalf("DecodeEvent(%s): %v", line, err)
	}
	return ev
}

type evalCase struct {
	name  string
	expr  translate.Expr
	event string // JSON object (use evt)
	want  bool
}

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, c := range cases {
		p := compileOne(t, c.expr)
		ev := decode(t, c.event)
		if got := p.Match(ev); got != c.want {
			t.Errorf("%s: Match = %v, want %v (event %s, expr %s)", c.name, got, c.want, c.event, translate.Format(c.expr))
		}
		// Evaluating twice gives the same answer (memoized JSON text and parsed columns).
		if got := p.Match(ev); got != c.want {
			t.Errorf("%s: second Match = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestEqStrings(t *testing.T) {
	upn := field(t, "UserPrincipalName")
	ev := evt(`"UserPrincipalName":"Alice@Contoso.com"`)
	runCases(t, []evalCase{
		{"exact folded", match(upn, translate.OpEq, sv("alice@CONTOSO.com")), ev, true},
		{"exact cased mismatch", cased(match(upn, translate.OpEq, sv("alice@CONTOSO.com"))), ev, false},
		{"exact cased", cased(match(upn, translate.OpEq, sv("Alice@Contoso.com"))), ev, true},
		{"not exact", not(match(upn, translate.OpEq, sv("alice@contoso.com"))), ev, false},
		{"not cased mismatch", not(cased(match(upn, translate.OpEq, sv("alice@contoso.com")))), ev, true},
		{"one of values", match(upn, translate.OpEq, sv("bob@x"), sv("*@contoso.com")), ev, true},
		{"none of values", match(upn, translate.OpEq, sv("bob@x"), sv("*@fabrikam.com")), ev, false},
		{"startswith", match(upn, translate.OpEq, sv("ALICE*")), ev, true},
		{"startswith cased", cased(match(upn, translate.OpEq, sv("ALICE*"))), ev, false},
		{"endswith", match(upn, translate.OpEq, sv("*.COM")), ev, true},
		{"contains", match(upn, translate.OpEq, sv("*@conTOSO*")), ev, true},
		{"contains cased", cased(match(upn, translate.OpEq, sv("*@conTOSO*"))), ev, false},
		{"inner wildcard", match(upn, translate.OpEq, sv("a?ice@*.com")), ev, true},
		{"question is one char", match(upn, translate.OpEq, sv("a?ce@*")), ev, false},
		{"literal star", match(upn, translate.OpEq, sv(`alice\*`)), evt(`"UserPrincipalName":"Alice*"`), true},
		{"literal star not wildcard", match(upn, translate.OpEq, sv(`alice\*`)), ev, false},
		{"literal question", match(upn, translate.OpEq, sv(`who\?`)), evt(`"UserPrincipalName":"WHO?"`), true},
		{"literal question not wildcard", match(upn, translate.OpEq, sv(`who\?`)), evt(`"UserPrincipalName":"whom"`), false},
		{"non-ASCII folding", match(upn, translate.OpEq, sv("*jürgen*")), evt(`"UserPrincipalName":"JÜRGEN@x"`), true},
		{"Kelvin sign is not k", match(upn, translate.OpEq, sv("kate@x")), evt(`"UserPrincipalName":"\u212aATE@X"`), false},
		{"non-ASCII case variant", match(upn, translate.OpEq, sv("émile@x")), evt(`"UserPrincipalName":"ÉMILE@X"`), true},
		{"absent", match(upn, translate.OpEq, sv("*")), evt(``), false},
		{"not absent", not(match(upn, translate.OpEq, sv("alice"))), evt(``), true},
		{"JSON null", match(upn, translate.OpEq, sv("*")), evt(`"UserPrincipalName":null`), false},
		{"empty equals empty", match(upn, translate.OpEq, sv("")), evt(`"UserPrincipalName":""`), true},
		{"star matches empty", match(upn, translate.OpEq, sv("*")), evt(`"UserPrincipalName":""`), true},
		{"empty vs absent", match(upn, translate.OpEq, sv("")), evt(``), false},
		{"empty vs value", match(upn, translate.OpEq, sv("")), ev, false},
	})
}

func TestEqNumbersAndBools(t *testing.T) {
	rt := field(t, "ResultType")
	dur := field(t, "DurationMs")
	comp := field(t, "DeviceDetail.isCompliant")
	inter := field(t, "IsInteractive")
	runCases(t, []evalCase{
		{"int vs string column", match(rt, translate.OpEq, iv("50053")), evt(`"ResultType":"50053"`), true},
		{"int vs other text", match(rt, translate.OpEq, iv("50053")), evt(`"ResultType":"050053"`), false},
		{"leading zeros kept as written", match(rt, translate.OpEq, iv("00429")), evt(`"ResultType":"00429"`), true},
		{"leading zeros vs plain text", match(rt, translate.OpEq, iv("00429")), evt(`"ResultType":"429"`), false},
		{"leading zeros vs number", match(rt, translate.OpEq, iv("00429")), evt(`"ResultType":429`), true},
		{"int vs JSON number", match(rt, translate.OpEq, iv("50053")), evt(`"ResultType":50053`), true},
		{"int vs JSON float", match(rt, translate.OpEq, iv("50053")), evt(`"ResultType":50053.0`), true},
		{"int vs other number", match(rt, translate.OpEq, iv("50053")), evt(`"ResultType":50054`), false},
		{"int vs bool", match(rt, translate.OpEq, iv("1")), evt(`"ResultType":true`), false},
		{"int zero", match(rt, translate.OpEq, iv("0")), evt(`"ResultType":"0"`), true},
		{"not int zero", not(match(rt, translate.OpEq, iv("0"))), evt(`"ResultType":"50126"`), true},
		{"big ints exact", match(dur, translate.OpEq, iv("9007199254740993")), evt(`"DurationMs":9007199254740992`), false},
		{"big ints equal", match(dur, translate.OpEq, iv("9007199254740993")), evt(`"DurationMs":9007199254740993`), true},
		{"float vs number", match(dur, translate.OpEq, fv("1.5")), evt(`"DurationMs":1.50`), true},
		{"float vs string text", match(dur, translate.OpEq, fv("1.5")), evt(`"DurationMs":"1.50"`), false},
		{"string pattern vs number text", match(dur, translate.OpEq, sv("12*")), evt(`"DurationMs":1234`), true},
		{"numeric string on numeric field", match(dur, translate.OpEq, sv("120")), evt(`"DurationMs":120.0`), true},
		{"numeric string on string field is text", match(rt, translate.OpEq, sv("50053")), evt(`"ResultType":50053.0`), false},
		{"string on string column", match(rt, translate.OpEq, sv("50053")), evt(`"ResultType":"50053"`), true},
		{"bool vs bool", match(inter, translate.OpEq, bv(true)), evt(`"IsInteractive":true`), true},
		{"bool vs other bool", match(inter, translate.OpEq, bv(true)), evt(`"IsInteractive":false`), false},
		{"bool vs string", match(inter, translate.OpEq, bv(false)), evt(`"IsInteractive":"False"`), true},
		{"bool vs number", match(inter, translate.OpEq, bv(true)), evt(`"IsInteractive":1`), false},
		{"bool sub-key object", match(comp, translate.OpEq, bv(true)), evt(`"DeviceDetail":{"isCompliant":true}`), true},
		{"bool sub-key text", match(comp, translate.OpEq, bv(true)), evt(`"DeviceDetail":"{\"isCompliant\":true}"`), true},
		{"bool sub-key text false", match(comp, translate.OpEq, bv(true)), evt(`"DeviceDetail":"{\"isCompliant\":false}"`), false},
		{"string pattern vs bool", match(comp, translate.OpEq, sv("TRUE")), evt(`"DeviceDetail":{"isCompliant":true}`), true},
	})
}

func TestDynamic(t *testing.T) {
	trust := field(t, "DeviceDetail.trustType")
	city := field(t, "LocationDetails.city")
	status := field(t, "Status")
	geo := &translate.Field{Name: "LocationDetails.geoCoordinates.latitude", Column: "LocationDetails", Path: []string{"geoCoordinates", "latitude"}, Type: translate.TypeReal}
	cap := field(t, "ConditionalAccessPolicies")
	capResult := &translate.Field{Name: "ConditionalAccessPolicies.result", Column: "ConditionalAccessPolicies", Path: []string{"result"}, Type: translate.TypeString}
	runCases(t, []evalCase{
		{"object sub-key", match(trust, translate.OpEq, sv("azure ad joined")), evt(`"DeviceDetail":{"trustType":"Azure AD joined"}`), true},
		{"text sub-key", match(trust, translate.OpEq, sv("azure ad joined")), evt(`"DeviceDetail":"{\"trustType\":\"Azure AD joined\"}"`), true},
		{"sub-key case-sensitive", match(trust, translate.OpEq, sv("*")), evt(`"DeviceDetail":{"TrustType":"x"}`), false},
		{"missing sub-key is null", match(trust, translate.OpNull), evt(`"DeviceDetail":{"browser":"Edge"}`), true},
		{"missing sub-key in text is null", match(trust, translate.OpNull), evt(`"DeviceDetail":"{}"`), true},
		{"empty text column is null", match(trust, translate.OpNull), evt(`"DeviceDetail":""`), true},
		{"text that is not JSON is null", match(trust, translate.OpNull), evt(`"DeviceDetail":"not json"`), true},
		{"text with trailing data is null", match(trust, translate.OpNull), evt(`"DeviceDetail":"{\"trustType\":\"x\"} x"`), true},
		{"present sub-key not null", match(trust, translate.OpNull), evt(`"DeviceDetail":{"trustType":"x"}`), false},
		{"empty sub-key is null", match(trust, translate.OpNull), evt(`"DeviceDetail":{"trustType":""}`), true},
		{"empty sub-key equals empty", match(trust, translate.OpEq, sv("")), evt(`"DeviceDetail":{"trustType":""}`), true},
		{"nested path", match(geo, translate.OpGt, fv("47.5")), evt(`"LocationDetails":{"geoCoordinates":{"latitude":47.61,"longitude":-122.3}}`), true},
		{"nested path through text", match(geo, translate.OpGt, fv("47.5")), evt(`"LocationDetails":"{\"geoCoordinates\":{\"latitude\":47.61}}"`), true},
		{"path through a scalar", match(geo, translate.OpNull), evt(`"LocationDetails":{"geoCoordinates":5}`), true},
		{"path through an array is null", match(capResult, translate.OpNull), evt(`"ConditionalAccessPolicies":[{"result":"failure"}]`), true},
		{"city", match(city, translate.OpEq, sv("redmond")), evt(`"LocationDetails":{"city":"Redmond"}`), true},
		{"whole object as JSON text", match(status, translate.OpEq, sv(`{"errorCode":0,"failureReason":"a<b"}`)), evt(`"Status":{"failureReason":"a<b","errorCode":0}`), true},
		{"whole object contains", match(status, translate.OpEq, sv(`*"errorCode":50053*`)), evt(`"Status":{"errorCode":50053}`), true},
		{"whole text column as given", match(status, translate.OpEq, sv(`*"errorCode": 50053*`)), evt(`"Status":"{\"errorCode\": 50053}"`), true},
		{"whole array", match(cap, translate.OpEq, sv(`*"displayName":"Block legacy"*`)), evt(`"ConditionalAccessPolicies":[{"displayName":"Block legacy","result":"success"}]`), true},
	})
}

func TestRegex(t *testing.T) {
	ua := field(t, "UserAgent")
	re := func(expr string, flags string) translate.Value {
		return translate.Value{Kind: rules.ValString, Raw: expr, Regex: expr,
			IgnoreCase: strings.Contains(flags, "i"), Multiline: strings.Contains(flags, "m"), DotAll: strings.Contains(flags, "s")}
	}
	ev := evt(`"UserAgent":"python-requests/2.31\nline two"`)
	runCases(t, []evalCase{
		{"unanchored", match(ua, translate.OpRegex, re(`requests/\d`, "")), ev, true},
		{"case-sensitive by default", match(ua, translate.OpRegex, re(`REQUESTS`, "")), ev, false},
		{"i flag", match(ua, translate.OpRegex, re(`REQUESTS`, "i")), ev, true},
		{"no m flag: $ is end of text", match(ua, translate.OpRegex, re(`2\.31$`, "")), ev, false},
		{"m flag: $ is end of line", match(ua, translate.OpRegex, re(`2\.31$`, "m")), ev, true},
		{"m flag: ^ is start of line", match(ua, translate.OpRegex, re(`^line`, "m")), ev, true},
		{"no s flag: dot stops at newline", match(ua, translate.OpRegex, re(`31.line`, "")), ev, false},
		{"s flag: dot matches newline", match(ua, translate.OpRegex, re(`31.line`, "s")), ev, true},
		{"all flags", match(ua, translate.OpRegex, re(`^LINE TWO$`, "ims")), ev, true},
		{"one of regexes", match(ua, translate.OpRegex, re(`^curl`, ""), re(`^python`, "")), ev, true},
		{"absent", match(ua, translate.OpRegex, re(`.*`, "")), evt(``), false},
		{"empty string", match(ua, translate.OpRegex, re(`^$`, "")), evt(`"UserAgent":""`), true},
		{"not regex", not(match(ua, translate.OpRegex, re(`^curl`, ""))), ev, true},
	})
}

func TestCIDR(t *testing.T) {
	ip := field(t, "IPAddress")
	pv := func(s string) translate.Value {
		return translate.Value{Kind: rules.ValString, Raw: s, Prefix: netip.MustParsePrefix(s)}
	}
	runCases(t, []evalCase{
		{"v4 in", match(ip, translate.OpCIDR, pv("10.0.0.0/8")), evt(`"IPAddress":"10.20.30.40"`), true},
		{"v4 out", match(ip, translate.OpCIDR, pv("10.0.0.0/8")), evt(`"IPAddress":"11.0.0.1"`), false},
		{"v4 unmasked prefix", match(ip, translate.OpCIDR, pv("192.168.1.77/24")), evt(`"IPAddress":"192.168.1.5"`), true},
		{"v4 one of", match(ip, translate.OpCIDR, pv("10.0.0.0/8"), pv("172.16.0.0/12")), evt(`"IPAddress":"172.31.255.255"`), true},
		{"v6 in", match(ip, translate.OpCIDR, pv("2001:db8::/32")), evt(`"IPAddress":"2001:DB8:1::5"`), true},
		{"v6 out", match(ip, translate.OpCIDR, pv("2001:db8::/32")), evt(`"IPAddress":"2001:db9::1"`), false},
		{"v4 address, v6 prefix", match(ip, translate.OpCIDR, pv("::/0")), evt(`"IPAddress":"10.0.0.1"`), false},
		{"v4-mapped v6 is not in a v4 prefix", match(ip, translate.OpCIDR, pv("10.0.0.0/8")), evt(`"IPAddress":"::ffff:10.0.0.1"`), false},
		{"not an address", match(ip, translate.OpCIDR, pv("0.0.0.0/0")), evt(`"IPAddress":"localhost"`), false},
		{"address with spaces", match(ip, translate.OpCIDR, pv("0.0.0.0/0")), evt(`"IPAddress":" 10.0.0.1"`), false},
		{"empty", match(ip, translate.OpCIDR, pv("0.0.0.0/0")), evt(`"IPAddress":""`), false},
		{"absent", match(ip, translate.OpCIDR, pv("0.0.0.0/0")), evt(``), false},
		{"not in", not(match(ip, translate.OpCIDR, pv("10.0.0.0/8"))), evt(`"IPAddress":"8.8.8.8"`), true},
	})
}

func TestCompare(t *testing.T) {
	dur := field(t, "DurationMs")
	rt := field(t, "ResultType")
	runCases(t, []evalCase{
		{"gt number", match(dur, translate.OpGt, iv("100")), evt(`"DurationMs":101`), true},
		{"gt equal", match(dur, translate.OpGt, iv("100")), evt(`"DurationMs":100`), false},
		{"gte equal", match(dur, translate.OpGte, iv("100")), evt(`"DurationMs":100.0`), true},
		{"lt", match(dur, translate.OpLt, iv("100")), evt(`"DurationMs":99.5`), true},
		{"lte equal", match(dur, translate.OpLte, iv("100")), evt(`"DurationMs":1e2`), true},
		{"lte above", match(dur, translate.OpLte, iv("100")), evt(`"DurationMs":100.01`), false},
		{"numeric string", match(rt, translate.OpGte, iv("50000")), evt(`"ResultType":"50053"`), true},
		{"negative numeric string", match(rt, translate.OpLt, iv("0")), evt(`"ResultType":"-1"`), true},
		{"non-numeric string", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":"abc"`), false},
		{"NaN string", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":"NaN"`), false},
		{"hex string", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":"0x10"`), false},
		{"padded string", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":" 5"`), false},
		{"empty string", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":""`), false},
		{"bool", match(rt, translate.OpGte, iv("0")), evt(`"ResultType":true`), false},
		{"absent", match(dur, translate.OpGte, iv("0")), evt(``), false},
		{"huge number", match(dur, translate.OpGt, iv("1")), evt(`"DurationMs":1e400`), true},
		{"not gt", not(match(dur, translate.OpGt, iv("100"))), evt(``), true},
	})
}

func TestNullAndExists(t *testing.T) {
	upn := field(t, "UserPrincipalName")
	dur := field(t, "DurationMs")
	null := match(upn, translate.OpNull)
	exists := match(upn, translate.OpExists)
	runCases(t, []evalCase{
		{"null: absent", null, evt(``), true},
		{"null: JSON null", null, evt(`"UserPrincipalName":null`), true},
		{"null: empty string", null, evt(`"UserPrincipalName":""`), true},
		{"null: blank is a value", null, evt(`"UserPrincipalName":" "`), false},
		{"null: value", null, evt(`"UserPrincipalName":"a"`), false},
		{"exists: absent", exists, evt(``), false},
		{"exists: JSON null", exists, evt(`"UserPrincipalName":null`), false},
		{"exists: empty string", exists, evt(`"UserPrincipalName":""`), false},
		{"exists: value", exists, evt(`"UserPrincipalName":"a"`), true},
		{"exists: zero", match(dur, translate.OpExists), evt(`"DurationMs":0`), true},
		{"exists: false", match(field(t, "IsInteractive"), translate.OpExists), evt(`"IsInteractive":false`), true},
		{"exists: empty object", match(field(t, "DeviceDetail"), translate.OpExists), evt(`"DeviceDetail":{}`), true},
		{"not null", not(null), evt(`"UserPrincipalName":"a"`), true},
	})
}

func TestFieldRef(t *testing.T) {
	upn := field(t, "UserPrincipalName")
	alt := field(t, "AlternateSignInName")
	ref := func(prefix, suffix, cs bool) *translate.Match {
		return &translate.Match{Field: upn, Op: translate.OpFieldRef, Ref: alt, RefPrefix: prefix, RefSuffix: suffix, Cased: cs}
	}
	runCases(t, []evalCase{
		{"equal folded", ref(false, false, false), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"bob@x"`), true},
		{"equal cased", ref(false, false, true), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"bob@x"`), false},
		{"different", ref(false, false, false), evt(`"UserPrincipalName":"bob@x","AlternateSignInName":"bob@y"`), false},
		{"startswith", ref(false, true, false), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"bob"`), true},
		{"startswith no", ref(false, true, false), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"x"`), false},
		{"endswith", ref(true, false, false), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"@x"`), true},
		{"endswith cased", ref(true, false, true), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"@x"`), false},
		{"contains", ref(true, true, false), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"OB@"`), true},
		{"contains cased", ref(true, true, true), evt(`"UserPrincipalName":"Bob@X","AlternateSignInName":"OB@"`), false},
		{"ref absent", ref(false, false, false), evt(`"UserPrincipalName":"a"`), false},
		{"field absent", ref(false, false, false), evt(`"AlternateSignInName":"a"`), false},
		{"both empty", ref(false, false, false), evt(`"UserPrincipalName":"","AlternateSignInName":""`), true},
		{"number vs string text", &translate.Match{Field: field(t, "ResultType"), Op: translate.OpFieldRef, Ref: field(t, "DurationMs")}, evt(`"ResultType":"50","DurationMs":50`), true},
	})
}

func TestTimeParts(t *testing.T) {
	tg := field(t, "TimeGenerated")
	cdt := field(t, "CreatedDateTime")
	part := func(f *translate.Field, p string, op translate.Op, vals ...translate.Value) *translate.Match {
		m := match(f, op, vals...)
		m.TimePart = p
		return m
	}
	at := func(ts string, extra string) string {
		s := `{"TimeGenerated":"` + ts + `","Type":"SigninLogs"`
		if extra != "" {
			s += "," + extra
		}
		return s + "}"
	}
	runCases(t, []evalCase{
		{"minute", part(tg, "minute", translate.OpEq, iv("8")), at("2024-05-06T07:08:09Z", ""), true},
		{"hour", part(tg, "hour", translate.OpEq, iv("7")), at("2024-05-06T07:08:09Z", ""), true},
		{"hour in UTC", part(tg, "hour", translate.OpEq, iv("23")), at("2024-05-06T01:30:00+02:00", ""), true},
		{"day in UTC", part(tg, "day", translate.OpEq, iv("5")), at("2024-05-06T01:30:00+02:00", ""), true},
		{"month", part(tg, "month", translate.OpEq, iv("5")), at("2024-05-06T07:08:09Z", ""), true},
		{"year", part(tg, "year", translate.OpEq, iv("2024")), at("2024-05-06T07:08:09Z", ""), true},
		{"week", part(tg, "week", translate.OpEq, iv("19")), at("2024-05-06T07:08:09Z", ""), true},
		{"ISO week 53 of the previous year", part(tg, "week", translate.OpEq, iv("53")), at("2021-01-03T12:00:00Z", ""), true},
		{"ISO week 1 in December", part(tg, "week", translate.OpEq, iv("1")), at("2024-12-30T12:00:00Z", ""), true},
		{"one of hours", part(tg, "hour", translate.OpEq, iv("1"), iv("2"), iv("7")), at("2024-05-06T07:08:09Z", ""), true},
		{"hour gte", part(tg, "hour", translate.OpGte, iv("22")), at("2024-05-06T07:08:09Z", ""), false},
		{"hour lt", part(tg, "hour", translate.OpLt, iv("8")), at("2024-05-06T07:08:09Z", ""), true},
		{"other field", part(cdt, "month", translate.OpEq, iv("12")), at("2024-05-06T07:08:09Z", `"CreatedDateTime":"2023-12-31T23:59:59.9999999Z"`), true},
		{"other field absent", part(cdt, "month", translate.OpEq, iv("12")), at("2024-05-06T07:08:09Z", ``), false},
		{"other field not a date", part(cdt, "month", translate.OpEq, iv("12")), at("2024-05-06T07:08:09Z", `"CreatedDateTime":"yesterday"`), false},
	})
}

func TestKeywords(t *testing.T) {
	kw := func(cs bool, vals ...string) *translate.Keyword {
		k := &translate.Keyword{Cased: cs}
		for _, v := range vals {
			k.Values = append(k.Values, sv("*"+v+"*"))
		}
		return k
	}
	ev := evt(`"UserAgent":"AzureHound/2.0","ResultType":"50053","DurationMs":1234,"DeviceDetail":{"browser":"Edge 120","isCompliant":false},"Status":"{\"failureReason\":\"Locked out\"}"`)
	runCases(t, []evalCase{
		{"top-level string", kw(false, "azurehound"), ev, true},
		{"cased", kw(true, "azurehound"), ev, false},
		{"cased exact case", kw(true, "AzureHound"), ev, true},
		{"number column", kw(false, "123"), ev, true},
		{"nested value of an object column", kw(false, "edge 1"), ev, true},
		{"nested value of a JSON text column", kw(false, "locked out"), ev, true},
		{"keys are searched too", kw(false, "iscompliant"), ev, true},
		{"table name", kw(false, "signinlogs"), ev, true},
		{"no match", kw(false, "mimikatz"), ev, false},
		{"one of", kw(false, "mimikatz", "50053"), ev, true},
		{"pattern inside keyword", &translate.Keyword{Values: []translate.Value{sv("*hound/?.0*")}}, ev, true},
		{"not keyword", not(kw(false, "mimikatz")), ev, true},
	})
}

func TestBooleanStructure(t *testing.T) {
	upn := field(t, "UserPrincipalName")
	rt := field(t, "ResultType")
	a := match(upn, translate.OpEq, sv("*@contoso.com"))
	b := match(rt, translate.OpEq, iv("0"))
	c := match(rt, translate.OpEq, iv("50126"))
	ev := evt(`"UserPrincipalName":"x@contoso.com","ResultType":"50126"`)
	runCases(t, []evalCase{
		{"and false", &translate.And{Args: []translate.Expr{a, b}}, ev, false},
		{"and true", &translate.And{Args: []translate.Expr{a, c}}, ev, true},
		{"or", &translate.Or{Args: []translate.Expr{b, c}}, ev, true},
		{"or none", &translate.Or{Args: []translate.Expr{b, not(a)}}, ev, false},
		{"a and (b or c)", &translate.And{Args: []translate.Expr{a, &translate.Or{Args: []translate.Expr{b, c}}}}, ev, true},
		{"not (a and c)", not(&translate.And{Args: []translate.Expr{a, c}}), ev, false},
		{"const true", &translate.Const{Value: true}, ev, true},
		{"const false", &translate.Const{Value: false}, ev, false},
	})
}

func TestLegs(t *testing.T) {
	rt := field(t, "ResultType")
	q := &translate.Query{Legs: []translate.Leg{
		{Table: table(t, "SigninLogs"), Where: match(rt, translate.OpEq, iv("0"))},
		{Table: table(t, "AADServicePrincipalSignInLogs"), Where: &translate.Const{Value: true}},
	}}
	p, err := Compile(q)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		want bool
	}{
		{`{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"SigninLogs","ResultType":"0"}`, true},
		{`{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"SigninLogs","ResultType":"1"}`, false},
		{`{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"AADServicePrincipalSignInLogs"}`, true},
		{`{"TimeGenerated":"2024-01-01T00:00:00Z","Type":"AADNonInteractiveUserSignInLogs","ResultType":"0"}`, false}, // not routed
	}
	for _, tt := range tests {
		if got := p.Match(decode(t, tt.line)); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.line, got, tt.want)
		}
	}
	if got := p.Match(&Event{}); got {
		t.Errorf("event without a table matched")
	}
}

func TestCompileErrors(t *testing.T) {
	ua := field(t, "UserAgent")
	tests := []struct {
		name string
		q    *translate.Query
		want string
	}{
		{"regex RE2 cannot compile", &translate.Query{Path: "rules/x.yml", Legs: []translate.Leg{{Table: table(t, "SigninLogs"),
			Where: &translate.Match{Field: ua, Op: translate.OpRegex, Pos: rules.Pos{Line: 7, Col: 9},
				Values: []translate.Value{{Kind: rules.ValString, Raw: `x(?=y)`, Regex: `x(?=y)`, Pos: rules.Pos{Line: 8, Col: 15}}}}}}},
			"rules/x.yml:8:15: UserAgent|re: the regular expression \"x(?=y)\" cannot be evaluated (RE2 syntax): invalid or unsupported Perl syntax: `(?=`"},
		{"backreference", &translate.Query{Path: "rules/x.yml", Legs: []translate.Leg{{Table: table(t, "SigninLogs"),
			Where: &translate.Match{Field: ua, Op: translate.OpRegex, Pos: rules.Pos{Line: 7, Col: 9},
				Values: []translate.Value{{Kind: rules.ValString, Raw: `(a)\1`, Regex: `(a)\1`}}}}}},
			"rules/x.yml:7:9: UserAgent|re: the regular expression \"(a)\\\\1\" cannot be evaluated (RE2 syntax): invalid escape sequence: `\\1`"},
		{"correlation", &translate.Query{Path: "c.yml", Correlation: &translate.Correlation{Type: "event_count", Pos: rules.Pos{Line: 3, Col: 5}}},
			"c.yml:3:5: correlation: timespan 0s is not positive"},
		{"placeholder", &translate.Query{Path: "p.yml", Legs: []translate.Leg{{Table: table(t, "SigninLogs"),
			Where: &translate.Match{Field: ua, Op: translate.OpEq, Pos: rules.Pos{Line: 2, Col: 3},
				Values: []translate.Value{{Kind: rules.ValString, Raw: "%x%", Segs: []rules.Segment{{Kind: rules.SegPlaceholder, Text: "x"}}}}}}}},
			"p.yml:2:3: UserAgent: placeholder %x% was not expanded by translation"},
		{"unknown time part", &translate.Query{Path: "p.yml", Legs: []translate.Leg{{Table: table(t, "SigninLogs"),
			Where: &translate.Match{Field: field(t, "TimeGenerated"), Op: translate.OpEq, TimePart: "second", Values: []translate.Value{iv("1")}}}}},
			"p.yml: TimeGenerated: unknown time part \"second\""},
		{"nil query", nil, "nil query"},
		{"every error once, in order", &translate.Query{Path: "m.yml", Legs: []translate.Leg{
			{Table: table(t, "SigninLogs"), Where: &translate.Or{Args: []translate.Expr{
				&translate.Match{Field: ua, Op: translate.OpRegex, Values: []translate.Value{
					{Regex: `a(?=b)`, Pos: rules.Pos{Line: 3, Col: 7}}, {Regex: `ok`}, {Regex: `(x)\1`, Pos: rules.Pos{Line: 4, Col: 7}}}},
				&translate.Match{Field: ua, Op: translate.OpEq, Values: []translate.Value{{Kind: rules.ValNull, Raw: "null", Pos: rules.Pos{Line: 5, Col: 9}}}},
			}}},
			{Table: table(t, "AADNonInteractiveUserSignInLogs"), Where: &translate.Match{Field: ua, Op: translate.OpRegex, Values: []translate.Value{
				{Regex: `a(?=b)`, Pos: rules.Pos{Line: 3, Col: 7}}}}},
		}}, "m.yml:3:7: UserAgent|re: the regular expression \"a(?=b)\" cannot be evaluated (RE2 syntax): invalid or unsupported Perl syntax: `(?=`\n" +
			"m.yml:4:7: UserAgent|re: the regular expression \"(x)\\\\1\" cannot be evaluated (RE2 syntax): invalid escape sequence: `\\1`\n" +
			"m.yml:5:9: UserAgent: value \"null\" of kind null cannot be compared for equality"},
		{"nil expression", &translate.Query{Path: "p.yml", Legs: []translate.Leg{{Table: table(t, "SigninLogs")}}},
			"p.yml: missing expression"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.q)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		var ce *CompileError
		if !errors.As(err, &ce) {
			t.Errorf("%s: error is %T, want *CompileError", tt.name, err)
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, err, tt.want)
		}
	}
}

func TestEventText(t *testing.T) {
	ev := decode(t, evt(`"ResultType":"0","DurationMs":12.50,"DeviceDetail":"{\"trustType\":\"Hybrid\"}","Status":{"b":1,"a":"<&>"}`))
	tests := []struct {
		field  string
		want   string
		wantOK bool
	}{
		{"ResultType", "0", true},
		{"DurationMs", "12.50", true},
		{"DeviceDetail.trustType", "Hybrid", true},
		{"Status", `{"a":"<&>","b":1}`, true},
		{"UserPrincipalName", "", false},
		{"TimeGenerated", "2024-05-06T07:08:09.1234567Z", true},
	}
	for _, tt := range tests {
		got, ok := ev.Text(field(t, tt.field))
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("Text(%s) = %q, %v; want %q, %v", tt.field, got, ok, tt.want, tt.wantOK)
		}
	}
}

// everyConstruct compiles a program that uses every operator on plain, sub-key and whole-object
// fields, for robustness tests.
func everyConstruct(t testing.TB) *Program {
	rt, ip, ua := field(t, "ResultType"), field(t, "IPAddress"), field(t, "UserAgent")
	trust, loc, tg := field(t, "DeviceDetail.trustType"), field(t, "LocationDetails"), field(t, "TimeGenerated")
	hour := match(tg, translate.OpGte, iv("3"))
	hour.TimePart = "hour"
	args := []translate.Expr{
		match(rt, translate.OpEq, iv("50053"), sv("5*"), bv(true), fv("1.5")),
		match(trust, translate.OpEq, sv("*a?b*")),
		match(loc, translate.OpEq, sv(`*"city"*`)),
		match(ua, translate.OpRegex, translate.Value{Kind: rules.ValString, Regex: `(?:py|cu)`, IgnoreCase: true}),
		match(ip, translate.OpCIDR, translate.Value{Kind: rules.ValString, Prefix: netip.MustParsePrefix("1.2.3.0/24")}),
		match(rt, translate.OpGt, iv("0")),
		match(trust, translate.OpNull),
		match(loc, translate.OpExists),
		&translate.Match{Field: ua, Op: translate.OpFieldRef, Ref: trust, RefPrefix: true},
		hour,
		&translate.Keyword{Values: []translate.Value{sv("*x?y*")}},
	}
	return compileOne(t, not(&translate.Or{Args: []translate.Expr{&translate.And{Args: args[:6]}, &translate.And{Args: args[6:]}}}))
}
