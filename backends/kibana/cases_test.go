package kibana

import (
	"github.com/entrasig/entrasig/translate"
)

// emitCase is one exact expectation of Emit. want is the query text when err is ""; warns are the
// exact warning messages (all at matchPos).
type emitCase struct {
	name  string
	q     *translate.Query
	want  string
	warns []string
	err   string
}

const (
	base  = `data_stream.dataset: "azure.signinlogs" and azure.signinlogs.category: "SignInLogs" and `
	upn   = "azure.signinlogs.properties.user_principal_name"
	errc  = "azure.signinlogs.properties.status.error_code"
	rtype = "azure.signinlogs.result_type"
)

func upnWarn() []string {
	return []string{"Kibana KQL matches UserPrincipalName (" + upn + ") case-sensitively while Sigma matches " +
		"case-insensitively, so values that differ only in case are missed; the esql target translates this exactly"}
}

// opCases covers every operator x cased x not on representative fields.
func opCases() []emitCase {
	return []emitCase{
		{name: "eq/ci/letters", q: single(eq("UserPrincipalName", pat("alice@contoso.com"))),
			want: base + `(` + upn + `: "alice@contoso.com")`, warns: upnWarn()},
		{name: "eq/ci/not", q: single(not(eq("UserPrincipalName", pat("alice@contoso.com")))),
			want: base + `(not ` + upn + `: "alice@contoso.com")`, warns: upnWarn()},
		{name: "eq/cased", q: single(eqCased("UserPrincipalName", pat("Alice@contoso.com"))),
			want: base + `(` + upn + `: "Alice@contoso.com")`},
		{name: "eq/cased/not", q: single(not(eqCased("UserPrincipalName", pat("Alice@contoso.com")))),
			want: base + `(not ` + upn + `: "Alice@contoso.com")`},
		{name: "eq/no-letters", q: single(eq("UserId", pat("0000-1111"))),
			want: base + `(azure.signinlogs.properties.user_id: "0000-1111")`},
		{name: "eq/list", q: single(eq("UserPrincipalName", pat("a@x"), pat("b@x"))),
			want: base + `(` + upn + `: ("a@x" or "b@x"))`, warns: upnWarn()},
		{name: "eq/list/not", q: single(not(eq("UserId", pat("1"), pat("2")))),
			want: base + `(not azure.signinlogs.properties.user_id: ("1" or "2"))`},
		{name: "eq/empty", q: single(eq("UserPrincipalName", pat(""))),
			want: base + `(` + upn + `: "")`},
		{name: "contains/ci", q: single(eq("UserPrincipalName", pat("*admin*"))),
			want: base + `(` + upn + `: *admin*)`, warns: upnWarn()},
		{name: "startswith/cased", q: single(eqCased("UserPrincipalName", pat("Admin*"))),
			want: base + `(` + upn + `: Admin*)`},
		{name: "endswith/cased/not", q: single(not(eqCased("UserPrincipalName", pat("*@Contoso.com")))),
			want: base + `(not ` + upn + `: *@Contoso.com)`},
		{name: "inner-star/escaped-literal-star", q: single(eqCased("UserPrincipalName", pat(`a\*b*c`))),
			want: base + `(` + upn + `: a\*b*c)`},
		{name: "any", q: single(eq("UserPrincipalName", pat("*"))),
			want: base + `(` + upn + `: *)`},
		// A keyword field indexes "", which `f: *` (exists) matches; Sigma's exists excludes it.
		{name: "exists", q: single(mop("UserPrincipalName", translate.OpExists)),
			want: base + `(` + upn + `: (* and not ""))`},
		{name: "exists/not", q: single(not(mop("UserPrincipalName", translate.OpExists))),
			want: base + `(not ` + upn + `: (* and not ""))`},
		{name: "null", q: single(mop("UserPrincipalName", translate.OpNull)),
			want: base + `(not ` + upn + `: (* and not ""))`},
		{name: "null/not", q: single(not(mop("UserPrincipalName", translate.OpNull))),
			want: base + `(not (not ` + upn + `: (* and not "")))`},
		// Numeric fields index no value for "" (coerce), so exists is exact.
		{name: "exists/numeric", q: single(mop("Status.errorCode", translate.OpExists)),
			want: base + `(` + errc + `: *)`},
		{name: "resulttype/number", q: single(eq("ResultType", num("50126"))),
			want: base + `(` + errc + `: 50126)`},
		{name: "resulttype/string-digits", q: single(eq("ResultType", pat("50126"), pat("0"))),
			want: base + `(` + errc + `: (50126 or 0))`},
		{name: "resulttype/leading-zero-is-text", q: single(eq("ResultType", pat("00429"))),
			want: base + `(` + rtype + `: "00429")`},
		{name: "resulttype/startswith", q: single(eq("ResultType", pat("5005*"))),
			want: base + `(` + rtype + `: 5005*)`},
		{name: "resulttype/mixed", q: single(eq("ResultType", pat("50126"), pat("700*"))),
			want: base + `(` + errc + `: 50126 or ` + rtype + `: 700*)`},
		{name: "resulttype/not-mixed", q: single(not(eq("ResultType", pat("50126"), pat("700*")))),
			want: base + `(not (` + errc + `: 50126 or ` + rtype + `: 700*))`},
		{name: "lt", q: single(mop("ResultType", translate.OpLt, num("50000"))), want: base + `(` + errc + ` < 50000)`, warns: rangeWarns("ResultType", errc)},
		{name: "lte", q: single(mop("ResultType", translate.OpLte, num("50000"))), want: base + `(` + errc + ` <= 50000)`, warns: rangeWarns("ResultType", errc)},
		{name: "gt", q: single(mop("AutonomousSystemNumber", translate.OpGt, num("8075"))),
			want:  base + `(azure.signinlogs.properties.autonomous_system_number > 8075)`,
			warns: rangeWarns("AutonomousSystemNumber", "azure.signinlogs.properties.autonomous_system_number")},
		{name: "gte/not", q: single(not(mop("ResultType", translate.OpGte, num("1.5")))),
			want: base + `(not ` + errc + ` >= 1.5)`, warns: rangeWarns("ResultType", errc)},
		{name: "bool/true", q: single(eq("IsInteractive", boolean(true))),
			want:  base + `(azure.signinlogs.properties.is_interactive: true)`,
			warns: boolWarns("IsInteractive", "azure.signinlogs.properties.is_interactive")},
		{name: "bool/false/not", q: single(not(eq("DeviceDetail.isCompliant", boolean(false)))),
			want:  base + `(not azure.signinlogs.properties.device_detail.is_compliant: false)`,
			warns: boolWarns("DeviceDetail.isCompliant", "azure.signinlogs.properties.device_detail.is_compliant")},
		{name: "bool/string", q: single(eq("DeviceDetail.isManaged", pat("False"))),
			want:  base + `(azure.signinlogs.properties.device_detail.is_managed: false)`,
			warns: boolWarns("DeviceDetail.isManaged", "azure.signinlogs.properties.device_detail.is_managed")},
		{name: "ip/eq", q: single(eq("IPAddress", pat("192.0.2.10"))), want: base + `(source.ip: "192.0.2.10")`},
		{name: "ip/eq-v6", q: single(eq("IPAddress", pat("2001:DB8::1"))), want: base + `(source.ip: "2001:DB8::1")`},
		{name: "ip/octet-prefix", q: single(eq("IPAddress", pat("10.*"), pat("192.168.*"))),
			want: base + `(source.ip: ("10.0.0.0/8" or "192.168.0.0/16"))`},
		{name: "cidr/v4", q: single(mop("IPAddress", translate.OpCIDR, cidr("10.0.0.0/8"))),
			want: base + `(source.ip: "10.0.0.0/8")`},
		{name: "cidr/v6-list/not", q: single(not(mop("IPAddress", translate.OpCIDR, cidr("2001:db8::/32"), cidr("fe80::1/10")))),
			want: base + `(not source.ip: ("2001:db8::/32" or "fe80::/10"))`},
	}
}

func boolWarns(f, name string) []string {
	return []string{"Kibana KQL matches " + f + " (" + name + ") as an Elasticsearch boolean, which indexes only true and false " +
		"(the empty string as false, other spellings not at all), so a value that is not a JSON boolean may be read " +
		"differently than Sigma reads it"}
}

func knownWarns(f, name string) []string {
	return []string{"Kibana KQL matches " + f + " (" + name + ") case-sensitively against its known values in their canonical " +
		"spelling, so a value in another spelling is missed; the esql target translates this exactly"}
}

// knownCaseWarns: a pattern on a field with known values is the known values it matches in their
// canonical spelling and the pattern itself, case-sensitively, for the values outside the set.
func knownCaseWarns(f, name string) []string {
	return append(knownWarns(f, name), "Kibana KQL matches "+f+" ("+name+") case-sensitively while Sigma matches case-insensitively, "+
		"so values that differ only in case are missed; the esql target translates this exactly")
}

func rangeWarns(f, name string) []string {
	return []string{"Kibana KQL compares " + f + " as Elastic's integer field " + name + ", which stores a fractional " +
		"value truncated (coerce), so a non-integer value near the bound compares differently"}
}

// enumCases covers canonical spellings and wildcard expansion over known value sets.
func enumCases() []emitCase {
	const risk = "azure.signinlogs.properties.risk_level_during_signin"
	const req = "azure.signinlogs.properties.authentication_requirement"
	return []emitCase{
		{name: "enum/canonical", q: single(eq("RiskLevelDuringSignIn", pat("HIGH"), pat("Medium"))),
			want: base + `(` + risk + `: ("high" or "medium"))`, warns: knownWarns("RiskLevelDuringSignIn", risk)},
		{name: "enum/expand-contains", q: single(eq("AuthenticationRequirement", pat("*factor*"))),
			want:  base + `(` + req + `: ("singleFactorAuthentication" or "multiFactorAuthentication" or *factor*))`,
			warns: knownCaseWarns("AuthenticationRequirement", req)},
		// Expanding a `?` pattern to the known values it matches would miss the values outside the
		// known set it matches, and KQL cannot write the pattern itself.
		{name: "enum/expand-question", q: single(eq("RiskLevelAggregated", pat("?ow"))),
			err: `kibana: wildcard ? in "?ow" on RiskLevelAggregated is not supported: Kibana KQL has no single-character wildcard; use the esql target`},
		{name: "enum/cased-question", q: single(eqCased("RiskLevelAggregated", pat("?OW"))),
			err: `kibana: wildcard ? in "?OW" on RiskLevelAggregated is not supported: Kibana KQL has no single-character wildcard; use the esql target`},
		{name: "enum/cased-no-expansion", q: single(eqCased("AuthenticationRequirement", pat("multi*"))),
			want: base + `(` + req + `: multi*)`},
		{name: "enum/unknown-value-warns", q: single(eq("RiskLevelDuringSignIn", pat("Extreme"))),
			want: base + `(` + risk + `: "Extreme")`,
			warns: []string{"Kibana KQL matches RiskLevelDuringSignIn (" + risk + ") case-sensitively while Sigma matches " +
				"case-insensitively, so values that differ only in case are missed; the esql target translates this exactly"}},
		{name: "enum/expand-prefix", q: single(eq("CrossTenantAccessType", pat("b2b*"))),
			want:  base + `(azure.signinlogs.properties.cross_tenant_access_type: ("b2bCollaboration" or "b2bDirectConnect" or b2b*))`,
			warns: knownCaseWarns("CrossTenantAccessType", "azure.signinlogs.properties.cross_tenant_access_type")},
	}
}

// shapeCases covers precedence, routing and grouping of legs.
func shapeCases() []emitCase {
	a := eqCased("UserId", pat("a"))
	b := eqCased("UserId", pat("b"))
	c := eqCased("AppId", pat("c"))
	d := eqCased("AppId", pat("d"))
	const uid = "azure.signinlogs.properties.user_id"
	const app = "azure.signinlogs.properties.app_id"
	all := `data_stream.dataset: "azure.signinlogs"`
	allCategories := `azure.signinlogs.category: ("SignInLogs" or "NonInteractiveUserSignInLogs" or "ServicePrincipalSignInLogs" or "ManagedIdentitySignInLogs")`
	return []emitCase{
		{name: "and-of-or", q: single(and(a, or(c, d))),
			want: base + `(` + uid + `: "a" and (` + app + `: "c" or ` + app + `: "d"))`},
		{name: "or-of-and", q: single(or(and(a, c), and(b, d))),
			want: base + `((` + uid + `: "a" and ` + app + `: "c") or (` + uid + `: "b" and ` + app + `: "d"))`},
		{name: "not-of-and", q: single(not(and(a, c))),
			want: base + `(not (` + uid + `: "a" and ` + app + `: "c"))`},
		{name: "and-with-not", q: single(and(a, not(c))),
			want: base + `(` + uid + `: "a" and (not ` + app + `: "c"))`},
		{name: "not-not", q: single(not(not(a))),
			want: base + `(not (not ` + uid + `: "a"))`},
		// AD FS sign-ins share the data stream, so even all four kinds keep a category filter.
		{name: "all-four/same", q: legs(c, [4]translate.Expr{c, c, c, c}),
			want: all + ` and ` + allCategories + ` and (` + app + `: "c")`},
		{name: "all-four/true", q: legs(&translate.Const{Value: true}, [4]translate.Expr{
			&translate.Const{Value: true}, &translate.Const{Value: true}, &translate.Const{Value: true}, &translate.Const{Value: true}}),
			want: all + ` and ` + allCategories},
		{name: "two-of-four", q: legs(a, [4]translate.Expr{a, a, nil, nil}),
			want: all + ` and azure.signinlogs.category: ("SignInLogs" or "NonInteractiveUserSignInLogs") and (` + uid + `: "a")`},
		{name: "groups", q: legs(or(a, c), [4]translate.Expr{or(a, c), or(a, c), c, c}),
			want: all + ` and ((azure.signinlogs.category: ("SignInLogs" or "NonInteractiveUserSignInLogs") and (` +
				uid + `: "a" or ` + app + `: "c")) or (azure.signinlogs.category: ("ServicePrincipalSignInLogs" or "ManagedIdentitySignInLogs") and (` +
				app + `: "c")))`},
		{name: "groups/true-leg", q: legs(not(a), [4]translate.Expr{not(a), not(a), &translate.Const{Value: true}, &translate.Const{Value: true}}),
			want: all + ` and ((azure.signinlogs.category: ("SignInLogs" or "NonInteractiveUserSignInLogs") and (not ` +
				uid + `: "a")) or azure.signinlogs.category: ("ServicePrincipalSignInLogs" or "ManagedIdentitySignInLogs"))`},
	}
}

// escapeEmitCases put every hard character through Emit (quoted and unquoted contexts).
func escapeEmitCases() []emitCase {
	const uid = "azure.signinlogs.properties.user_id"
	return []emitCase{
		{name: "esc/quoted", q: single(eqCased("UserId", pat(`a"b\c\*d:e(f)g{h}i<j>k`))),
			want: base + `(` + uid + `: "a\"b\\c*d:e(f)g{h}i<j>k")`},
		{name: "esc/unquoted", q: single(eqCased("UserId", pat(`a"b\c:e(f)g{h}i<j>k\*l*`))),
			want: base + `(` + uid + `: a\"b\\c\:e\(f\)g\{h\}i\<j\>k\*l*)`},
		{name: "esc/trailing-backslash", q: single(eqCased("UserId", pat(`C:\dir\`), pat(`*C:\dir\`))),
			want: base + `(` + uid + `: ("C:\\dir\\" or *C\:\\dir\\))`},
		{name: "esc/keywords", q: single(eqCased("UserId", pat("and"), pat("or*"), pat("*not"), pat("NOT*"))),
			want: base + `(` + uid + `: ("and" or or* or (*not) or NOT*))`},
		{name: "esc/not-ending-before-or", q: single(or(eqCased("UserId", pat("*cannot")), eqCased("AppId", pat("c")))),
			want: base + `(` + uid + `: (*cannot) or azure.signinlogs.properties.app_id: "c")`},
		{name: "esc/newline-quoted", q: single(eqCased("UserId", pat("a\nb\tc"))),
			want: base + `(` + uid + `: "a\nb\tc")`},
		{name: "esc/non-ascii", q: single(eqCased("UserId", pat("zoë*"), pat("名前"))),
			want: base + `(` + uid + `: (zoë* or "名前"))`},
	}
}

// errorCases covers each UnsupportedError message.
func errorCases() []emitCase {
	re := mop("UserPrincipalName", translate.OpRegex, translate.Value{Regex: "a.*"})
	ref := mop("UserPrincipalName", translate.OpFieldRef)
	ref.Ref = field("UserDisplayName")
	hour := mop("TimeGenerated", translate.OpEq, num("3"))
	hour.TimePart = "hour"
	return []emitCase{
		{name: "err/no-elastic-field", q: single(eq("IsRisky", boolean(true))),
			err: "kibana: field IsRisky is not supported: Elastic's azure.signinlogs integration has no field for it; use the kusto target"},
		{name: "err/flattened", q: single(eq("AuthenticationDetails", pat("*Password*"))),
			err: "kibana: field AuthenticationDetails is not supported: Elastic stores it as the flattened field " +
				"azure.signinlogs.properties.authentication_details, which KQL matches leaf value by leaf value " +
				"(across array elements, keys left out), not as the JSON text Sigma compares"},
		{name: "err/text", q: single(eq("Status.failureReason", pat("*MFA*"))),
			err: "kibana: field Status.failureReason is not supported: Elastic keeps it only inside the analysed text field message, " +
				"which KQL matches by tokens, not by the exact value"},
		{name: "err/re", q: single(re), err: "kibana: re is not supported: Kibana KQL has no regular expressions; use the esql target (RLIKE)"},
		{name: "err/fieldref", q: single(ref), err: "kibana: fieldref is not supported: Kibana KQL cannot compare one field with another; use the esql target"},
		{name: "err/keyword", q: single(&translate.Keyword{Values: []translate.Value{pat("*evil*")}, Pos: matchPos}),
			err: "kibana: keyword search is not supported: Kibana KQL free text searches the index's default fields for whole terms or phrases, " +
				"case-sensitively on keyword fields; Sigma's keyword matches any substring of the event, case-insensitively; name the field instead"},
		{name: "err/time", q: single(hour), err: "kibana: time modifier hour is not supported: Kibana KQL cannot extract a part of a date; use the esql target"},
		{name: "err/question", q: single(eq("UserPrincipalName", pat("adm?n*"))),
			err: `kibana: wildcard ? in "adm?n*" on UserPrincipalName is not supported: Kibana KQL has no single-character wildcard; use the esql target`},
		{name: "err/whitespace", q: single(eq("ResultDescription", pat("*Invalid username*"))),
			err: `kibana: pattern "*Invalid username*" on ResultDescription is not supported: Kibana sends a KQL wildcard value as a query_string query ` +
				`when it does not know the field's type (as in detection rules), and query_string splits the value at whitespace into separate terms; use the esql target`},
		{name: "err/ip-pattern", q: single(eq("IPAddress", pat("10.1*"))),
			err: `kibana: pattern "10.1*" on IPAddress is not supported: its Elastic field source.ip is of type ip, which KQL matches by address or CIDR block, ` +
				`not by wildcard; only a prefix of whole IPv4 octets ("10.") has a CIDR form; use cidr or the esql target`},
		{name: "err/ip-not-address", q: single(eq("IPAddress", pat("unknown"))),
			err: `kibana: value "unknown" of IPAddress is not supported: its Elastic field source.ip is of type ip and only holds IP addresses`},
		{name: "err/range-on-keyword", q: single(mop("UserId", translate.OpGt, num("5"))),
			err: "kibana: gt on UserId is not supported: its Elastic field azure.signinlogs.properties.user_id is of type keyword, which KQL ranges compare as text or dates, not numbers"},
		{name: "err/cidr-on-keyword", q: single(mop("UserId", translate.OpCIDR, cidr("10.0.0.0/8"))),
			err: "kibana: cidr on UserId is not supported: its Elastic field azure.signinlogs.properties.user_id is of type keyword, not ip"},
		{name: "err/numeric-text", q: single(eq("AutonomousSystemNumber", pat("AS8075"))),
			err: `kibana: value "AS8075" of AutonomousSystemNumber is not supported: its Elastic field azure.signinlogs.properties.autonomous_system_number is numeric (long) and has no keyword twin for text or wildcard matching`},
		{name: "err/bool-text", q: single(eq("IsInteractive", pat("yes"))),
			err: `kibana: value "yes" of IsInteractive is not supported: its Elastic field azure.signinlogs.properties.is_interactive is boolean and only takes true or false`},
		{name: "err/date", q: single(eq("CreatedDateTime", pat("2024-01-01*"))),
			err: `kibana: value "2024-01-01*" of CreatedDateTime is not supported: its Elastic field azure.signinlogs.properties.created_at is a date, which KQL compares as an instant, not as the text Sigma compares`},
		{name: "err/control", q: single(eq("UserId", pat("a\x01b"))),
			err: `kibana: value "a\x01b" of UserId is not supported: the control character U+0001 has no portable spelling in Kibana KQL`},
		{name: "err/correlation", q: &translate.Query{Correlation: &translate.Correlation{Type: "event_count"}},
			err: "kibana: correlation is not supported: Kibana KQL only filters events and cannot count or group them; use the esql target"},
	}
}

// allEmitCases is every Emit expectation (the validation test parses the non-error ones).
func allEmitCases() []emitCase {
	var all []emitCase
	for _, cs := range [][]emitCase{opCases(), enumCases(), shapeCases(), escapeEmitCases(), errorCases()} {
		all = append(all, cs...)
	}
	return all
}
