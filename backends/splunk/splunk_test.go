package splunk

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

var printCases = flag.Bool("print", false, "print the got values of TestEmit (for reviewing new cases)")

const base = `sourcetype="azure:monitor:aad" category=SignInLogs`

func mt(t testing.TB, f string, op translate.Op, vs ...translate.Value) *translate.Match {
	return &translate.Match{Field: fld(t, f), Op: op, Values: vs, Pos: rules.Pos{Line: 7, Col: 5}}
}

func cased(m *translate.Match) *translate.Match { m.Cased = true; return m }

const upn = "UserPrincipalName"

type emitCase struct {
	name string
	q    *translate.Query
	b    Backend
	want string // exact query, or "error: <message>"
}

func emitCases(t testing.TB) []emitCase {
	eq := func(vs ...translate.Value) *translate.Match { return mt(t, upn, translate.OpEq, vs...) }
	rt := func(vs ...translate.Value) *translate.Match { return mt(t, "ResultType", translate.OpEq, vs...) }
	cmp := func(f string, op translate.Op, v string) *translate.Match { return mt(t, f, op, num(v)) }
	app := func(v string) *translate.Match { return mt(t, "AppDisplayName", translate.OpEq, str(v)) }
	ref := func(casedRef bool) *translate.Match {
		m := mt(t, upn, translate.OpFieldRef)
		m.Ref = fld(t, "AlternateSignInName")
		m.Cased = casedRef
		return m
	}
	q := func(e translate.Expr) *translate.Query { return query(e) }
	cs := []emitCase{
		// OpEq x cased x not: exact
		{"eq", q(eq(str("admin@contoso.com"))), Backend{}, ""},
		{"eq not", q(not(eq(str("admin@contoso.com")))), Backend{}, ""},
		{"eq cased", q(cased(eq(str("admin@contoso.com")))), Backend{}, ""},
		{"eq cased not", q(not(cased(eq(str("admin@contoso.com"))))), Backend{}, ""},
		// startswith / endswith / contains / inner wildcard
		{"startswith", q(eq(pat("adm*"))), Backend{}, ""},
		{"startswith not", q(not(eq(pat("adm*")))), Backend{}, ""},
		{"startswith cased", q(cased(eq(pat("adm*")))), Backend{}, ""},
		{"startswith cased not", q(not(cased(eq(pat("adm*"))))), Backend{}, ""},
		{"endswith", q(eq(pat("*@contoso.com"))), Backend{}, ""},
		{"contains", q(eq(pat("*adm*"))), Backend{}, ""},
		{"contains cased", q(cased(eq(pat("*adm*")))), Backend{}, ""},
		{"inner wildcard", q(eq(pat("a*b"))), Backend{}, ""},
		{"question", q(eq(pat("a?b"))), Backend{}, ""},
		{"question not", q(not(eq(pat("a?b")))), Backend{}, ""},
		{"literal star", q(eq(pat(`a\*b`))), Backend{}, ""},
		{"any", q(eq(pat("*"))), Backend{}, ""},
		{"any not", q(not(eq(pat("*")))), Backend{}, ""},
		{"any cased", q(cased(eq(pat("*")))), Backend{}, ""},
		{"empty", q(eq(str(""))), Backend{}, ""},
		{"empty not", q(not(eq(str("")))), Backend{}, ""},
		// lists
		{"list", q(eq(str("a"), pat("b*"))), Backend{}, ""},
		{"list not", q(not(eq(str("a"), pat("b*")))), Backend{}, ""},
		{"list cased", q(cased(eq(str("a"), pat("b*")))), Backend{}, ""},
		{"list cased not", q(not(cased(eq(str("a"), pat("b*"))))), Backend{}, ""},
		// typed values: ResultType
		{"resulttype int", q(rt(num("50126"))), Backend{}, ""},
		{"resulttype string digits", q(rt(str("50126"))), Backend{}, ""},
		{"resulttype leading zero string", q(rt(str("00429"))), Backend{}, ""},
		{"resulttype leading zero int", q(rt(num("00429"))), Backend{}, ""},
		{"resulttype startswith", q(rt(pat("5005*"))), Backend{}, ""},
		{"resulttype list", q(rt(num("50126"), num("50053"))), Backend{}, ""},
		{"resulttype mixed list", q(rt(num("50126"), pat("700*"))), Backend{}, ""},
		{"resulttype not list", q(not(rt(num("50126"), num("50053")))), Backend{}, ""},
		{"resulttype cased", q(cased(rt(num("50126")))), Backend{}, ""},
		{"resulttype gt", q(cmp("ResultType", translate.OpGt, "50000")), Backend{}, ""},
		{"resulttype gte not", q(not(cmp("ResultType", translate.OpGte, "50000"))), Backend{}, ""},
		{"duration lt", q(cmp("DurationMs", translate.OpLt, "100")), Backend{}, ""},
		{"duration lte", q(cmp("DurationMs", translate.OpLte, "100.5")), Backend{}, ""},
		{"duration eq", q(mt(t, "DurationMs", translate.OpEq, num("100"))), Backend{}, ""},
		{"text field gt", q(cmp("UserType", translate.OpGt, "5")), Backend{}, ""},
		{"text field gt not", q(not(cmp("UserType", translate.OpGt, "5"))), Backend{}, ""},
		{"numeric value on text field", q(eq(num("42"))), Backend{}, ""},
		{"numeric value on text field cased", q(cased(eq(num("42")))), Backend{}, ""},
		// booleans
		{"bool", q(mt(t, "DeviceDetail.isCompliant", translate.OpEq, boolean(true))), Backend{}, ""},
		{"bool not", q(not(mt(t, "DeviceDetail.isCompliant", translate.OpEq, boolean(false)))), Backend{}, ""},
		{"bool cased", q(cased(mt(t, "DeviceDetail.isCompliant", translate.OpEq, boolean(true)))), Backend{}, ""},
		// null / exists
		{"null", q(mt(t, upn, translate.OpNull)), Backend{}, ""},
		{"null not", q(not(mt(t, upn, translate.OpNull))), Backend{}, ""},
		{"exists", q(mt(t, upn, translate.OpExists)), Backend{}, ""},
		{"exists not", q(not(mt(t, upn, translate.OpExists))), Backend{}, ""},
		{"null in where", q(or(mt(t, upn, translate.OpNull), cased(app("X")))), Backend{}, ""},
		{"exists in where not", q(not(or(mt(t, upn, translate.OpExists), cased(app("X"))))), Backend{}, ""},
		// cidr
		{"cidr v4", q(mt(t, "IPAddress", translate.OpCIDR, cidr("10.0.0.0/8"))), Backend{}, ""},
		{"cidr v6", q(mt(t, "IPAddress", translate.OpCIDR, cidr("2001:db8::/32"))), Backend{}, ""},
		{"cidr unmasked", q(mt(t, "IPAddress", translate.OpCIDR, cidr("10.1.2.3/8"))), Backend{}, ""},
		{"cidr list not", q(not(mt(t, "IPAddress", translate.OpCIDR, cidr("10.0.0.0/8"), cidr("192.168.0.0/16")))), Backend{}, ""},
		{"cidr in where", q(or(mt(t, "IPAddress", translate.OpCIDR, cidr("10.0.0.0/8"), cidr("fe80::/10")), cased(app("X")))), Backend{}, ""},
		{"cidr in where not", q(not(or(mt(t, "IPAddress", translate.OpCIDR, cidr("10.0.0.0/8")), cased(app("X"))))), Backend{}, ""},
		// regex
		{"re", q(mt(t, "UserAgent", translate.OpRegex, re(`^python-requests/\d+`))), Backend{}, ""},
		{"re flags", q(mt(t, "UserAgent", translate.OpRegex, translate.Value{Regex: `a.b`, IgnoreCase: true, Multiline: true, DotAll: true})), Backend{}, ""},
		{"re not", q(not(mt(t, "UserAgent", translate.OpRegex, re(`"quoted"|\\`)))), Backend{}, ""},
		{"re backtick", q(mt(t, "UserAgent", translate.OpRegex, re("a`b\\`c"))), Backend{}, ""},
		{"re list", q(mt(t, "UserAgent", translate.OpRegex, re("a"), re("b"))), Backend{}, ""},
		{"re backtick in Q", q(mt(t, "UserAgent", translate.OpRegex, re("\\Qa`b\\E"))), Backend{}, ""},
		// fieldref
		{"fieldref", q(ref(false)), Backend{}, ""},
		{"fieldref cased", q(ref(true)), Backend{}, ""},
		{"fieldref not", q(not(ref(false))), Backend{}, ""},
		{"fieldref startswith", q(func() translate.Expr { m := ref(false); m.RefSuffix = true; return m }()), Backend{}, ""},
		// unsupported constructs
		{"keyword", q(&translate.Keyword{Values: []translate.Value{pat("*evil*")}, Pos: rules.Pos{Line: 9, Col: 3}}), Backend{}, ""},
		{"time part", q(func() translate.Expr { m := cmp("CreatedDateTime", translate.OpEq, "3"); m.TimePart = "hour"; return m }()), Backend{}, ""},
		{"no splunk field", q(mt(t, "IsRisky", translate.OpEq, boolean(true))), Backend{}, ""},
		{"time field", q(mt(t, "TimeGenerated", translate.OpExists)), Backend{}, ""},
		{"multivalue in search", q(mt(t, "RiskEventTypes", translate.OpEq, pat("*unfamiliar*"))), Backend{}, ""},
		{"multivalue in where", q(mt(t, "RiskEventTypes", translate.OpEq, pat("unfamiliar?"))), Backend{}, ""},
		// precedence
		{"and of or", q(and(app("A"), or(eq(str("x")), eq(str("y"))))), Backend{}, ""},
		{"or of and", q(or(app("A"), and(eq(str("x")), mt(t, "ResultType", translate.OpEq, num("0"))))), Backend{}, ""},
		{"not of and", q(not(and(app("A"), eq(str("x"))))), Backend{}, ""},
		{"not of or", q(not(or(app("A"), eq(str("x"))))), Backend{}, ""},
		{"not not", q(not(not(app("A")))), Backend{}, ""},
		{"split search and where", q(and(app("A"), eq(pat("a?b")), not(eq(str("x"))), cased(mt(t, "UserAgent", translate.OpEq, pat("*Go*"))))), Backend{}, ""},
		{"or with one where leaf", q(or(app("A"), eq(pat("a?b")))), Backend{}, ""},
		{"where precedence", q(and(or(cased(app("A")), eq(str("x"))), not(and(cased(app("B")), eq(str("y")))))), Backend{}, ""},
		// routing and base
		{"four tables", query(mt(t, "AppId", translate.OpEq, str("abc")), 0, 1, 2, 3), Backend{}, ""},
		{"const true", query(&translate.Const{Value: true}, 0, 1), Backend{}, ""},
		{"index and macro", q(app("A")), Backend{Index: "azure_logs", Macro: "azure_monitor_aad"}, ""},
		{"index", q(app("A")), Backend{Index: "main"}, ""},
		{"bad index", q(app("A")), Backend{Index: "main OR index=*"}, ""},
		{"bad index upper", q(app("A")), Backend{Index: "Main"}, ""},
		{"bad macro", q(app("A")), Backend{Macro: "x` | delete `"}, ""},
		{"bad macro args", q(app("A")), Backend{Macro: "m(1)"}, ""},
	}
	// legs that differ per table
	legQ := func(where0, where1 translate.Expr) *translate.Query {
		qq := query(where0, 0, 1, 2)
		qq.Legs = []translate.Leg{
			{Table: translate.SignIn().Table(0), Where: where0},
			{Table: translate.SignIn().Table(1), Where: where0},
			{Table: translate.SignIn().Table(2), Where: where1},
		}
		return qq
	}
	cs = append(cs,
		emitCase{"legs differ search", legQ(and(app("A"), eq(str("x"))), app("A")), Backend{}, ""},
		emitCase{"legs differ where", legQ(and(app("A"), eq(pat("x?"))), app("A")), Backend{}, ""},
		emitCase{"legs differ const true", legQ(eq(str("x")), &translate.Const{Value: true}), Backend{}, ""},
		emitCase{"legs differ or", legQ(or(app("A"), eq(str("x"))), app("A")), Backend{}, ""},
	)
	return cs
}

func render(t testing.TB, c emitCase) string {
	got, err := emit(t, c.b, c.q)
	if err != nil {
		return "error: " + err.Error()
	}
	return got
}

func TestEmit(t *testing.T) {
	wants := emitWants()
	for _, c := range emitCases(t) {
		got := render(t, c)
		if *printCases {
			fmt.Printf("\t%q: %q,\n", c.name, got)
			continue
		}
		want, ok := wants[c.name]
		if !ok {
			t.Errorf("%s: no expectation; got\n%s", c.name, got)
			continue
		}
		if got != want {
			t.Errorf("%s:\n got: %s\nwant: %s", c.name, got, want)
		}
	}
}

func TestUnsupportedErrorsAreTyped(t *testing.T) {
	for _, c := range emitCases(t) {
		_, err := c.b.Emit(c.q)
		if err == nil {
			continue
		}
		var ue *translate.UnsupportedError
		isUE := errors.As(err, &ue)
		config := c.b.Validate() != nil
		if isUE == config {
			t.Errorf("%s: error %v: typed=%v, configuration error=%v", c.name, err, isUE, config)
		}
		if isUE && (ue.Target != "splunk" || ue.Construct == "" || ue.Reason == "") {
			t.Errorf("%s: incomplete UnsupportedError %+v", c.name, ue)
		}
		if strings.Contains(err.Error(), "/work/") {
			t.Errorf("%s: error mentions a path: %v", c.name, err)
		}
	}
}
