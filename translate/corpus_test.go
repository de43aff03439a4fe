package translate

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// corpusDir holds SigmaHQ's sign-in rules (read-only, outside the repository).
const corpusDir = "../../shared/corpus/sigmahq/rules/cloud/azure/signin_logs"

// translateFile loads, resolves and translates every document of one file into the outcome text.
func translateFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	f := rules.LoadFile(name, data)
	rules.Resolve([]*rules.File{f})
	var b strings.Builder
	for _, d := range f.Diags {
		fmt.Fprintf(&b, "load %s\n", d.Error())
	}
	var filters []*rules.Document
	for _, d := range f.Docs {
		if d.Kind == rules.KindFilter {
			filters = append(filters, d)
		}
	}
	for _, d := range f.Docs {
		for _, dg := range d.Diags {
			fmt.Fprintf(&b, "load %s\n", dg.Error())
		}
		if d.Kind == rules.KindFilter || d.Diags.HasErrors() {
			continue
		}
		q, ds := Translate(d, filters)
		if q != nil {
			fmt.Fprintf(&b, "ok %s\n", Format(q.Where))
			for _, l := range q.Legs {
				if w := Format(l.Where); w != Format(q.Where) || len(q.Legs) > 1 {
					fmt.Fprintf(&b, "  %s: %s\n", l.Table.Name, w)
				}
			}
			for _, w := range q.Warnings {
				fmt.Fprintf(&b, "  warning %s: %s\n", w.Pos, w.Msg)
			}
		}
		for _, dg := range ds {
			fmt.Fprintf(&b, "%s\n", dg.Error())
		}
	}
	return b.String()
}

// TestSigmaHQSigninCorpus translates every SigmaHQ sign-in rule and compares the outcome (the
// predicate and warnings, or the errors) with testdata/sigmahq-signin.golden.
func TestSigmaHQSigninCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("SigmaHQ corpus not available (%v)", err)
	}
	var b strings.Builder
	n := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".yml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n++
		fmt.Fprintf(&b, "== %s\n%s", e.Name(), translateFile(t, e.Name(), data))
	}
	if n != 18 {
		t.Errorf("corpus has %d rules, want 18", n)
	}
	golden(t, "testdata/sigmahq-signin.golden", b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s: first difference at line %d:\n got %q\nwant %q", path, i+1, g, w)
			}
		}
	}
}

// TestLoadedRules translates small rules loaded through rules.LoadFile, so positions are the
// loader's real ones.
func TestLoadedRules(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"rule and filter", `title: r
id: 5a0c8e5e-8d3b-4c4e-9a57-2f4a9f4c1e11
logsource:
    product: azure
    service: combinedsigninlogs
detection:
    selection:
        UserPrincipalName|endswith: '@example.com'
        ResultType: 50126
    condition: selection
---
title: f
logsource:
    product: azure
    service: combinedsigninlogs
filter:
    rules:
        - 5a0c8e5e-8d3b-4c4e-9a57-2f4a9f4c1e11
    selection:
        IPAddress|cidr: 10.0.0.0/8
    condition: not selection
`, `ok and(eq(UserPrincipalName, *"@example.com"), eq(ResultType, 50126), not(cidr(IPAddress, 10.0.0.0/8)))
  SigninLogs: and(eq(UserPrincipalName, *"@example.com"), eq(ResultType, 50126), not(cidr(IPAddress, 10.0.0.0/8)))
  AADNonInteractiveUserSignInLogs: and(eq(UserPrincipalName, *"@example.com"), eq(ResultType, 50126), not(cidr(IPAddress, 10.0.0.0/8)))
`},
		{"positions of errors", `title: r
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        UserPrincipleName: x
        DeviceDetail.isCompliant: maybe
        UserAgent|hour: 3
    condition: selection
`, `r.yml:7:9: unknown field "UserPrincipleName"; did you mean "UserPrincipalName"?
r.yml:8:35: field DeviceDetail.isCompliant is boolean: "maybe" is not true or false
r.yml:9:19: hour: field UserAgent is not a date-time field
`},
		{"bad logsource", `title: r
logsource:
    product: azure
    service: auditlogs
detection:
    selection:
        AppId: x
    condition: selection
`, `r.yml:4:14: logsource: service "auditlogs" is not supported; entrasig translates product: azure with service: signinlogs, aadnoninteractiveusersigninlogs, aadserviceprincipalsigninlogs, aadmanagedidentitysigninlogs or combinedsigninlogs
`},
		{"never matches", `title: r
logsource:
    product: azure
    service: aadmanagedidentitysigninlogs
detection:
    selection:
        AppId: x
        DeviceDetail.isCompliant: true
    condition: selection
`, `r.yml:8:9: the rule can never match: DeviceDetail.isCompliant is not a column of AADManagedIdentitySignInLogs
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := translateFile(t, "r.yml", []byte(tt.yaml)); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
