package evaluate

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// programs loads a YAML file, translates every rule document and compiles it.
func programs(t *testing.T, name, yaml string) []*Program {
	t.Helper()
	f := rules.LoadFile(name, []byte(yaml))
	rules.Resolve([]*rules.File{f})
	for _, d := range f.Diags {
		t.Fatalf("load: %s", d.Error())
	}
	var out []*Program
	for _, d := range f.Docs {
		for _, dg := range d.Diags {
			if dg.Severity == rules.SevError {
				t.Fatalf("load: %s", dg.Error())
			}
		}
		if d.Kind != rules.KindRule {
			continue
		}
		q, ds := translate.Translate(d, nil)
		if q == nil {
			t.Fatalf("translate: %v", ds)
		}
		p, err := Compile(q)
		if err != nil {
			t.Fatalf("compile: %v", err)
		}
		out = append(out, p)
	}
	return out
}

// matches runs p over JSON Lines and renders the matching line numbers and any line errors.
func matches(t *testing.T, p *Program, events string) string {
	t.Helper()
	r := NewReader(strings.NewReader(events), "events.jsonl", "")
	var out []string
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		if p.Match(ev) {
			out = append(out, fmt.Sprint(ev.Line))
		}
	}
	return strings.Join(out, " ")
}

const e2eEvents = `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs","ResultType":"50053","UserAgent":"python-requests/2.31","IPAddress":"203.0.113.9","DeviceDetail":{"isCompliant":false,"trustType":""},"RiskState":"atRisk","AuthenticationRequirement":"singleFactorAuthentication"}
{"TimeGenerated":"2024-05-06T07:08:10Z","Type":"SigninLogs","ResultType":"50053","UserAgent":"python-requests/2.31","IPAddress":"10.1.2.3","DeviceDetail":{"isCompliant":true,"trustType":"Azure AD joined"}}
{"TimeGenerated":"2024-05-06T07:08:11Z","Type":"AADNonInteractiveUserSignInLogs","ResultType":"50053","UserAgent":"PYTHON-requests","IPAddress":"203.0.113.10","DeviceDetail":"{\"isCompliant\":false}"}
not json
{"TimeGenerated":"2024-05-06T23:30:00Z","Type":"SigninLogs","ResultType":"0","UserAgent":"Mozilla/5.0","IPAddress":"2001:db8::7","DeviceDetail":{"isCompliant":false},"RiskState":"atRisk","AuthenticationRequirement":"singleFactorAuthentication"}
{"TimeGenerated":"2024-05-06T07:08:12Z","Type":"AADServicePrincipalSignInLogs","ResultType":"50053","IPAddress":"203.0.113.11","ServicePrincipalName":"python-app"}
`

func TestEndToEnd(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"lockout from a script, not compliant", `title: Scripted lockout
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50053
        UserAgent|startswith: 'python'
    filter:
        DeviceDetail.isCompliant: true
    condition: selection and not filter
`, "1 events.jsonl:4: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u')"},
		{"all sign-in tables with a CIDR and an IPv6 range", `title: Outside the office
logsource:
    product: azure
    service: combinedsigninlogs
detection:
    selection:
        IPAddress|cidr:
            - 203.0.113.0/24
            - 2001:db8::/32
    filter:
        UserAgent|contains: 'python'
    condition: selection and not filter
`, "events.jsonl:4: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u') 5 6"},
		{"single factor from an unknown device (empty or null trust type)", `title: Single factor, unknown device
logsource:
    product: azure
    service: signinlogs
detection:
    selection_main:
        Status: 'Success'
        AuthenticationRequirement: 'singleFactorAuthentication'
        RiskState: 'atRisk'
    selection_empty1:
        DeviceDetail.trusttype: ''
    selection_empty2:
        DeviceDetail.trusttype: null
    condition: selection_main and 1 of selection_empty*
`, "events.jsonl:4: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u') 5"},
		{"late-night hour and keyword", `title: Late
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        TimeGenerated|hour: 23
    keywords:
        - 'mozilla'
    condition: selection and keywords
`, "events.jsonl:4: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u') 5"},
	}
	for _, tt := range tests {
		ps := programs(t, tt.name+".yml", tt.yaml)
		if len(ps) != 1 {
			t.Fatalf("%s: %d programs", tt.name, len(ps))
		}
		if got := matches(t, ps[0], e2eEvents); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// TestCompilesTranslatedRules checks that every rule of the project's test set and of SigmaHQ's
// sign-in rules that translates also compiles for evaluation.
func TestCompilesTranslatedRules(t *testing.T) {
	var files []string
	for _, pat := range []string{"../../testdata/rules/*.yml", "../../../shared/corpus/sigmahq/rules*/cloud/azure/signin_logs/*.yml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no rule files found")
	}
	// Regexes RE2 cannot run are the only expected failures (the rule states them as such).
	wantErr := map[string]string{
		"modifier-re-lookahead.yml": "../../testdata/rules/modifier-re-lookahead.yml:12:31: UserPrincipalName|re: the regular expression \"^(?!svc_).*@contoso\\\\.com$\" cannot be evaluated (RE2 syntax): invalid or unsupported Perl syntax: `(?!`",
	}
	translated := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f := rules.LoadFile(path, data)
		rules.Resolve([]*rules.File{f})
		var filters []*rules.Document
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter {
				filters = append(filters, d)
			}
		}
		for _, d := range f.Docs {
			if d.Kind != rules.KindRule || d.Diags.HasErrors() {
				continue
			}
			q, _ := translate.Translate(d, filters)
			if q == nil {
				continue
			}
			translated++
			_, err := Compile(q)
			want, isWanted := wantErr[filepath.Base(path)]
			switch {
			case isWanted && (err == nil || err.Error() != want):
				t.Errorf("%s: err = %v\nwant %s", path, err, want)
			case !isWanted && err != nil:
				t.Errorf("%s: %v", path, err)
			}
		}
	}
	if translated < 10 {
		t.Errorf("only %d rules translated; the test set moved?", translated)
	}
}
