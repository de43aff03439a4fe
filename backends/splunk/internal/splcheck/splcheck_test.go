package splcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

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
