package splcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const corrBase = `sourcetype="azure:monitor:aad" category=SignInLogs properties.status.errorCode=50126`

func TestCheckAccepts(t *testing.T) {
	known := SignInFields()
	for _, q := range []string{
		`sourcetype="azure:monitor:aad" category=SignInLogs`,
		`index=main sourcetype="azure:monitor:aad" category=SignInLogs properties.userPrincipalName="a\"b[c]|d"`,
		"`azure_monitor_aad` category IN (SignInLogs, NonInteractiveUserSignInLogs) NOT properties.status.errorCode IN (50126, 50053)",
		`sourcetype="azure:monitor:aad" ((category=SignInLogs AND resultType="5*") OR category=ServicePrincipalSignInLogs)`,
		`sourcetype="azure:monitor:aad" category=SignInLogs properties.ipAddress=2001:db8::/32 durationMs<=100.5`,
		`sourcetype="azure:monitor:aad" category=SignInLogs | where NOT (isnotnull('properties.userAgent') AND match('properties.userAgent', "(?is)^a\\x60\n\\z"))`,
		`sourcetype="azure:monitor:aad" category IN (SignInLogs, ServicePrincipalSignInLogs) | where (in(category, "SignInLogs") AND cidrmatch("10.0.0.0/8", 'properties.ipAddress')) OR category=="ServicePrincipalSignInLogs"`,
		`sourcetype="azure:monitor:aad" category=SignInLogs | where tonumber('properties.userType')>5 AND lower('properties.userPrincipalName')==lower('properties.alternateSignInName')`,
		// correlation pipelines
		corrBase + ` | eval event_time=_time, U='properties.userPrincipalName' | fillnull value="" U | bin _time span=10m | stats count AS event_count min(event_time) AS StartTime max(event_time) AS EndTime by _time U | where event_count>=10 AND event_count!=12`,
		corrBase + ` | eval event_time=_time, value=tonumber('durationMs') | bin _time span=24h | stats exactperc95(value) AS p sum(value) AS s avg(value) AS a dc(value) AS d by _time | fillnull value=0 s | where p>5000`,
		corrBase + ` | eval rule_0=if(category=="SignInLogs" AND isnotnull('durationMs'),1,0), rule_1=if(NOT 'durationMs'>5,1,0) | where rule_0==1 OR rule_1==1 | eval event_time=_time, t0=if(rule_0==1,_time,null()), acct=case(rule_0==1, 'properties.userPrincipalName', rule_1==1, 'properties.userId') | fillnull value="" acct | bin _time span=90s | stats max(rule_0) AS rule_0 max(rule_1) AS rule_1 min(t0) AS first by _time acct | eval rule_count=rule_0 + rule_1 | where rule_count==2 AND first>0`,
	} {
		if err := Check(q, known); err != nil {
			t.Errorf("Check(%s) = %v, want nil", q, err)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	known := SignInFields()
	for _, c := range []struct{ name, q, want string }{
		{"unquoted [", `sourcetype="azure:monitor:aad" category=SignInLogs properties.userPrincipalName=[search x]`, "invalid input text"},
		{"unbalanced quote", `sourcetype="azure:monitor:aad" category=SignInLogs properties.userPrincipalName="abc`, "invalid input text"},
		{"regex inside OR", `sourcetype="azure:monitor:aad" category=SignInLogs (properties.userAgent="x" OR | regex properties.userAgent="y")`, "unexpected"},
		{"regex command", `sourcetype="azure:monitor:aad" category=SignInLogs | regex properties.userAgent="y"`, "unexpected"},
		{"missing category", `sourcetype="azure:monitor:aad" properties.userPrincipalName="x"`, "missing category filter"},
		{"category on one branch only", `sourcetype="azure:monitor:aad" ((category=SignInLogs AND resultType="5*") OR resultType="7*")`, "missing category filter"},
		{"unknown category", `sourcetype="azure:monitor:aad" category=AuditLogs`, `unknown category "AuditLogs"`},
		{"missing sourcetype", `category=SignInLogs properties.userPrincipalName="x"`, "missing base filter"},
		{"top-level OR", `sourcetype="azure:monitor:aad" category=SignInLogs OR category=AuditLogs`, "top level must be a conjunction"},
		{"unknown field", `sourcetype="azure:monitor:aad" category=SignInLogs userPrincipalName="x"`, `unknown field "userPrincipalName"`},
		{"unknown where field", `sourcetype="azure:monitor:aad" category=SignInLogs | where isnull('properties.nope')`, `unknown field "properties.nope"`},
		{"not-equal", `sourcetype="azure:monitor:aad" category=SignInLogs properties.userPrincipalName!="x"`, "operator != is not part"},
		{"bare keyword", `sourcetype="azure:monitor:aad" category=SignInLogs "evil"`, "unexpected"},
		{"backtick in string", "sourcetype=\"azure:monitor:aad\" category=SignInLogs properties.userPrincipalName=\"a`b`\"", "invalid input text"},
		{"newline", "sourcetype=\"azure:monitor:aad\" category=SignInLogs\nproperties.userPrincipalName=\"a\"", "invalid input text"},
		{"unknown function", `sourcetype="azure:monitor:aad" category=SignInLogs | where searchmatch("x")`, "searchmatch is not part"},
		{"arity", `sourcetype="azure:monitor:aad" category=SignInLogs | where match('properties.userAgent')`, "match takes 2..2 arguments"},
		{"numeric compare with string", `sourcetype="azure:monitor:aad" category=SignInLogs durationMs>"5"`, "non-number"},
		{"unknown search escape", `sourcetype="azure:monitor:aad" category=SignInLogs properties.userAgent="a\n"`, `escape \n`},
		{"eval single =", `sourcetype="azure:monitor:aad" category=SignInLogs | where 'properties.userAgent'="x"`, "eval operator = is not part"},
		// broken correlation searches
		{"stats without _time", corrBase + ` | eval U='properties.userPrincipalName' | bin _time span=10m | stats count AS n by U | where n>1`, "stats must group by _time"},
		{"stats without by", corrBase + ` | bin _time span=10m | stats count AS n | where n>1`, "stats must group by _time"},
		{"unknown aggregate", corrBase + ` | eval v=tonumber('durationMs') | bin _time span=10m | stats perc95(v) AS p by _time | where p>1`, "unknown aggregate perc95"},
		{"exactperc 100", corrBase + ` | eval v=tonumber('durationMs') | bin _time span=10m | stats exactperc100(v) AS p by _time`, "unknown aggregate exactperc100"},
		{"estdc", corrBase + ` | eval v='durationMs' | bin _time span=10m | stats estdc(v) AS p by _time`, "unknown aggregate estdc"},
		{"aggregate without AS", corrBase + ` | bin _time span=10m | stats count by _time`, "aggregate count without AS"},
		{"count of a field", corrBase + ` | bin _time span=10m | stats count(durationMs) AS n by _time`, "only a plain count"},
		{"stats without bin", corrBase + ` | stats count AS n by _time | where n>1`, "stats without a preceding bin _time"},
		{"bin in days", corrBase + ` | bin _time span=1d | stats count AS n by _time`, "day spans align to the search's time zone"},
		{"bin other field", corrBase + ` | bin durationMs span=10m | stats count AS n by _time`, `bin of "durationMs"`},
		{"bin after stats", corrBase + ` | bin _time span=10m | stats count AS n by _time | bin _time span=1h`, "bin must come once, before stats"},
		{"two stats", corrBase + ` | bin _time span=10m | stats count AS n by _time | stats count AS m by _time`, "only one stats command"},
		{"field gone after stats", corrBase + ` | eval U='properties.userPrincipalName' | bin _time span=10m | stats count AS n by _time | where U=="x"`, `field "U" does not exist after stats`},
		{"by an unknown field", corrBase + ` | bin _time span=10m | stats count AS n by _time properties.userPrincipalName`, `stats by "properties.userPrincipalName"`},
		{"fillnull of a raw field", corrBase + ` | fillnull value="" properties.userId | bin _time span=10m | stats count AS n by _time`, `fillnull of "properties.userId"`},
		{"fillnull other value", corrBase + ` | eval U='properties.userId' | fillnull value="NULL" U | bin _time span=10m | stats count AS n by _time U`, `fillnull value="NULL"`},
		{"not-equal before stats", corrBase + ` | where 'durationMs'!=5`, "!= is only emitted on aggregates"},
		{"eval dotted name", corrBase + ` | eval properties.userId="x"`, "only plain identifiers"},
		{"unknown eval field", corrBase + ` | eval U='properties.nope'`, `unknown field "properties.nope"`},
		{"sum of a literal", corrBase + ` | bin _time span=10m | stats count AS n by _time | eval m=n + "x"`, "only fields are added up"},
		{"mvappend", corrBase + ` | eval r=mvappend("a", null())`, "mvappend is not part"},
		{"if arity", corrBase + ` | eval r=if(isnull('durationMs'),1)`, "if takes 3..3 arguments"},
	} {
		err := Check(c.q, known)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Check = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// TestGoldens checks every non-error splunk golden of the repository.
func TestGoldens(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "..", "testdata", "golden", "splunk", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no splunk goldens yet")
	}
	known := SignInFields()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, query := range GoldenQueries(string(data)) {
			if err := Check(query, known); err != nil {
				t.Errorf("%s: %v\n%s", filepath.Base(f), err, query)
			}
		}
	}
}

func TestGoldenQueries(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"q1\n", []string{"q1"}},
		{"error: x\n", nil},
		{"q1\n-- warnings --\n1:2: w\n", []string{"q1"}},
		{"== document 1: a ==\nq1\n== document 2: b ==\nerror: 3:4: e\n== document 3: c ==\nq3\n-- warnings --\n5:6: w\n", []string{"q1", "q3"}},
	} {
		got := GoldenQueries(c.text)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("GoldenQueries(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
