package kusto

import (
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

type emitCase struct {
	name   string
	b      Backend
	q      *translate.Query
	want   string   // exact query text (when err == "")
	err    string   // exact error text
	warns  []string // exact warning messages
	errPos rules.Pos
}

const (
	I = translate.TableSignin
	N = translate.TableNonInteractive
	S = translate.TableServicePrincipal
	M = translate.TableManagedIdentity
)

// emitCases is every exact-output case; validate_test.go also feeds their queries to Kusto.Language.
func emitCases(t testing.TB) []emitCase {
	ua := fld(t, "UserAgent")
	rt := fld(t, "ResultType")
	dur := fld(t, "DurationMs")
	comp := fld(t, "DeviceDetail.isCompliant")
	browser := fld(t, "DeviceDetail.browser")
	ip := fld(t, "IPAddress")
	upn := fld(t, "UserPrincipalName")
	udn := fld(t, "UserDisplayName")
	tg := fld(t, "TimeGenerated")
	inter := fld(t, "IsInteractive")
	errCode := fld(t, "Status.errorCode")
	app := fld(t, "AppId")

	timeM := func(part string, o translate.Op, vals ...translate.Value) *translate.Match {
		m := op(tg, o, vals...)
		m.TimePart = part
		return m
	}
	ref := func(f, r *translate.Field, prefix, suffix, cs bool) *translate.Match {
		return &translate.Match{Field: f, Op: translate.OpFieldRef, Ref: r, RefPrefix: prefix, RefSuffix: suffix, Cased: cs, Pos: pos}
	}

	return []emitCase{
		// strings: each shape, case-insensitive and cased, and under not
		{name: "exact", q: single(eq(ua, pat("Mozilla"))), want: "SigninLogs\n| where UserAgent =~ \"Mozilla\""},
		{name: "exact cased", q: single(cased(eq(ua, pat("Mozilla")))), want: "SigninLogs\n| where UserAgent == \"Mozilla\""},
		{name: "exact not", q: single(not(eq(ua, pat("Mozilla")))), want: "SigninLogs\n| where not(UserAgent =~ \"Mozilla\")"},
		{name: "exact cased not", q: single(not(cased(eq(ua, pat("Mozilla"))))), want: "SigninLogs\n| where not(UserAgent == \"Mozilla\")"},
		{name: "list", q: single(eq(ua, pat("curl"), pat("Wget"))), want: "SigninLogs\n| where UserAgent in~ (\"curl\", \"Wget\")"},
		{name: "list cased", q: single(cased(eq(ua, pat("curl"), pat("Wget")))), want: "SigninLogs\n| where UserAgent in (\"curl\", \"Wget\")"},
		{name: "list not", q: single(not(eq(ua, pat("curl"), pat("Wget")))), want: "SigninLogs\n| where not(UserAgent in~ (\"curl\", \"Wget\"))"},
		{name: "contains", q: single(eq(ua, pat("*python*"))), want: "SigninLogs\n| where UserAgent contains \"python\""},
		{name: "contains cased", q: single(cased(eq(ua, pat("*python*")))), want: "SigninLogs\n| where UserAgent contains_cs \"python\""},
		{name: "contains not", q: single(not(eq(ua, pat("*python*")))), want: "SigninLogs\n| where not(UserAgent contains \"python\")"},
		{name: "startswith", q: single(eq(ua, pat("python*"))), want: "SigninLogs\n| where UserAgent startswith \"python\""},
		{name: "startswith cased", q: single(cased(eq(ua, pat("python*")))), want: "SigninLogs\n| where UserAgent startswith_cs \"python\""},
		{name: "startswith not", q: single(not(eq(ua, pat("python*")))), want: "SigninLogs\n| where not(UserAgent startswith \"python\")"},
		{name: "endswith", q: single(eq(ua, pat("*/1.0"))), want: "SigninLogs\n| where UserAgent endswith \"/1.0\""},
		{name: "endswith cased", q: single(cased(eq(ua, pat("*/1.0")))), want: "SigninLogs\n| where UserAgent endswith_cs \"/1.0\""},
		{name: "endswith not", q: single(not(eq(ua, pat("*/1.0")))), want: "SigninLogs\n| where not(UserAgent endswith \"/1.0\")"},
		{name: "double star contains", q: single(eq(ua, pat("**a**"))), want: "SigninLogs\n| where UserAgent contains \"a\""},
		{name: "any", q: single(eq(ua, pat("*"))), want: "SigninLogs\n| where isnotnull(UserAgent)", warns: []string{absentWarn("UserAgent")}},
		{name: "any not", q: single(not(eq(ua, pat("*")))), want: "SigninLogs\n| where not(isnotnull(UserAgent))", warns: []string{absentWarn("UserAgent")}},
		{name: "any sub-key", q: single(eq(browser, pat("*"))), want: "SigninLogs\n| where isnotnull(DeviceDetail.browser)"},
		{name: "inner star", q: single(eq(ua, pat("Mozilla*Gecko"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?s)^[Mm][Oo][Zz][Ii][Ll][Ll][Aa].*[Gg][Ee][Cc][Kk][Oo]$\""},
		{name: "inner star without k or s", q: single(eq(ua, pat("Mozilla*Chrome"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?is)^Mozilla.*Chrome$\""},
		{name: "inner star cased", q: single(cased(eq(ua, pat("Mozilla*Gecko")))), want: "SigninLogs\n| where UserAgent matches regex @\"(?s)^Mozilla.*Gecko$\""},
		{name: "inner star not", q: single(not(eq(ua, pat("Mozilla*Gecko")))), want: "SigninLogs\n| where not(UserAgent matches regex @\"(?s)^[Mm][Oo][Zz][Ii][Ll][Ll][Aa].*[Gg][Ee][Cc][Kk][Oo]$\")"},
		{name: "question mark", q: single(eq(ua, pat("v?.0*"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?is)^v.\\.0.*$\""},
		{name: "escaped star is literal", q: single(eq(ua, pat(`a\*b`))), want: "SigninLogs\n| where UserAgent =~ \"a*b\""},
		{name: "empty string", q: single(eq(ua, pat(""))), want: "SigninLogs\n| where UserAgent == \"\"", warns: []string{absentWarn("UserAgent")}},
		{name: "mixed list keeps order", q: single(eq(ua, pat("a"), pat("*b*"), pat("c"), pat("d*"), pat("12"))),
			want: "SigninLogs\n| where UserAgent in~ (\"a\", \"c\")\n    or UserAgent contains \"b\"\n    or UserAgent startswith \"d\"\n    or UserAgent == \"12\""},
		{name: "mixed list under and", q: single(and(eq(ua, pat("a"), pat("*b*")), eq(app, pat("x")))),
			want: "SigninLogs\n| where (UserAgent =~ \"a\" or UserAgent contains \"b\")\n    and AppId =~ \"x\""},
		{name: "non-ASCII letter with case", q: single(eq(ua, pat("*Ärger*"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?is)^.*Ärger.*$\""},
		{name: "non-ASCII letter cased", q: single(cased(eq(ua, pat("*Ärger*")))), want: "SigninLogs\n| where UserAgent contains_cs \"Ärger\""},
		{name: "non-ASCII without case", q: single(eq(ua, pat("日本"))), want: "SigninLogs\n| where UserAgent == \"日本\""},
		{name: "quote backslash newline", q: single(eq(ua, pat("a\"b\\\\c\nd'e"))), want: "SigninLogs\n| where UserAgent =~ \"a\\\"b\\\\c\\nd'e\""},
		{name: "trailing backslash", q: single(eq(ua, translate.Value{Kind: rules.ValString, Raw: `C:\`, Segs: []rules.Segment{{Kind: rules.SegLit, Text: `C:\`}}})), want: "SigninLogs\n| where UserAgent =~ \"C:\\\\\""},
		{name: "regex literal with quote", q: single(eq(ua, pat(`*a"b*c`))), want: "SigninLogs\n| where UserAgent matches regex @\"(?is)^.*a\\\"\"b.*c$\""},

		// numbers and booleans
		{name: "ResultType number", q: single(eq(rt, num("50053"))), want: "SigninLogs\n| where ResultType == \"50053\""},
		{name: "ResultType list", q: single(eq(rt, num("50126"), num("50053"))), want: "SigninLogs\n| where ResultType in (\"50126\", \"50053\")"},
		{name: "ResultType leading zero kept", q: single(eq(rt, num("00429"))), want: "SigninLogs\n| where ResultType == \"00429\""},
		{name: "ResultType quoted digits", q: single(eq(rt, pat("0"))), want: "SigninLogs\n| where ResultType == \"0\""},
		{name: "ResultType not", q: single(not(eq(rt, num("0")))), want: "SigninLogs\n| where not(ResultType == \"0\")"},
		{name: "ResultType prefix", q: single(eq(rt, pat("500*"))), want: "SigninLogs\n| where ResultType startswith \"500\""},
		{name: "long column", q: single(eq(dur, num("5"))), want: "SigninLogs\n| where DurationMs == 5"},
		{name: "long column big integer keeps precision", q: single(eq(dur, num("9007199254740993"))), want: "SigninLogs\n| where DurationMs == 9007199254740993"},
		{name: "long column leading zero", q: single(eq(dur, num("00429"))), want: "SigninLogs\n| where DurationMs == 429"},
		{name: "long column list", q: single(eq(dur, num("1"), num("2"))), want: "SigninLogs\n| where DurationMs in (1, 2)"},
		{name: "long column not", q: single(not(eq(dur, num("5")))), want: "SigninLogs\n| where not(coalesce(DurationMs == 5, false))"},
		{name: "long column empty string", q: single(eq(dur, pat(""))), want: "SigninLogs\n| where isnotnull(DurationMs) and tostring(DurationMs) == \"\""},
		{name: "long column regex matching empty", q: single(or(op(dur, translate.OpRegex, re(`^\d*`, "")), eq(ua, pat("x")))),
			want: "SigninLogs\n| where (isnotnull(DurationMs) and tostring(DurationMs) matches regex @\"^\\d*\")\n    or UserAgent =~ \"x\""},
		{name: "long column regex not matching empty", q: single(op(dur, translate.OpRegex, re(`^\d+`, ""))), want: "SigninLogs\n| where tostring(DurationMs) matches regex @\"^\\d+\""},
		{name: "long column string pattern", q: single(eq(dur, pat("5*"))), want: "SigninLogs\n| where tostring(DurationMs) startswith \"5\""},
		{name: "long sub-key", q: single(eq(errCode, num("50053"))), want: "SigninLogs\n| where tolong(Status.errorCode) == 50053"},
		{name: "bool sub-key", q: single(eq(comp, boolean(false))), want: "SigninLogs\n| where tobool(DeviceDetail.isCompliant) == false"},
		{name: "bool sub-key not", q: single(not(eq(comp, boolean(true)))), want: "SigninLogs\n| where not(coalesce(tobool(DeviceDetail.isCompliant) == true, false))"},
		{name: "bool sub-key text column", q: on(eq(comp, boolean(true)), N), want: "AADNonInteractiveUserSignInLogs\n| where tobool(todynamic(DeviceDetail).isCompliant) == true"},
		{name: "string sub-key text column", q: on(eq(browser, pat("Edge*")), N), want: "AADNonInteractiveUserSignInLogs\n| where tostring(todynamic(DeviceDetail).browser) startswith \"Edge\""},
		{name: "bool column", q: single(eq(inter, boolean(true))), want: "SigninLogs\n| where IsInteractive == true"},
		{name: "bool column string value", q: single(eq(inter, pat("yes"))), want: "SigninLogs\n| where tostring(IsInteractive) =~ \"yes\""},

		// comparisons
		{name: "gt long", q: single(op(dur, translate.OpGt, num("100"))), want: "SigninLogs\n| where DurationMs > 100"},
		{name: "gte long not", q: single(not(op(dur, translate.OpGte, num("100")))), want: "SigninLogs\n| where not(coalesce(DurationMs >= 100, false))"},
		{name: "lt string column", q: single(op(rt, translate.OpLt, num("50000"))), want: "SigninLogs\n| where toreal(ResultType) < 50000"},
		{name: "lte string column not", q: single(not(op(rt, translate.OpLte, num("50000")))), want: "SigninLogs\n| where not(coalesce(toreal(ResultType) <= 50000, false))"},
		{name: "gt real value", q: single(op(rt, translate.OpGt, num("1.5"))), want: "SigninLogs\n| where toreal(ResultType) > 1.5"},
		{name: "gt sub-key", q: single(op(errCode, translate.OpGt, num("0"))), want: "SigninLogs\n| where toreal(Status.errorCode) > 0"},

		// regex
		{name: "re", q: single(op(ua, translate.OpRegex, re(`^python-requests/\d+`, ""))), want: "SigninLogs\n| where UserAgent matches regex @\"^python-requests/\\d+\""},
		{name: "re flags", q: single(op(ua, translate.OpRegex, re(`a.b`, "ims"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?ims)a.b\""},
		{name: "re not", q: single(not(op(ua, translate.OpRegex, re(`x`, "i")))), want: "SigninLogs\n| where not(UserAgent matches regex @\"(?i)x\")"},
		{name: "re list", q: single(op(ua, translate.OpRegex, re(`a`, ""), re(`b"c`, ""))), want: "SigninLogs\n| where UserAgent matches regex @\"a\"\n    or UserAgent matches regex @\"b\"\"c\""},
		{name: "re sub-key", q: on(op(browser, translate.OpRegex, re(`Edge`, "")), N), want: "AADNonInteractiveUserSignInLogs\n| where tostring(todynamic(DeviceDetail).browser) matches regex @\"Edge\""},
		{name: "re newline uses escaped literal", q: single(op(ua, translate.OpRegex, re("a\nb", ""))), want: "SigninLogs\n| where UserAgent matches regex \"a\\nb\""},
		{name: "re dollar warns", q: single(op(ua, translate.OpRegex, re(`abc$`, ""))), want: "SigninLogs\n| where UserAgent matches regex @\"abc$\"",
			warns: []string{"`$` in the regex matches only at the very end of the value in RE2 (Kusto); PCRE also matches before a final newline"}},
		{name: "re dollar warns once across legs", q: on(op(rt, translate.OpRegex, re(`^5\d+$`, "")), I, N), want: "union isfuzzy=true\n" +
			"    (SigninLogs\n" +
			"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
			"    | where ResultType matches regex @\"^5\\d+$\"),\n" +
			"    (AADNonInteractiveUserSignInLogs\n" +
			"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
			"    | where ResultType matches regex @\"^5\\d+$\")",
			warns: []string{"`$` in the regex matches only at the very end of the value in RE2 (Kusto); PCRE also matches before a final newline"}},
		{name: "re dollar multiline no warning", q: single(op(ua, translate.OpRegex, re(`abc$`, "m"))), want: "SigninLogs\n| where UserAgent matches regex @\"(?m)abc$\""},
		{name: "re lookahead", q: single(op(ua, translate.OpRegex, re(`a(?=b)`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) has no lookahead or lookbehind (`(?=`)"},
		{name: "re lookbehind", q: single(op(ua, translate.OpRegex, re(`(?<!a)b`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) has no lookahead or lookbehind (`(?<!`)"},
		{name: "re backreference", q: single(op(ua, translate.OpRegex, re(`(a)\1`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) has no backreferences (invalid escape sequence `\\1`)"},
		{name: "re possessive", q: single(op(ua, translate.OpRegex, re(`a++`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) has no possessive quantifiers (invalid nested repetition operator `++`)"},
		{name: "re atomic", q: single(op(ua, translate.OpRegex, re(`(?>a)`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) has no atomic groups (invalid or unsupported Perl syntax `(?>`)"},
		{name: "re backslash Z", q: single(op(ua, translate.OpRegex, re(`a\Z`, ""))), errPos: pos,
			err: "kusto: re is not supported: Kusto's regex engine (RE2) does not know this escape (invalid escape sequence `\\Z`); PCRE's \\Z, \\G, \\K, \\R and backreferences do not exist in RE2"},

		// cidr
		{name: "cidr v4", q: single(op(ip, translate.OpCIDR, cidr("10.0.0.0/8"))), want: "SigninLogs\n| where ipv4_is_in_range(IPAddress, \"10.0.0.0/8\")"},
		{name: "cidr v6 and unmasked", q: single(op(ip, translate.OpCIDR, cidr("10.1.2.3/16"), cidr("fe80::1/64"))),
			want: "SigninLogs\n| where ipv4_is_in_range(IPAddress, \"10.1.0.0/16\")\n    or ipv6_is_in_range(IPAddress, \"fe80::/64\")"},
		{name: "cidr not", q: single(not(op(ip, translate.OpCIDR, cidr("10.0.0.0/8")))), want: "SigninLogs\n| where not(coalesce(ipv4_is_in_range(IPAddress, \"10.0.0.0/8\"), false))"},

		// null and exists
		{name: "null string", q: single(op(ua, translate.OpNull)), want: "SigninLogs\n| where isempty(UserAgent)"},
		{name: "null not", q: single(not(op(ua, translate.OpNull))), want: "SigninLogs\n| where not(isempty(UserAgent))"},
		{name: "null long", q: single(op(dur, translate.OpNull)), want: "SigninLogs\n| where isnull(DurationMs)"},
		{name: "null string sub-key", q: single(op(browser, translate.OpNull)), want: "SigninLogs\n| where isempty(tostring(DeviceDetail.browser))"},
		{name: "null bool sub-key", q: single(op(comp, translate.OpNull)), want: "SigninLogs\n| where isempty(tostring(DeviceDetail.isCompliant))"},
		{name: "exists string", q: single(op(ua, translate.OpExists)), want: "SigninLogs\n| where isnotempty(UserAgent)"},
		{name: "exists bool sub-key text", q: on(op(comp, translate.OpExists), N), want: "AADNonInteractiveUserSignInLogs\n| where isnotempty(tostring(todynamic(DeviceDetail).isCompliant))"},
		{name: "exists not", q: single(not(op(dur, translate.OpExists))), want: "SigninLogs\n| where not(isnotnull(DurationMs))"},

		// fieldref
		{name: "fieldref", q: single(ref(upn, udn, false, false, false)), want: "SigninLogs\n| where tolower(UserPrincipalName) == tolower(UserDisplayName)", warns: []string{refWarn("UserPrincipalName", "UserDisplayName")}},
		{name: "fieldref cased", q: single(ref(upn, udn, false, false, true)), want: "SigninLogs\n| where UserPrincipalName == UserDisplayName", warns: []string{refWarn("UserPrincipalName", "UserDisplayName")}},
		{name: "fieldref contains", q: single(ref(upn, udn, true, true, false)), want: "SigninLogs\n| where tolower(UserPrincipalName) contains_cs tolower(UserDisplayName)", warns: []string{refWarn("UserPrincipalName", "UserDisplayName")}},
		{name: "fieldref startswith cased", q: single(ref(upn, udn, false, true, true)), want: "SigninLogs\n| where UserPrincipalName startswith_cs UserDisplayName", warns: []string{refWarn("UserPrincipalName", "UserDisplayName")}},
		{name: "fieldref endswith not", q: single(not(ref(upn, udn, true, false, false))), want: "SigninLogs\n| where not(tolower(UserPrincipalName) endswith_cs tolower(UserDisplayName))", warns: []string{refWarn("UserPrincipalName", "UserDisplayName")}},
		{name: "fieldref non-string", q: single(ref(dur, errCode, false, false, true)),
			want: "SigninLogs\n| where isnotnull(DurationMs)\n    and isnotnull(Status.errorCode)\n    and tostring(DurationMs) == tostring(Status.errorCode)"},

		// time parts
		{name: "hour", q: single(timeM("hour", translate.OpEq, num("3"))), want: "SigninLogs\n| where datetime_part(\"hour\", TimeGenerated) == 3"},
		{name: "week list", q: single(timeM("week", translate.OpEq, num("1"), num("52"))), want: "SigninLogs\n| where datetime_part(\"week_of_year\", TimeGenerated) in (1, 52)"},
		{name: "month gt not", q: single(not(timeM("month", translate.OpGt, num("6")))), want: "SigninLogs\n| where not(coalesce(datetime_part(\"month\", TimeGenerated) > 6, false))"},
		{name: "day minute year", q: single(and(timeM("day", translate.OpEq, num("1")), timeM("minute", translate.OpLt, num("30")), timeM("year", translate.OpGte, num("2024")))),
			want: "SigninLogs\n| where datetime_part(\"day\", TimeGenerated) == 1\n    and datetime_part(\"minute\", TimeGenerated) < 30\n    and datetime_part(\"year\", TimeGenerated) >= 2024"},

		// precedence and layout
		{name: "and of or", q: single(and(eq(ua, pat("a")), or(eq(app, pat("b")), eq(rt, num("0"))))),
			want: "SigninLogs\n| where UserAgent =~ \"a\"\n    and (AppId =~ \"b\" or ResultType == \"0\")"},
		{name: "or of and", q: single(or(and(eq(ua, pat("a")), eq(app, pat("b"))), eq(rt, num("0")))),
			want: "SigninLogs\n| where (UserAgent =~ \"a\" and AppId =~ \"b\")\n    or ResultType == \"0\""},
		{name: "not of and", q: single(not(and(eq(ua, pat("a")), eq(dur, num("1"))))),
			want: "SigninLogs\n| where not(UserAgent =~ \"a\" and coalesce(DurationMs == 1, false))"},
		{name: "not not", q: single(not(not(eq(dur, num("1"))))), want: "SigninLogs\n| where not(not(DurationMs == 1))"},
		{name: "nested three levels", q: single(and(eq(ua, pat("a")), or(eq(app, pat("b")), and(eq(rt, num("0")), not(or(eq(ua, pat("c")), eq(ua, pat("*d*")))))))),
			want: "SigninLogs\n| where UserAgent =~ \"a\"\n    and (AppId =~ \"b\" or (ResultType == \"0\" and not(UserAgent =~ \"c\" or UserAgent contains \"d\")))"},
		{name: "const true", q: single(&translate.Const{Value: true}), want: "SigninLogs"},

		// tables and unions
		{name: "non-interactive", q: on(eq(rt, num("0")), N), want: "AADNonInteractiveUserSignInLogs\n| where ResultType == \"0\""},
		{name: "union user column (S, M dropped)", q: func() *translate.Query {
			q := on(eq(comp, boolean(false)), I, N)
			q.Tables = append(q.Tables, tbl(S), tbl(M))
			return q
		}(),
			want: "union isfuzzy=true\n" +
				"    (SigninLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where tobool(DeviceDetail.isCompliant) == false),\n" +
				"    (AADNonInteractiveUserSignInLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where tobool(DeviceDetail.isCompliant) == false)"},
		{name: "union four legs, multi-line where, const leg", q: func() *translate.Query {
			w := and(eq(rt, num("0")), or(eq(upn, pat("*admin*")), eq(ip, pat("10.*"))))
			q := on(w, I, N, S, M)
			folded := &translate.And{Args: []translate.Expr{eq(rt, num("0")), eq(ip, pat("10.*"))}}
			q.Legs[2].Where = folded
			q.Legs[3].Where = &translate.Const{Value: true}
			return q
		}(),
			want: "union isfuzzy=true\n" +
				"    (SigninLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where ResultType == \"0\"\n" +
				"        and (UserPrincipalName contains \"admin\" or IPAddress startswith \"10.\")),\n" +
				"    (AADNonInteractiveUserSignInLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where ResultType == \"0\"\n" +
				"        and (UserPrincipalName contains \"admin\" or IPAddress startswith \"10.\")),\n" +
				"    (AADServicePrincipalSignInLogs\n" +
				"    | extend LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies)\n" +
				"    | where ResultType == \"0\"\n" +
				"        and IPAddress startswith \"10.\"),\n" +
				"    (AADManagedIdentitySignInLogs\n" +
				"    | extend LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies))"},
		{name: "single remaining leg of combined uses native types", q: func() *translate.Query {
			q := on(eq(browser, pat("Edge")), N)
			q.Tables = []*translate.Table{tbl(I), tbl(N), tbl(S), tbl(M)}
			return q
		}(), want: "AADNonInteractiveUserSignInLogs\n| where tostring(todynamic(DeviceDetail).browser) =~ \"Edge\""},
		{name: "function", b: Backend{Function: "CombinedSignInLogs"}, q: on(and(eq(rt, num("0")), eq(comp, boolean(false))), I, N, S, M),
			want: "CombinedSignInLogs\n| where ResultType == \"0\"\n    and tobool(DeviceDetail.isCompliant) == false"},
		{name: "function warns on empty-matching value of a partial column", b: Backend{Function: "CombinedSignInLogs"}, q: on(or(eq(upn, pat("")), eq(browser, pat("")), eq(ua, pat("*")), op(upn, translate.OpRegex, re(`^a*$`, "m")), eq(rt, pat(""))), I, N, S, M),
			want: "CombinedSignInLogs\n| where UserPrincipalName == \"\"\n    or (isnotnull(DeviceDetail.browser) and tostring(DeviceDetail.browser) == \"\")\n    or isnotnull(UserAgent)\n    or UserPrincipalName matches regex @\"(?m)^a*$\"\n    or ResultType == \"\"",
			warns: []string{
				"through the workspace function, UserPrincipalName reads as \"\" in the rows of the tables that lack it, so this value also matches them (Sigma: the field is absent there); without the function option the union is exact",
				absentWarn("UserPrincipalName"),
				"through the workspace function, UserAgent reads as \"\" in the rows of the tables that lack it, so this value also matches them (Sigma: the field is absent there); without the function option the union is exact",
				absentWarn("UserAgent"),
				absentWarn("ResultType"),
			}},
		{name: "function needs all four tables", b: Backend{Function: "CombinedSignInLogs"}, q: on(eq(rt, num("0")), I, N),
			want: "union isfuzzy=true\n" +
				"    (SigninLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where ResultType == \"0\"),\n" +
				"    (AADNonInteractiveUserSignInLogs\n" +
				"    | extend Status = todynamic(Status), LocationDetails = todynamic(LocationDetails), ConditionalAccessPolicies = todynamic(ConditionalAccessPolicies), MfaDetail = todynamic(MfaDetail), DeviceDetail = todynamic(DeviceDetail)\n" +
				"    | where ResultType == \"0\")"},

		// errors
		{name: "keyword", q: single(&translate.Keyword{Values: []translate.Value{pat("*mimikatz*")}, Pos: pos}), errPos: pos,
			err: "kusto: keyword search is not supported: Sentinel rows carry no raw event text: `search` and `has` match whole terms, not substrings, and `where * contains` sees only the columns' string forms; match a named field instead"},
		{name: "unknown operator", q: single(op(ua, translate.Op(99), pat("x"))), errPos: pos,
			err: "kusto: Op(99) is not supported: the kusto backend does not know this operator"},
		{name: "compare on bool", q: single(op(comp, translate.OpGt, num("1"))), errPos: pos,
			err: "kusto: gt on field DeviceDetail.isCompliant is not supported: a numeric comparison needs a numeric field"},
		{name: "correlation without rules", q: &translate.Query{Correlation: &translate.Correlation{Type: "event_count", Pos: pos}},
			err: "kusto: correlation without rules"},
		{name: "bad function name", b: Backend{Function: "my func"}, q: on(eq(rt, num("0")), I, N, S, M),
			err: "kusto: function name \"my func\" is not a plain identifier"},
		{name: "no legs", q: &translate.Query{Where: eq(rt, num("0"))}, err: "kusto: query has no table to search"},
	}
}

// absentWarn is the warning for a value matching "" on a plain string column.
func absentWarn(col string) string {
	return "Kusto strings are never null: a row whose " + col + " has no value holds \"\", which this value matches; Sigma does not match an absent field (the two cannot be told apart in Sentinel data)"
}

// refWarn is the warning for a field reference between string columns.
func refWarn(a, b string) string {
	return "Kusto strings are never null: a row whose " + a + " or " + b + " has no value holds \"\" there and is compared as \"\"; Sigma does not match an absent field (the two cannot be told apart in Sentinel data)"
}
