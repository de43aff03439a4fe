package translate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
)

// builder makes hand-written rules ASTs with distinct positions: every field match gets the next
// line, its key at column 5, its values at column 20, 21, ...
type builder struct{ line int }

// segs parses a value by Sigma's wildcard and escape rules.
func segs(raw string) []rules.Segment { return rules.ParseSegments(raw, false) }

// v builds a value from a Go value: string (Sigma pattern), int, float64, bool, nil; a string
// starting with "%" and ending with "%" is a placeholder; rawInt("00429") keeps the text.
func v(x any) *rules.Value {
	switch x := x.(type) {
	case string:
		if len(x) > 2 && x[0] == '%' && x[len(x)-1] == '%' {
			return &rules.Value{Kind: rules.ValString, Raw: x, Segs: []rules.Segment{{Kind: rules.SegPlaceholder, Text: x[1 : len(x)-1]}}}
		}
		return &rules.Value{Kind: rules.ValString, Raw: x, Segs: segs(x)}
	case int:
		s := fmt.Sprint(x)
		return &rules.Value{Kind: rules.ValInt, Raw: s, Segs: []rules.Segment{{Kind: rules.SegLit, Text: s}}}
	case rawInt:
		return &rules.Value{Kind: rules.ValInt, Raw: string(x), Segs: []rules.Segment{{Kind: rules.SegLit, Text: string(x)}}}
	case float64:
		s := fmt.Sprint(x)
		return &rules.Value{Kind: rules.ValFloat, Raw: s, Segs: []rules.Segment{{Kind: rules.SegLit, Text: s}}}
	case bool:
		s := fmt.Sprint(x)
		return &rules.Value{Kind: rules.ValBool, Raw: s, Bool: x, Segs: []rules.Segment{{Kind: rules.SegLit, Text: s}}}
	case nil:
		return &rules.Value{Kind: rules.ValNull, Raw: "null"}
	}
	panic(fmt.Sprintf("v(%T)", x))
}

type rawInt string

// f builds `key: values` (a YAML list when there is more than one value).
func (b *builder) f(key string, vals ...any) *rules.FieldMatch {
	b.line++
	parts := strings.Split(key, "|")
	fm := &rules.FieldMatch{Field: parts[0], Key: key, Pos: rules.Pos{Line: b.line, Col: 5}, IsList: len(vals) > 1}
	col := 5 + len(parts[0])
	for _, m := range parts[1:] {
		col++
		fm.Modifiers = append(fm.Modifiers, rules.Modifier{Name: m, Written: m, Pos: rules.Pos{Line: b.line, Col: col}})
		col += len(m)
	}
	for i, x := range vals {
		val := v(x)
		val.Pos = rules.Pos{Line: b.line, Col: 20 + i}
		fm.Values = append(fm.Values, val)
	}
	return fm
}

func (b *builder) sel(name string, fms ...*rules.FieldMatch) *rules.Search {
	return &rules.Search{Name: name, Kind: rules.SearchMap, Maps: [][]*rules.FieldMatch{fms}}
}

func (b *builder) list(name string, maps ...[]*rules.FieldMatch) *rules.Search {
	return &rules.Search{Name: name, Kind: rules.SearchMapList, Maps: maps}
}

func (b *builder) kw(name string, mods string, vals ...any) *rules.Search {
	fm := b.f("|"+mods, vals...)
	fm.Field, fm.Key = "", ""
	if mods == "" {
		fm.Modifiers = nil
	}
	return &rules.Search{Name: name, Kind: rules.SearchKeywords, Keywords: fm}
}

func id(n string) rules.Cond { return &rules.CondIdent{Name: n, Pos: rules.Pos{Line: 90, Col: 16}} }
func and(a ...rules.Cond) rules.Cond {
	return &rules.CondAnd{Args: a}
}
func or(a ...rules.Cond) rules.Cond { return &rules.CondOr{Args: a} }
func not(a rules.Cond) rules.Cond   { return &rules.CondNot{Arg: a} }
func of(q rules.Quantifier, pat string, names ...string) rules.Cond {
	return &rules.CondOf{Quant: q, Pattern: pat, Names: names, Pos: rules.Pos{Line: 90, Col: 16}}
}

func ruleDoc(service string, cond rules.Cond, searches ...*rules.Search) *rules.Document {
	return &rules.Document{
		Path: "r.yml", Pos: rules.Pos{Line: 1, Col: 1}, Kind: rules.KindRule,
		Meta: rules.Meta{Title: "t", ID: "id-1", Level: "high"},
		Rule: &rules.Rule{
			Logsource: rules.Logsource{Product: "azure", Service: service, Pos: rules.Pos{Line: 80, Col: 5}, ProductPos: rules.Pos{Line: 80, Col: 14}, ServicePos: rules.Pos{Line: 81, Col: 14}},
			Detection: rules.Detection{Pos: rules.Pos{Line: 82, Col: 1}, Searches: searches, Conditions: []rules.Cond{cond}, ConditionPos: []rules.Pos{{Line: 90, Col: 16}}},
		},
	}
}

// one is the common single-selection rule on SigninLogs.
func one(fms ...*rules.FieldMatch) *rules.Document {
	return ruleDoc("signinlogs", id("sel"), &rules.Search{Name: "sel", Kind: rules.SearchMap, Maps: [][]*rules.FieldMatch{fms}})
}

// outcome renders a translation for comparison: the Where, each leg (letter: predicate, only when
// they differ from Where or there are several tables), warnings and errors.
func outcome(q *Query, ds rules.Diagnostics) string {
	var b strings.Builder
	if q != nil {
		b.WriteString(Format(q.Where))
		if len(q.Tables) > 1 || q.Tables[0].ID != TableSignin || len(q.Legs) != 1 || Format(q.Legs[0].Where) != Format(q.Where) {
			for _, l := range q.Legs {
				fmt.Fprintf(&b, "\n%c: %s", l.Table.Letter, Format(l.Where))
			}
		}
		for _, w := range q.Warnings {
			fmt.Fprintf(&b, "\nwarning %s: %s", w.Pos, w.Msg)
		}
	}
	for _, d := range ds {
		fmt.Fprintf(&b, "\nerror %s: %s", d.Pos, d.Msg)
	}
	return strings.TrimPrefix(b.String(), "\n")
}

type lowerCase struct {
	name string
	doc  func(b *builder) *rules.Document
	want string
}

func runLower(t *testing.T, tests []lowerCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc(&builder{})
			q, ds := Translate(doc, nil)
			got := outcome(q, ds)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			q2, ds2 := Translate(doc, nil)
			if again := outcome(q2, ds2); again != got {
				t.Errorf("second translation differs:\n%s", again)
			}
		})
	}
}

func TestLowerModifiers(t *testing.T) {
	runLower(t, []lowerCase{
		{"eq int on string column", func(b *builder) *rules.Document { return one(b.f("ResultType", 50053)) },
			`eq(ResultType, 50053)`},
		{"eq list ORed in one match", func(b *builder) *rules.Document { return one(b.f("ResultType", 50053, "50057", rawInt("00429"))) },
			`eq(ResultType, 50053, "50057", 00429)`},
		{"contains keeps wildcards", func(b *builder) *rules.Document { return one(b.f("UserAgent|contains", "azure*hound", "*x")) },
			`eq(UserAgent, *"azure"*"hound"*, *"x"*)`},
		{"startswith endswith", func(b *builder) *rules.Document {
			return one(b.f("UserAgent|startswith", "a?"), b.f("AppDisplayName|endswith", `C:\*`))
		}, `and(eq(UserAgent, "a"?*), eq(AppDisplayName, *"C:*"))`},
		{"contains on int", func(b *builder) *rules.Document { return one(b.f("ResultType|startswith", 500)) },
			`eq(ResultType, "500"*)`},
		{"all", func(b *builder) *rules.Document { return one(b.f("UserAgent|contains|all", "a", "b")) },
			`and(eq(UserAgent, *"a"*), eq(UserAgent, *"b"*))`},
		{"cased", func(b *builder) *rules.Document { return one(b.f("UserAgent|contains|cased", "Go-http")) },
			`eq/cased(UserAgent, *"Go-http"*)`},
		{"neq list", func(b *builder) *rules.Document { return one(b.f("ResultType|neq", 0, 50140)) },
			`not(eq(ResultType, 0, 50140))`},
		{"exists true false", func(b *builder) *rules.Document {
			return one(b.f("UserAgent|exists", true), b.f("AppDisplayName|exists", false))
		}, `and(exists(UserAgent), not(exists(AppDisplayName)))`},
		{"null and empty", func(b *builder) *rules.Document {
			return one(b.f("DeviceDetail.trustType", nil), b.f("DeviceDetail.deviceId", ""))
		}, `and(null(DeviceDetail.trustType), eq(DeviceDetail.deviceId, ""))`},
		{"re flags", func(b *builder) *rules.Document { return one(b.f("UserAgent|re|i|s", `^py.*\d$`)) },
			`re(UserAgent, "^py.*\\d$"/is)`},
		{"re plain", func(b *builder) *rules.Document { return one(b.f("UserAgent|re", `a|b`)) },
			`re(UserAgent, "a|b")`},
		{"cidr v4 v6", func(b *builder) *rules.Document { return one(b.f("IPAddress|cidr", "10.0.0.0/8", "2001:db8::/32")) },
			`cidr(IPAddress, 10.0.0.0/8, 2001:db8::/32)`},
		{"numeric compare", func(b *builder) *rules.Document {
			return one(b.f("DurationMs|gt", 100), b.f("Status.errorCode|lte", 2.5), b.f("ResultType|gte", 50000))
		}, `and(gt(DurationMs, 100), lte(Status.errorCode, 2.5), gte(ResultType, 50000))`},
		{"time part", func(b *builder) *rules.Document {
			return one(b.f("TimeGenerated|hour", 3), b.f("CreatedDateTime|day|lt", 7))
		},
			`and(eq(hour(TimeGenerated), 3), lt(day(CreatedDateTime), 7))`},
		{"fieldref", func(b *builder) *rules.Document {
			return one(b.f("UserPrincipalName|fieldref", "AlternateSignInName"), b.f("UserDisplayName|fieldref|contains", "userId"))
		}, "and(fieldref(UserPrincipalName, AlternateSignInName), fieldref(UserDisplayName, *UserId*))\n" +
			`warning 2:20: field "userId" is spelled "UserId" in the sign-in schema; using "UserId"`},
		{"fieldref startswith endswith", func(b *builder) *rules.Document {
			return one(b.f("UserPrincipalName|fieldref|startswith", "UserId"), b.f("UserPrincipalName|fieldref|endswith", "UserId"))
		}, `and(fieldref(UserPrincipalName, UserId*), fieldref(UserPrincipalName, *UserId))`},
		{"windash", func(b *builder) *rules.Document { return one(b.f("UserAgent|windash|contains", "a -x/y")) },
			`eq(UserAgent, *"a -x/y"*, *"a /x/y"*, *"a –x/y"*, *"a —x/y"*, *"a ―x/y"*)`},
		{"windash two spots", func(b *builder) *rules.Document { return one(b.f("UserAgent|windash", "-a /b")) },
			`eq(UserAgent, "-a -b", "-a /b", "-a –b", "-a —b", "-a ―b", "/a -b", "/a /b", "/a –b", "/a —b", "/a ―b", "–a -b", "–a /b", "–a –b", "–a —b", "–a ―b", "—a -b", "—a /b", "—a –b", "—a —b", "—a ―b", "―a -b", "―a /b", "―a –b", "―a —b", "―a ―b")`},
		{"windash not inside words", func(b *builder) *rules.Document { return one(b.f("UserAgent|windash", "a-b x- -")) },
			`eq(UserAgent, "a-b x- -")`},
		{"base64", func(b *builder) *rules.Document { return one(b.f("UserAgent|base64", "cmd")) },
			`eq(UserAgent, "Y21k")`},
		{"base64offset contains", func(b *builder) *rules.Document { return one(b.f("UserAgent|base64offset|contains", "http://")) },
			`eq(UserAgent, *"aHR0cDovL"*, *"h0dHA6Ly"*, *"odHRwOi8v"*)`},
		{"wide base64", func(b *builder) *rules.Document { return one(b.f("UserAgent|wide|base64", "cmd")) },
			`eq(UserAgent, "YwBtAGQA")`},
		{"utf16le utf16be utf16 base64offset", func(b *builder) *rules.Document {
			return one(b.f("UserAgent|utf16le|base64offset|contains", "ab"), b.f("UserAgent|utf16be|base64", "ab"), b.f("UserAgent|utf16|base64", "ab"))
		}, `and(eq(UserAgent, *"YQBiA"*, *"EAYg"*, *"hAGIA"*), eq(UserAgent, "AGEAYg=="), eq(UserAgent, "//5hAGIA"))`},
		{"bool field typed", func(b *builder) *rules.Document {
			return one(b.f("DeviceDetail.isCompliant", "false"), b.f("DeviceDetail.isManaged", true), b.f("IsInteractive", "TRUE"))
		}, `and(eq(DeviceDetail.isCompliant, false), eq(DeviceDetail.isManaged, true), eq(IsInteractive, TRUE))`},
		{"numeric field wildcard string allowed", func(b *builder) *rules.Document { return one(b.f("Status.errorCode", "500*", "0")) },
			`eq(Status.errorCode, "500"*, "0")`},
		{"keywords", func(b *builder) *rules.Document {
			return ruleDoc("signinlogs", id("kw"), b.kw("kw", "", "evil", "*bad", 42))
		}, `keyword(*"evil"*, *"bad"*, *"42"*)`},
		{"keywords all cased", func(b *builder) *rules.Document {
			return ruleDoc("signinlogs", id("kw"), b.kw("kw", "all|cased", "a", "b"))
		}, `and(keyword/cased(*"a"*), keyword/cased(*"b"*))`},
	})
}

func TestLowerValueTyping(t *testing.T) {
	doc := one((&builder{}).f("ResultType", 50053), (&builder{line: 1}).f("DeviceDetail.isCompliant", "False"),
		(&builder{line: 2}).f("Status.errorCode", "0"), (&builder{line: 3}).f("UserAgent|contains", 7))
	q, ds := Translate(doc, nil)
	if ds != nil {
		t.Fatal(ds)
	}
	args := q.Where.(*And).Args
	got := []Value{args[0].(*Match).Values[0], args[1].(*Match).Values[0], args[2].(*Match).Values[0], args[3].(*Match).Values[0]}
	want := []string{
		"int 50053 num=50053 bool=false",
		"bool False num=0 bool=false",
		"string 0 num=0 bool=false",
		"string 7 num=0 bool=false",
	}
	for i, v := range got {
		if s := fmt.Sprintf("%s %s num=%v bool=%v", v.Kind, v.Raw, v.Num, v.Bool); s != want[i] {
			t.Errorf("value %d: %s, want %s", i, s, want[i])
		}
	}
	if got[1].Bool || got[1].Kind != rules.ValBool {
		t.Errorf("isCompliant 'False' must be ValBool false")
	}
}

func TestLowerConditions(t *testing.T) {
	two := func(b *builder, cond rules.Cond) *rules.Document {
		return ruleDoc("signinlogs", cond,
			b.sel("sel_a", b.f("ResultType", 1)),
			b.sel("sel_b", b.f("ResultType", 2), b.f("UserAgent", "x")),
			b.sel("filter", b.f("AppId", "y")))
	}
	runLower(t, []lowerCase{
		{"and not", func(b *builder) *rules.Document { return two(b, and(id("sel_a"), not(id("filter")))) },
			`and(eq(ResultType, 1), not(eq(AppId, "y")))`},
		{"or of and", func(b *builder) *rules.Document { return two(b, or(id("sel_a"), id("sel_b"))) },
			`or(eq(ResultType, 1), and(eq(ResultType, 2), eq(UserAgent, "x")))`},
		{"and flattens", func(b *builder) *rules.Document { return two(b, and(id("sel_b"), id("sel_a"))) },
			`and(eq(ResultType, 2), eq(UserAgent, "x"), eq(ResultType, 1))`},
		{"not of and", func(b *builder) *rules.Document { return two(b, not(id("sel_b"))) },
			`not(and(eq(ResultType, 2), eq(UserAgent, "x")))`},
		{"double not", func(b *builder) *rules.Document { return two(b, not(not(id("sel_a")))) },
			`eq(ResultType, 1)`},
		{"1 of pattern", func(b *builder) *rules.Document { return two(b, of(rules.QuantOne, "sel_*", "sel_a", "sel_b")) },
			`or(eq(ResultType, 1), and(eq(ResultType, 2), eq(UserAgent, "x")))`},
		{"all of them", func(b *builder) *rules.Document {
			return two(b, of(rules.QuantAll, "them", "sel_a", "sel_b", "filter"))
		}, `and(eq(ResultType, 1), eq(ResultType, 2), eq(UserAgent, "x"), eq(AppId, "y"))`},
		{"list of maps", func(b *builder) *rules.Document {
			return ruleDoc("signinlogs", and(id("l"), id("s")),
				b.list("l", []*rules.FieldMatch{b.f("ResultType", 1), b.f("AppId", "a")}, []*rules.FieldMatch{b.f("ResultType", 2)}),
				b.sel("s", b.f("UserAgent", "u")))
		}, `and(or(and(eq(ResultType, 1), eq(AppId, "a")), eq(ResultType, 2)), eq(UserAgent, "u"))`},
		{"condition list ORs", func(b *builder) *rules.Document {
			d := two(b, id("sel_a"))
			d.Rule.Detection.Conditions = append(d.Rule.Detection.Conditions, id("filter"))
			return d
		}, `or(eq(ResultType, 1), eq(AppId, "y"))`},
		{"unknown identifier", func(b *builder) *rules.Document { return two(b, id("nope")) },
			`error 90:16: condition: unknown search identifier "nope"`},
		{"empty of", func(b *builder) *rules.Document { return two(b, of(rules.QuantOne, "x*")) },
			`error 90:16: condition: "x*" matches no search identifier`},
	})
}

func TestLowerMappings(t *testing.T) {
	runLower(t, []lowerCase{
		{"Status Success", func(b *builder) *rules.Document {
			return one(b.f("Status", "Success"), b.f("AuthenticationRequirement", "singleFactorAuthentication"))
		},
			"and(eq(ResultType, \"0\"), eq(AuthenticationRequirement, \"singleFactorAuthentication\"))\n" +
				`warning 1:20: Status: Success means the sign-in succeeded; translated as ResultType == "0"`},
		{"Status failure lower case", func(b *builder) *rules.Document { return one(b.f("status", "failure")) },
			"not(eq(ResultType, \"0\"))\n" +
				`warning 1:5: field "status" is spelled "Status" in the sign-in schema; using "Status"` + "\n" +
				`warning 1:20: Status: failure means the sign-in failed; translated as ResultType != "0"`},
		{"Status other value", func(b *builder) *rules.Document { return one(b.f("Status", "MFA Denied")) },
			`error 1:20: Status is an object (errorCode, failureReason, additionalDetails): "MFA Denied" is neither Success nor Failure; compare one of its keys (Status.errorCode, ...) or use Status|contains`},
		{"Status contains keeps JSON text", func(b *builder) *rules.Document { return one(b.f("Status|contains", "MFA Denied")) },
			`eq(Status, *"MFA Denied"*)`},
		{"properties.message Device Code", func(b *builder) *rules.Document { return one(b.f("properties.message", "Device Code")) },
			"eq(AuthenticationProtocol, \"deviceCode\")\n" +
				`warning 1:20: properties.message "Device Code" means AuthenticationProtocol "deviceCode"; translated as such`},
		{"properties.message ROPC", func(b *builder) *rules.Document { return one(b.f("properties.message", "ropc")) },
			"eq(AuthenticationProtocol, \"ropc\")\n" +
				`warning 1:20: properties.message "ropc" means AuthenticationProtocol "ropc"; translated as such`},
		{"properties.message other", func(b *builder) *rules.Document { return one(b.f("properties.message", "Password")) },
			`error 1:20: properties.message: "Password" has no certain sign-in meaning (only "Device Code" and "ROPC" map, to AuthenticationProtocol)`},
		{"unknown value of an enumerated field", func(b *builder) *rules.Document {
			return one(b.f("ConditionalAccessStatus", "succes", "FAILURE"), b.f("RiskState|contains", "x"))
		}, "and(eq(ConditionalAccessStatus, \"succes\", \"FAILURE\"), eq(RiskState, *\"x\"*))\n" +
			`warning 1:20: value "succes" is not one of the known values of ConditionalAccessStatus (success, failure, notApplied)`},
		{"alias warnings", func(b *builder) *rules.Document { return one(b.f("ClientApp", "IMAP4"), b.f("properties.appId", "x")) },
			"and(eq(ClientAppUsed, \"IMAP4\"), eq(AppId, \"x\"))\n" +
				`warning 1:5: field "ClientApp" is an alias; using the sign-in column "ClientAppUsed"` + "\n" +
				`warning 2:5: field "properties.appId" is a raw JSON path; using the sign-in column "AppId"`},
	})
}

func TestLowerFolding(t *testing.T) {
	runLower(t, []lowerCase{
		{"combined drops S and M for a user column", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("UserPrincipalName|endswith", "@x.com"), b.f("ResultType", 0)))
		}, "and(eq(UserPrincipalName, *\"@x.com\"), eq(ResultType, 0))\n" +
			"I: and(eq(UserPrincipalName, *\"@x.com\"), eq(ResultType, 0))\n" +
			"N: and(eq(UserPrincipalName, *\"@x.com\"), eq(ResultType, 0))"},
		{"null keeps S and M as true", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("UserPrincipalName", nil)))
		}, "null(UserPrincipalName)\nI: null(UserPrincipalName)\nN: null(UserPrincipalName)\nS: true\nM: true"},
		{"neq on absent column is true", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("ResultType", 0), b.f("UserType|neq", "Guest")))
		}, "and(eq(ResultType, 0), not(eq(UserType, \"Guest\")))\n" +
			"I: and(eq(ResultType, 0), not(eq(UserType, \"Guest\")))\n" +
			"N: and(eq(ResultType, 0), not(eq(UserType, \"Guest\")))\n" +
			"S: eq(ResultType, 0)\nM: eq(ResultType, 0)"},
		{"or with absent branch", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", or(id("a"), id("b")), b.sel("a", b.f("ServicePrincipalName", "x")), b.sel("b", b.f("UserAgent", "y")))
		}, "or(eq(ServicePrincipalName, \"x\"), eq(UserAgent, \"y\"))\n" +
			"I: or(eq(ServicePrincipalName, \"x\"), eq(UserAgent, \"y\"))\n" +
			"N: eq(UserAgent, \"y\")\n" +
			"S: eq(ServicePrincipalName, \"x\")\nM: eq(ServicePrincipalName, \"x\")"},
		{"fieldref with absent side", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("AppId|fieldref", "UserId")))
		}, "fieldref(AppId, UserId)\nI: fieldref(AppId, UserId)\nN: fieldref(AppId, UserId)"},
		{"exists false on absent column is true", func(b *builder) *rules.Document {
			return ruleDoc("aadserviceprincipalsigninlogs", id("s"), b.sel("s", b.f("UserAgent|exists", false), b.f("AppId", "a")))
		}, "and(not(exists(UserAgent)), eq(AppId, \"a\"))\nS: eq(AppId, \"a\")"},
		{"all legs false", func(b *builder) *rules.Document {
			return ruleDoc("aadserviceprincipalsigninlogs", id("s"), b.sel("s", b.f("AppId", "a"), b.f("UserPrincipalName", "u")))
		}, `error 2:5: the rule can never match: UserPrincipalName is not a column of AADServicePrincipalSignInLogs`},
		{"all legs false combined two causes", func(b *builder) *rules.Document {
			return ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("ServicePrincipalCredentialKeyId", "k"), b.f("UserPrincipalName", "u")))
		}, "error 1:5: the rule can never match: ServicePrincipalCredentialKeyId is not a column of SigninLogs, AADNonInteractiveUserSignInLogs\n" +
			"error 2:5: the rule can never match: UserPrincipalName is not a column of AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs"},
	})
}

func TestGroupLegs(t *testing.T) {
	b := &builder{}
	q, ds := Translate(ruleDoc("combinedsigninlogs", id("s"), b.sel("s", b.f("ResultType", 0), b.f("UserType|neq", "Guest"))), nil)
	if ds != nil {
		t.Fatal(ds)
	}
	var got []string
	for _, g := range GroupLegs(q) {
		var names []string
		for _, l := range g {
			names = append(names, l.Table.Name)
		}
		got = append(got, strings.Join(names, ",")+": "+Format(g[0].Where))
	}
	want := "SigninLogs,AADNonInteractiveUserSignInLogs: and(eq(ResultType, 0), not(eq(UserType, \"Guest\")))\n" +
		"AADServicePrincipalSignInLogs,AADManagedIdentitySignInLogs: eq(ResultType, 0)"
	if s := strings.Join(got, "\n"); s != want {
		t.Errorf("got:\n%s\nwant:\n%s", s, want)
	}
}

func TestLowerErrors(t *testing.T) {
	runLower(t, []lowerCase{
		{"unknown field did you mean", func(b *builder) *rules.Document { return one(b.f("UserPrincipleName", "x")) },
			`error 1:5: unknown field "UserPrincipleName"; did you mean "UserPrincipalName"?`},
		{"all errors collected", func(b *builder) *rules.Document {
			return one(b.f("ActivityDetails", "Sign-ins"), b.f("ClientApp", "IMAP"), b.f("Username", "UPN"))
		}, "error 1:5: unknown field \"ActivityDetails\": no sign-in equivalent\n" +
			"error 3:5: field \"Username\" has no certain sign-in equivalent (it could be UserPrincipalName, AlternateSignInName or UserDisplayName); name the column"},
		{"placeholder", func(b *builder) *rules.Document { return one(b.f("IPAddress|expand", "%admin_ips%")) },
			`error 1:20: expand: placeholder %admin_ips% cannot be resolved (no placeholder values are configured); Sigma requires rejecting such a rule`},
		{"base64 with wildcard", func(b *builder) *rules.Document { return one(b.f("UserAgent|base64", "cmd*")) },
			`error 1:20: base64: the value "cmd*" has a wildcard; Sigma does not allow wildcards in base64-encoded values`},
		{"contains before base64offset", func(b *builder) *rules.Document { return one(b.f("UserAgent|contains|base64offset", "cmd")) },
			`error 1:20: base64offset: the value "cmd" has a wildcard; Sigma does not allow wildcards in base64-encoded values`},
		{"wide without base64", func(b *builder) *rules.Document { return one(b.f("UserAgent|wide", "cmd")) },
			`error 1:15: modifier wide must be followed by base64 or base64offset`},
		{"wide then contains", func(b *builder) *rules.Document { return one(b.f("UserAgent|wide|contains", "cmd")) },
			`error 1:20: modifier contains: utf16le must be followed directly by base64 or base64offset`},
		{"bool field maybe", func(b *builder) *rules.Document { return one(b.f("DeviceDetail.isCompliant", "maybe")) },
			`error 1:20: field DeviceDetail.isCompliant is boolean: "maybe" is not true or false`},
		{"bool field contains", func(b *builder) *rules.Document { return one(b.f("IsInteractive|contains", "tru")) },
			`error 1:19: field IsInteractive is boolean: modifier contains does not apply`},
		{"numeric field word", func(b *builder) *rules.Document { return one(b.f("DurationMs", "slow")) },
			`error 1:20: field DurationMs is numeric: "slow" is not a number`},
		{"compare quoted string", func(b *builder) *rules.Document { return one(b.f("DurationMs|gt", "5")) },
			`error 1:20: DurationMs|gt: "5" is not a number`},
		{"compare on bool", func(b *builder) *rules.Document { return one(b.f("IsInteractive|gt", 1)) },
			`error 1:19: gt: field IsInteractive is not numeric`},
		{"time part on string", func(b *builder) *rules.Document { return one(b.f("UserAgent|hour", 3)) },
			`error 1:15: hour: field UserAgent is not a date-time field`},
		{"time part out of range", func(b *builder) *rules.Document { return one(b.f("TimeGenerated|hour", 24)) },
			`error 1:20: TimeGenerated|hour: 24 is outside hour's range 0..23, so it never matches`},
		{"cidr on non-ip", func(b *builder) *rules.Document { return one(b.f("UserAgent|cidr", "10.0.0.0/8")) },
			`error 1:15: cidr: field UserAgent is not an IP address field`},
		{"bad cidr", func(b *builder) *rules.Document { return one(b.f("IPAddress|cidr", "10.0.0.0")) },
			`error 1:20: cidr: "10.0.0.0" is not an IPv4 or IPv6 network (address/bits)`},
		{"re with contains", func(b *builder) *rules.Document { return one(b.f("UserAgent|re|contains", "x")) },
			`error 1:18: modifier contains cannot be combined with re`},
		{"flag without re", func(b *builder) *rules.Document { return one(b.f("UserAgent|i", "x")) },
			`error 1:5: regular-expression flags (i, m, s) need the re modifier`},
		{"fieldref unknown", func(b *builder) *rules.Document { return one(b.f("UserAgent|fieldref", "Nope")) },
			`error 1:20: fieldref: unknown field "Nope": no sign-in equivalent`},
		{"null in list", func(b *builder) *rules.Document { return one(b.f("UserAgent", "a", nil)) },
			`error 1:21: null cannot be in a value list or take modifiers (use field: null, or |exists)`},
		{"all with one value", func(b *builder) *rules.Document { return one(b.f("UserAgent|all", "a")) },
			`error 1:5: UserAgent|all: all needs a list of two or more values`},
		{"cased with re", func(b *builder) *rules.Document { return one(b.f("UserAgent|re|cased", "x")) },
			`error 1:18: cased does not apply to re (only to string matching)`},
		{"two comparisons", func(b *builder) *rules.Document { return one(b.f("DurationMs|gt|lt", 5)) },
			`error 1:19: modifier lt cannot be combined with gt`},
		{"time part with comparison", func(b *builder) *rules.Document { return one(b.f("TimeGenerated|gte|hour", 22)) },
			`gte(hour(TimeGenerated), 22)`},
		{"unverified column", func(b *builder) *rules.Document { return one(b.f("SessionId", "a")) },
			`error 1:5: field "SessionId": SessionId is an Elastic/Splunk field not verified as a Sentinel column; not supported`},
	})
}

func TestLowerDocumentKinds(t *testing.T) {
	b := &builder{}
	bad := func(mut func(d *rules.Document)) string {
		d := one(b.f("AppId", "a"))
		mut(d)
		q, ds := Translate(d, nil)
		return outcome(q, ds)
	}
	tests := []struct {
		name string
		mut  func(d *rules.Document)
		want string
	}{
		{"product", func(d *rules.Document) { d.Rule.Logsource.Product = "windows" },
			`error 80:14: logsource: product "windows" is not supported; entrasig translates product: azure with service: signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs, aadmanagedidentitysigninlogs or combinedsigninlogs`},
		{"service", func(d *rules.Document) { d.Rule.Logsource.Service = "auditlogs" },
			`error 81:14: logsource: service "auditlogs" is not supported; entrasig translates product: azure with service: signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs, aadmanagedidentitysigninlogs or combinedsigninlogs`},
		{"missing service", func(d *rules.Document) { d.Rule.Logsource.Service, d.Rule.Logsource.ServicePos = "", rules.Pos{} },
			`error 80:5: logsource: service is missing; entrasig translates product: azure with service: signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs, aadmanagedidentitysigninlogs or combinedsigninlogs`},
		{"category", func(d *rules.Document) {
			d.Rule.Logsource.Category, d.Rule.Logsource.CategoryPos = "process_creation", rules.Pos{Line: 79, Col: 15}
		}, `error 79:15: logsource: category "process_creation" is not supported; entrasig translates product: azure with service: signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs, aadmanagedidentitysigninlogs or combinedsigninlogs`},
		{"case-insensitive routing", func(d *rules.Document) {
			d.Rule.Logsource.Product, d.Rule.Logsource.Service = "Azure", "AADNonInteractiveUserSignInLogs"
		}, "eq(AppId, \"a\")\nN: eq(AppId, \"a\")"},
		{"correlation", func(d *rules.Document) {
			d.Kind, d.Rule, d.Correlation = rules.KindCorrelation, nil, &rules.Correlation{}
		},
			`error 1:1: correlation: no rules to correlate`},
	}
	for _, tt := range tests {
		if got := bad(tt.mut); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestLowerFilters(t *testing.T) {
	b := &builder{}
	doc := one(b.f("ResultType", 0))
	filter := func(service string, refs ...rules.Ref) *rules.Document {
		return &rules.Document{Path: "f.yml", Pos: rules.Pos{Line: 1, Col: 1}, Kind: rules.KindFilter, Filter: &rules.Filter{
			Logsource: rules.Logsource{Product: "azure", Service: service, Pos: rules.Pos{Line: 3, Col: 3}},
			Rules:     refs,
			Detection: rules.Detection{Searches: []*rules.Search{b.sel("f", b.f("UserAgent", "ok"))}, Conditions: []rules.Cond{not(id("f"))}},
		}}
	}
	q, ds := Translate(doc, []*rules.Document{
		filter("signinlogs", rules.Ref{Text: "id-1"}),
		filter("signinlogs", rules.Ref{Text: "other"}),
		filter("signinlogs", rules.Ref{Text: "x", Target: doc}),
	})
	if got, want := outcome(q, ds), `and(eq(ResultType, 0), not(eq(UserAgent, "ok")), not(eq(UserAgent, "ok")))`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	q, ds = Translate(doc, []*rules.Document{filter("combinedsigninlogs", rules.Ref{Text: "id-1"})})
	if got, want := outcome(q, ds), `error 3:3: filter logsource routes to SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs, but the rule it filters (r.yml) routes to SigninLogs`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if ds[0].Path != "f.yml" {
		t.Errorf("filter error path %q", ds[0].Path)
	}
	broken := filter("signinlogs", rules.Ref{Text: "id-1"})
	broken.Diags = rules.Diagnostics{{Path: "f.yml", Severity: rules.SevError, Msg: "bad"}}
	q, ds = Translate(doc, []*rules.Document{broken})
	if got, want := outcome(q, ds), `error 1:1: the filter f.yml (document 1) applies to this rule but has errors`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func BenchmarkTranslate(b *testing.B) {
	bl := &builder{}
	doc := ruleDoc("combinedsigninlogs", and(id("sel"), not(id("filter"))),
		bl.sel("sel", bl.f("UserAgent|contains", "a", "b", "c"), bl.f("ResultType", 50126, 50053), bl.f("UserPrincipalName|endswith", "@x.com")),
		bl.sel("filter", bl.f("IPAddress|cidr", "10.0.0.0/8")))
	for b.Loop() {
		if _, ds := Translate(doc, nil); ds != nil {
			b.Fatal(ds)
		}
	}
}
