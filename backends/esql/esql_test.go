package esql

import (
	"errors"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

func notE(e translate.Expr) translate.Expr { return &translate.Not{Arg: e} }

func andE(args ...translate.Expr) translate.Expr { return &translate.And{Args: args} }

func orE(args ...translate.Expr) translate.Expr { return &translate.Or{Args: args} }

func cased(m *translate.Match) *translate.Match { m.Cased = true; return m }

const upn = "azure.signinlogs.properties.user_principal_name"

// TestWhere checks the predicate part of single-kind (SigninLogs) queries.
func TestWhere(t *testing.T) {
	cat := "azure.signinlogs.category == \"SignInLogs\"\n    and "
	tests := []struct {
		name string
		e    translate.Expr
		want string
	}{
		// equality x cased x not
		{"eq", eq(t, "UserPrincipalName", str("Admin@Tailwind.com")),
			`TO_LOWER(` + upn + `) == "admin@tailwind.com"`},
		// TO_LOWER maps U+212A to k, and a Unicode-folding pushdown matches U+017F for s: neither
		// is a case variant of an ASCII letter, so explicit classes instead.
		{"eq with s and k", eq(t, "UserPrincipalName", str("Sk")),
			upn + ` RLIKE "[Ss][Kk]"`},
		{"eq cased", cased(eq(t, "UserPrincipalName", str("Admin@Contoso.com"))),
			upn + ` == "Admin@Contoso.com"`},
		{"not eq", notE(eq(t, "UserPrincipalName", str("Admin@Tailwind.com"))),
			`NOT COALESCE(TO_LOWER(` + upn + `) == "admin@tailwind.com", false)`},
		{"not eq cased", notE(cased(eq(t, "UserPrincipalName", str("Admin@Contoso.com")))),
			`NOT COALESCE(` + upn + ` == "Admin@Contoso.com", false)`},
		{"eq caseless literal", eq(t, "ClientAppUsed", str("123-456")),
			`azure.signinlogs.properties.client_app_used == "123-456"`},
		// contains / startswith / endswith / inner wildcards
		{"contains", eq(t, "UserPrincipalName", str("*Admin*")),
			`TO_LOWER(` + upn + `) LIKE "*admin*"`},
		{"contains cased", cased(eq(t, "UserPrincipalName", str("*Admin*"))),
			upn + ` LIKE "*Admin*"`},
		{"not contains", notE(eq(t, "UserPrincipalName", str("*Admin*"))),
			`NOT COALESCE(TO_LOWER(` + upn + `) LIKE "*admin*", false)`},
		{"startswith", eq(t, "UserPrincipalName", str("Admin*")),
			`TO_LOWER(` + upn + `) LIKE "admin*"`},
		{"endswith cased", cased(eq(t, "UserPrincipalName", str("*@Contoso.com"))),
			upn + ` LIKE "*@Contoso.com"`},
		{"not startswith cased", notE(cased(eq(t, "UserPrincipalName", str("Admin*")))),
			`NOT COALESCE(` + upn + ` LIKE "Admin*", false)`},
		{"inner wildcards", eq(t, "UserPrincipalName", str("a*b*C")),
			`TO_LOWER(` + upn + `) LIKE "a*b*c"`},
		// TO_LOWER("İ") is two characters, so `?` needs RLIKE.
		{"question mark", eq(t, "UserPrincipalName", str("a?b*C")),
			upn + ` RLIKE "[Aa].[Bb].*[Cc]"`},
		{"question mark cased", cased(eq(t, "UserPrincipalName", str("a?b*C"))),
			upn + ` LIKE "a?b*C"`},
		{"any value", eq(t, "UserPrincipalName", str("*")),
			upn + ` IS NOT NULL`},
		{"any value on long", eq(t, "AutonomousSystemNumber", str("*")),
			`azure.signinlogs.properties.autonomous_system_number IS NOT NULL`},
		{"any value on boolean or false", eq(t, "IsInteractive", boolean(false), str("*")),
			"(\n      azure.signinlogs.properties.is_interactive == false\n      or azure.signinlogs.properties.is_interactive IS NOT NULL\n    )"},
		{"any value on date", notE(eq(t, "TimeGenerated", str("**"))),
			`@timestamp IS NULL`},
		{"not any value", notE(eq(t, "UserPrincipalName", str("*"))),
			upn + ` IS NULL`},
		// lists
		{"list", eq(t, "UserPrincipalName", str("A"), str("b"), str("*C*")),
			"(\n      TO_LOWER(" + upn + ") IN (\"a\", \"b\")\n      or TO_LOWER(" + upn + ") LIKE \"*c*\"\n    )"},
		{"list cased", cased(eq(t, "UserPrincipalName", str("A"), str("b"))),
			upn + ` IN ("A", "b")`},
		{"list mixed caseless", eq(t, "AppId", str("0000-1"), str("Ab")),
			"(\n      azure.signinlogs.properties.app_id == \"0000-1\"\n      or TO_LOWER(azure.signinlogs.properties.app_id) == \"ab\"\n    )"},
		{"not list", notE(eq(t, "AppId", str("x"), str("y"))),
			`NOT COALESCE(TO_LOWER(azure.signinlogs.properties.app_id) IN ("x", "y"), false)`},
		// null / exists / empty
		// A keyword field keeps "" as a value; Sigma's null is absent, null or empty.
		{"null", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpNull},
			`(` + upn + ` IS NULL or ` + upn + ` == "")`},
		{"not null", notE(&translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpNull}),
			`(` + upn + ` IS NOT NULL and ` + upn + ` != "")`},
		{"null on long", &translate.Match{Field: field(t, "AutonomousSystemNumber"), Op: translate.OpNull},
			`azure.signinlogs.properties.autonomous_system_number IS NULL`},
		{"exists on multi-valued", &translate.Match{Field: field(t, "RiskEventTypes"), Op: translate.OpExists},
			`azure.signinlogs.properties.risk_event_types IS NOT NULL`},
		{"exists", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpExists},
			`(` + upn + ` IS NOT NULL and ` + upn + ` != "")`},
		{"not exists", notE(&translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpExists}),
			`(` + upn + ` IS NULL or ` + upn + ` == "")`},
		{"empty", eq(t, "UserPrincipalName", str("")),
			upn + ` == ""`},
		{"not empty", notE(eq(t, "UserPrincipalName", str(""))),
			`NOT COALESCE(` + upn + ` == "", false)`},
		// typed values
		{"error code", eq(t, "ResultType", str("50053")),
			`azure.signinlogs.properties.status.error_code == 50053`},
		{"error code int list", eq(t, "ResultType", num("50053", 50053), num("0", 0)),
			`azure.signinlogs.properties.status.error_code IN (50053, 0)`},
		{"error code leading zero", eq(t, "ResultType", str("00429")),
			`azure.signinlogs.result_type == "00429"`},
		{"error code prefix", eq(t, "ResultType", str("5005*")),
			`azure.signinlogs.result_type LIKE "5005*"`},
		{"error code mixed", eq(t, "ResultType", str("50053"), str("700*")),
			"(\n      azure.signinlogs.properties.status.error_code == 50053\n      or azure.signinlogs.result_type LIKE \"700*\"\n    )"},
		{"not error code", notE(eq(t, "ResultType", str("0"))),
			`NOT COALESCE(azure.signinlogs.properties.status.error_code == 0, false)`},
		{"boolean string", eq(t, "DeviceDetail.isCompliant", str("false")),
			`azure.signinlogs.properties.device_detail.is_compliant == false`},
		{"boolean value", eq(t, "DeviceDetail.isCompliant", boolean(true)),
			`azure.signinlogs.properties.device_detail.is_compliant == true`},
		{"boolean both", eq(t, "DeviceDetail.isManaged", boolean(true), str("FALSE")),
			`azure.signinlogs.properties.device_detail.is_managed IN (false, true)`},
		{"ip", eq(t, "IPAddress", str("1.2.3.4")),
			`source.ip == TO_IP("1.2.3.4")`},
		{"ip list v6", eq(t, "IPAddress", str("1.2.3.4"), str("2001:DB8::1")),
			`source.ip IN (TO_IP("1.2.3.4"), TO_IP("2001:db8::1"))`},
		{"ip wildcard", eq(t, "IPAddress", str("10.1.*")),
			`TO_STRING(source.ip) LIKE "10.1.*"`},
		{"not ip", notE(eq(t, "IPAddress", str("1.2.3.4"))),
			`NOT COALESCE(source.ip == TO_IP("1.2.3.4"), false)`},
		{"cidr", &translate.Match{Field: field(t, "IPAddress"), Op: translate.OpCIDR, Values: []translate.Value{cidr("10.0.0.0/8")}},
			`CIDR_MATCH(source.ip, "10.0.0.0/8")`},
		{"cidr list v6", &translate.Match{Field: field(t, "IPAddress"), Op: translate.OpCIDR, Values: []translate.Value{cidr("10.0.0.0/8"), cidr("2001:db8::/32")}},
			`CIDR_MATCH(source.ip, "10.0.0.0/8", "2001:db8::/32")`},
		{"not cidr", notE(&translate.Match{Field: field(t, "IPAddress"), Op: translate.OpCIDR, Values: []translate.Value{cidr("192.168.0.0/16")}}),
			`NOT COALESCE(CIDR_MATCH(source.ip, "192.168.0.0/16"), false)`},
		// numeric comparisons
		{"gt", &translate.Match{Field: field(t, "ResultType"), Op: translate.OpGt, Values: []translate.Value{num("50000", 50000)}},
			`TO_DOUBLE(azure.signinlogs.result_type) > 50000`},
		{"lte float", &translate.Match{Field: field(t, "ProcessingTimeInMilliseconds"), Op: translate.OpLte, Values: []translate.Value{num("1.5", 1.5)}},
			`azure.signinlogs.properties.processing_time_ms <= 1.5`},
		{"lt keyword", &translate.Match{Field: field(t, "AppId"), Op: translate.OpLt, Values: []translate.Value{num("-3", -3)}},
			`TO_DOUBLE(azure.signinlogs.properties.app_id) < -3`},
		{"not gte", notE(&translate.Match{Field: field(t, "AutonomousSystemNumber"), Op: translate.OpGte, Values: []translate.Value{num("100", 100)}}),
			`NOT COALESCE(azure.signinlogs.properties.autonomous_system_number >= 100, false)`},
		// time modifiers
		{"hour", &translate.Match{Field: field(t, "TimeGenerated"), Op: translate.OpEq, TimePart: "hour", Values: []translate.Value{num("3", 3), num("4", 4)}},
			`DATE_EXTRACT("HOUR_OF_DAY", @timestamp) IN (3, 4)`},
		{"month lt", &translate.Match{Field: field(t, "TimeGenerated"), Op: translate.OpLt, TimePart: "month", Values: []translate.Value{num("6", 6)}},
			`DATE_EXTRACT("MONTH_OF_YEAR", @timestamp) < 6`},
		// fieldref
		{"fieldref", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, Ref: field(t, "AlternateSignInName")},
			`TO_LOWER(` + upn + `) == TO_LOWER(azure.signinlogs.properties.alternate_sign_in_name)`},
		{"fieldref cased", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, Cased: true, Ref: field(t, "AlternateSignInName")},
			upn + ` == azure.signinlogs.properties.alternate_sign_in_name`},
		{"fieldref startswith", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, Cased: true, RefSuffix: true, Ref: field(t, "UserDisplayName")},
			`STARTS_WITH(` + upn + `, azure.signinlogs.properties.user_display_name)`},
		{"fieldref endswith", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, RefPrefix: true, Ref: field(t, "UserDisplayName")},
			`ENDS_WITH(TO_LOWER(` + upn + `), TO_LOWER(azure.signinlogs.properties.user_display_name))`},
		{"fieldref contains", &translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, Cased: true, RefPrefix: true, RefSuffix: true, Ref: field(t, "UserDisplayName")},
			`LOCATE(` + upn + `, azure.signinlogs.properties.user_display_name) > 0`},
		{"fieldref numeric twins", &translate.Match{Field: field(t, "ResultType"), Op: translate.OpFieldRef, Ref: field(t, "AutonomousSystemNumber")},
			`azure.signinlogs.properties.status.error_code == azure.signinlogs.properties.autonomous_system_number`},
		{"not fieldref", notE(&translate.Match{Field: field(t, "UserPrincipalName"), Op: translate.OpFieldRef, Cased: true, Ref: field(t, "AlternateSignInName")}),
			`NOT COALESCE(` + upn + ` == azure.signinlogs.properties.alternate_sign_in_name, false)`},
		// regex
		{"regex", &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`python-requests/\d+`)}},
			`user_agent.original RLIKE ".*python\\-requests\\/[0-9]+.*"`},
		{"regex on error code", &translate.Match{Field: field(t, "ResultType"), Op: translate.OpRegex, Values: []translate.Value{re(`^500(53|126)$`)}},
			`azure.signinlogs.result_type RLIKE "500(53|126)"`},
		{"not regex", notE(&translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`^curl`)}}),
			`NOT COALESCE(user_agent.original RLIKE "curl.*", false)`},
		// precedence
		{"and of or", andE(eq(t, "AppId", str("a")), orE(eq(t, "AppId", str("b")), cased(eq(t, "AppId", str("c"))))),
			`TO_LOWER(azure.signinlogs.properties.app_id) == "a"
    and (
      TO_LOWER(azure.signinlogs.properties.app_id) == "b"
      or azure.signinlogs.properties.app_id == "c"
    )`},
		{"or of and", orE(andE(eq(t, "AppId", str("1")), eq(t, "ResultType", str("0"))), eq(t, "ResultType", str("1"))),
			`(
      (
        azure.signinlogs.properties.app_id == "1"
        and azure.signinlogs.properties.status.error_code == 0
      )
      or azure.signinlogs.properties.status.error_code == 1
    )`},
		{"not and", notE(andE(eq(t, "AppId", str("1")), eq(t, "ResultType", str("0")))),
			`NOT COALESCE(
      (
        azure.signinlogs.properties.app_id == "1"
        and azure.signinlogs.properties.status.error_code == 0
      ),
      false
    )`},
		{"not of total", notE(orE(&translate.Match{Field: field(t, "AppId"), Op: translate.OpNull}, &translate.Match{Field: field(t, "UserId"), Op: translate.OpExists})),
			`NOT (
      (azure.signinlogs.properties.app_id IS NULL or azure.signinlogs.properties.app_id == "")
      or (azure.signinlogs.properties.user_id IS NOT NULL and azure.signinlogs.properties.user_id != "")
    )`},
		{"nested not", notE(andE(eq(t, "AppId", str("1")), notE(eq(t, "ResultType", str("0"))))),
			`NOT COALESCE(
      (
        azure.signinlogs.properties.app_id == "1"
        and NOT COALESCE(azure.signinlogs.properties.status.error_code == 0, false)
      ),
      false
    )`},
		{"multi-value match under and", andE(eq(t, "AppId", str("1"), str("2*")), eq(t, "ResultType", str("0"))),
			"(azure.signinlogs.properties.app_id == \"1\" or azure.signinlogs.properties.app_id LIKE \"2*\")\n    and azure.signinlogs.properties.status.error_code == 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Backend{}.Emit(signin(tt.e))
			if err != nil {
				t.Fatalf("Emit: %v", err)
			}
			mustCheck(t, out.Query)
			got := whereOf(t, out.Query)
			if got != cat+tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, cat+tt.want)
			}
		})
	}
}

// TestEscaping checks the string and LIKE escaping hazards.
func TestEscaping(t *testing.T) {
	tests := []struct {
		name string
		v    translate.Value
		want string
	}{
		{"trailing backslash", str(`dom\`), upn + ` == "dom\\"`},
		{"trailing backslash like", str(`*dom\`), upn + ` LIKE "*dom\\\\"`},
		{"escaped star literal", str(`a\*b`), upn + ` == "a*b"`},
		{"escaped star in like", str(`*a\*b`), upn + ` LIKE "*a\\*b"`},
		{"escaped question in like", str(`a\?b*`), upn + ` LIKE "a\\?b*"`},
		{"quotes", str(`say "hi"`), upn + ` == "say \"hi\""`},
		{"quotes like", str(`*"hi"*`), upn + ` LIKE "*\"hi\"*"`},
		{"newline tab cr", str("a\nb\tc\rd"), upn + ` == "a\nb\tc\rd"`},
		{"empty", str(""), upn + ` == ""`},
		{"non-ascii", str("müller@x.de"), upn + ` == "müller@x.de"`},
		{"pipe and backtick", str("a|b`c"), upn + " == \"a|b`c\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Backend{}.Emit(query(cased(eq(t, "UserPrincipalName", tt.v)), translate.TableSignin))
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, out.Query)
			if got := whereOf(t, out.Query); got != "azure.signinlogs.category == \"SignInLogs\"\n    and "+tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	// Case-insensitive values with non-ASCII cased characters use RLIKE with case-folding classes.
	dn := "azure.signinlogs.properties.user_display_name"
	for in, want := range map[string]string{
		"*MÜLLER*":     dn + ` RLIKE ".*[Mm][Üü][Ll][Ll][Ee][Rr].*"`,
		"İstanbul":     dn + ` RLIKE "İ[Ss][Tt][Aa][Nn][Bb][Uu][Ll]"`,
		"ΟΔΟΣ?":        dn + ` RLIKE "[Οο][Δδ][Οο][Σςσ]."`,
		`é.\*(x)`:      dn + ` RLIKE "[Éé]\\.\\*\\([Xx]\\)"`,
		"café au lait": dn + ` RLIKE "[Cc][Aa][Ff][Éé] [Aa][Uu] [Ll][Aa][Ii][Tt]"`,
	} {
		out, err := Backend{}.Emit(signin(eq(t, "UserDisplayName", str(in))))
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, out.Query)
		if got := whereOf(t, out.Query); got != "azure.signinlogs.category == \"SignInLogs\"\n    and "+want {
			t.Errorf("%q: got  %s\nwant %s", in, got, want)
		}
	}
	// The same values with |cased keep the plain forms.
	out, err := Backend{}.Emit(signin(cased(eq(t, "UserDisplayName", str("*MÜLLER*"), str("ΟΔΟΣ")))))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := whereOf(t, out.Query), "azure.signinlogs.category == \"SignInLogs\"\n    and (\n      azure.signinlogs.properties.user_display_name == \"ΟΔΟΣ\"\n      or azure.signinlogs.properties.user_display_name LIKE \"*MÜLLER*\"\n    )"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestQuoteString(t *testing.T) {
	for in, want := range map[string]string{
		``: `""`, `a`: `"a"`, `\`: `"\\"`, `"`: `"\""`, "\n": `"\n"`, "\r\t": `"\r\t"`, `\*`: `"\\*"`, "é€😀": `"é€😀"`,
	} {
		if got := quoteString(in); got != want {
			t.Errorf("quoteString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{
		"source.ip":                   "source.ip",
		"@timestamp":                  "@timestamp",
		"source.as":                   "source.`as`",
		"a.not.b":                     "a.`not`.b",
		"x.1st":                       "x.`1st`",
		"a.we`ird":                    "a.`we``ird`",
		"_id":                         "_id",
		"azure.signinlogs.properties": "azure.signinlogs.properties",
	} {
		if got := ident(in); got != want {
			t.Errorf("ident(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestRouting checks the data stream and category filters and per-kind grouping.
func TestRouting(t *testing.T) {
	head := "FROM logs-azure.signinlogs-* METADATA _id, _version, _index\n| WHERE data_stream.dataset == \"azure.signinlogs\""
	p := eq(t, "ResultType", str("50053"))
	pUser := eq(t, "UserPrincipalName", str("*admin*"))
	all := translate.SignIn().Tables()
	tests := []struct {
		name string
		q    *translate.Query
		want string
	}{
		{"single kind", query(p, translate.TableSignin),
			head + "\n    and azure.signinlogs.category == \"SignInLogs\"\n    and azure.signinlogs.properties.status.error_code == 50053"},
		{"service principal", query(p, translate.TableServicePrincipal),
			head + "\n    and azure.signinlogs.category == \"ServicePrincipalSignInLogs\"\n    and azure.signinlogs.properties.status.error_code == 50053"},
		{"all four same", query(p, 0, 1, 2, 3),
			head + "\n    and azure.signinlogs.category IN (\"SignInLogs\", \"NonInteractiveUserSignInLogs\", \"ServicePrincipalSignInLogs\", \"ManagedIdentitySignInLogs\")\n    and azure.signinlogs.properties.status.error_code == 50053"},
		{"two same", query(p, 0, 1),
			head + "\n    and azure.signinlogs.category IN (\"SignInLogs\", \"NonInteractiveUserSignInLogs\")\n    and azure.signinlogs.properties.status.error_code == 50053"},
		{"different per table", &translate.Query{Tables: all, Legs: []translate.Leg{
			{Table: all[0], Where: andE(p, pUser)}, {Table: all[1], Where: andE(p, pUser)},
			{Table: all[2], Where: p}, {Table: all[3], Where: p},
		}},
			head + "\n    and (\n      (\n        azure.signinlogs.category IN (\"SignInLogs\", \"NonInteractiveUserSignInLogs\")\n        and azure.signinlogs.properties.status.error_code == 50053\n        and TO_LOWER(azure.signinlogs.properties.user_principal_name) LIKE \"*admin*\"\n      )\n      or (\n        azure.signinlogs.category IN (\"ServicePrincipalSignInLogs\", \"ManagedIdentitySignInLogs\")\n        and azure.signinlogs.properties.status.error_code == 50053\n      )\n    )"},
		{"const true leg", &translate.Query{Tables: all, Legs: []translate.Leg{
			{Table: all[0], Where: notE(pUser)}, {Table: all[2], Where: &translate.Const{Value: true}},
		}},
			head + "\n    and (\n      (\n        azure.signinlogs.category == \"SignInLogs\"\n        and NOT COALESCE(TO_LOWER(azure.signinlogs.properties.user_principal_name) LIKE \"*admin*\", false)\n      )\n      or azure.signinlogs.category == \"ServicePrincipalSignInLogs\"\n    )"},
		{"all four const true", query(&translate.Const{Value: true}, 0, 1, 2, 3),
			head + "\n    and azure.signinlogs.category IN (\"SignInLogs\", \"NonInteractiveUserSignInLogs\", \"ServicePrincipalSignInLogs\", \"ManagedIdentitySignInLogs\")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Backend{}.Emit(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			mustCheck(t, out.Query)
			if out.Query != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.Query, tt.want)
			}
			again, _ := Backend{}.Emit(tt.q)
			if again.Query != out.Query {
				t.Errorf("not deterministic")
			}
		})
	}
}

// TestLongLines checks that long predicates break over lines.
func TestLongLines(t *testing.T) {
	e := notE(orE(
		eq(t, "UserPrincipalName", str("*long-value-one*")),
		eq(t, "AppDisplayName", str("Main Application Name")),
		eq(t, "ResourceDisplayName", str("Another Portal")),
	))
	out, err := Backend{}.Emit(signin(e))
	if err != nil {
		t.Fatal(err)
	}
	mustCheck(t, out.Query)
	want := `azure.signinlogs.category == "SignInLogs"
    and NOT COALESCE(
      (
        TO_LOWER(azure.signinlogs.properties.user_principal_name) LIKE "*long-value-one*"
        or TO_LOWER(azure.signinlogs.properties.app_display_name) == "main application name"
        or TO_LOWER(azure.signinlogs.properties.resource_display_name) == "another portal"
      ),
      false
    )`
	if got := whereOf(t, out.Query); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestUnsupported checks each UnsupportedError.
func TestUnsupported(t *testing.T) {
	pos := rules.Pos{Line: 7, Col: 5}
	tests := []struct {
		name string
		e    translate.Expr
		want string
	}{
		{"no elastic field", eq(t, "IsRisky", str("true")),
			"esql: field IsRisky is not supported: Elastic's azure.signinlogs data stream has no equivalent field"},
		{"flattened", eq(t, "AuthenticationDetails", str("*x*")),
			"esql: field AuthenticationDetails is not supported: Elastic stores it in the flattened field azure.signinlogs.properties.authentication_details, which ES|QL cannot filter on (flattened is an unsupported ES|QL type; sub-keys need the preview FIELD_EXTRACT)"},
		{"merged message", eq(t, "Status.failureReason", str("*x*")),
			"esql: field Status.failureReason is not supported: Elastic merges it into message (\"failureReason (additionalDetails)\"), so no ES|QL comparison on that field has the meaning of Status.failureReason alone"},
		{"keyword", &translate.Keyword{Values: []translate.Value{str("*x*")}},
			"esql: keyword search is not supported: ES|QL has no search over every field of an event (MATCH and QSTR are full-text queries on analyzed fields, not substring matches); name the field to search"},
		{"not a number", eq(t, "AutonomousSystemNumber", str("AS123")),
			"esql: field AutonomousSystemNumber is not supported: the value \"AS123\" is not a number, but AutonomousSystemNumber is the long field azure.signinlogs.properties.autonomous_system_number in Elastic"},
		{"number with leading zero", eq(t, "AutonomousSystemNumber", str("0123")),
			"esql: field AutonomousSystemNumber is not supported: the value \"0123\" is not a number in plain decimal form (its numeric value would not keep the text's meaning), but AutonomousSystemNumber is the long field azure.signinlogs.properties.autonomous_system_number in Elastic"},
		{"wildcard on number", eq(t, "AutonomousSystemNumber", str("12*")),
			"esql: field AutonomousSystemNumber is not supported: the value \"12*\" has wildcards, but AutonomousSystemNumber is the long field azure.signinlogs.properties.autonomous_system_number and has no keyword twin"},
		{"not a boolean", eq(t, "DeviceDetail.isCompliant", str("yes")),
			"esql: field DeviceDetail.isCompliant is not supported: the value \"yes\" is not true or false, but DeviceDetail.isCompliant is the boolean field azure.signinlogs.properties.device_detail.is_compliant in Elastic"},
		{"not an ip", eq(t, "IPAddress", str("localhost")),
			"esql: field IPAddress is not supported: the value \"localhost\" is not an IP address, but IPAddress is the ip field source.ip in Elastic"},
		{"ipv6 wildcard", eq(t, "IPAddress", str("2001:db8:*")),
			"esql: field IPAddress is not supported: a wildcard pattern with `:` would be compared with Elastic's canonical IPv6 text, which can differ from the logged text; use cidr"},
		{"date string", eq(t, "TimeGenerated", str("2024*")),
			"esql: field TimeGenerated is not supported: string matching on the date field @timestamp is not supported by the esql backend"},
		{"cidr on keyword", &translate.Match{Field: field(t, "AppId"), Op: translate.OpCIDR, Values: []translate.Value{cidr("10.0.0.0/8")}},
			"esql: cidr is not supported: field AppId is keyword azure.signinlogs.properties.app_id in Elastic, not an ip field"},
		{"regex on boolean", &translate.Match{Field: field(t, "IsInteractive"), Op: translate.OpRegex, Values: []translate.Value{re("t")}},
			"esql: re is not supported: field IsInteractive is boolean azure.signinlogs.properties.is_interactive in Elastic, and RLIKE needs a keyword field"},
		{"lt on boolean", &translate.Match{Field: field(t, "IsInteractive"), Op: translate.OpLt, Values: []translate.Value{num("1", 1)}},
			"esql: lt is not supported: field IsInteractive is boolean azure.signinlogs.properties.is_interactive in Elastic, not a number"},
		{"week", &translate.Match{Field: field(t, "TimeGenerated"), Op: translate.OpEq, TimePart: "week", Values: []translate.Value{num("3", 3)}},
			"esql: week is not supported: Sigma does not define which week numbering \"week\" means, so no DATE_EXTRACT part is exact"},
		{"time on keyword", &translate.Match{Field: field(t, "AppId"), Op: translate.OpEq, TimePart: "hour", Values: []translate.Value{num("3", 3)}},
			"esql: hour is not supported: field AppId is keyword azure.signinlogs.properties.app_id in Elastic, not a date"},
		{"fieldref types", &translate.Match{Field: field(t, "IsInteractive"), Op: translate.OpFieldRef, Ref: field(t, "AppId")},
			"esql: fieldref is not supported: IsInteractive (boolean azure.signinlogs.properties.is_interactive) and AppId (keyword azure.signinlogs.properties.app_id) cannot be compared as strings in ES|QL"},
		{"fieldref to missing", &translate.Match{Field: field(t, "AppId"), Op: translate.OpFieldRef, Ref: field(t, "IsRisky")},
			"esql: field IsRisky is not supported: Elastic's azure.signinlogs data stream has no equivalent field"},
		{"multi-valued", eq(t, "RiskEventTypes", str("unfamiliarFeatures")),
			"esql: field RiskEventTypes is not supported: Elastic stores it as the multi-valued field azure.signinlogs.properties.risk_event_types, and ES|QL evaluates a comparison on a multi-valued field as null instead of matching any element"},
		{"multi-valued ref", &translate.Match{Field: field(t, "AppId"), Op: translate.OpFieldRef, Ref: field(t, "SignInEventTypes")},
			"esql: field SignInEventTypes is not supported: Elastic stores it as the multi-valued field azure.signinlogs.properties.sign_in_event_types, and ES|QL evaluates a comparison on a multi-valued field as null instead of matching any element"},
		{"regex word boundary", &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`\bcurl\b`)}},
			"esql: re is not supported: word boundaries (\\b, \\B) have no Lucene form"},
		{"regex multiline", &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{{Regex: `^curl`, Multiline: true}}},
			"esql: re is not supported: line anchors (the m flag) have no Lucene form: RLIKE matches the whole value"},
		{"regex inner anchor", &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`a(^b)`)}},
			"esql: re is not supported: `^` is only supported at the start of the regex (Lucene has no anchors)"},
		{"regex lookahead", &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`a(?=b)`)}},
			"esql: re is not supported: the regex does not parse: error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, ok := tt.e.(*translate.Match); ok {
				m.Pos = pos
			}
			_, err := Backend{}.Emit(signin(tt.e))
			var ue *translate.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("want *UnsupportedError, got %v", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
			if ue.Target != "esql" {
				t.Errorf("target %q", ue.Target)
			}
		})
	}
	// Positions come from the Match (or its value).
	m := eq(t, "IsRisky", str("true"))
	m.Pos = pos
	_, err := Backend{}.Emit(signin(m))
	var ue *translate.UnsupportedError
	if errors.As(err, &ue) && ue.Pos != pos {
		t.Errorf("pos %v, want %v", ue.Pos, pos)
	}
}

func TestNameDescribe(t *testing.T) {
	var b translate.Backend = Backend{}
	if b.Name() != "esql" || b.Describe() == "" {
		t.Errorf("Name %q Describe %q", b.Name(), b.Describe())
	}
}

func BenchmarkEmit(b *testing.B) {
	all := translate.SignIn().Tables()
	p := andE(eq(b, "ResultType", str("50053"), str("50126")), notE(eq(b, "UserPrincipalName", str("*admin*"), str("svc-?"))),
		&translate.Match{Field: field(b, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(`python-requests/\d+`)}})
	q := &translate.Query{Tables: all, Legs: []translate.Leg{
		{Table: all[0], Where: p}, {Table: all[1], Where: p},
		{Table: all[2], Where: eq(b, "ResultType", str("50053"), str("50126"))},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Backend{}).Emit(q); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCanonicalNumbers(t *testing.T) {
	for s, want := range map[string][2]bool{
		"0": {true, true}, "-12": {true, true}, "00429": {false, false}, "1.50": {false, false}, "1.05": {false, true}, "1.": {false, false},
		"": {false, false}, "-": {false, false}, "+5": {false, false}, "1e3": {false, false}, "0.5": {false, true}, "-0.5": {false, true},
	} {
		if got := [2]bool{canonicalInt(s), canonicalFloat(s)}; got != want {
			t.Errorf("%q: int,float = %v, want %v", s, got, want)
		}
	}
}
