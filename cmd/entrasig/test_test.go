package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	sigma "github.com/bradleyjkemp/sigma-go"
	sigmaeval "github.com/bradleyjkemp/sigma-go/evaluator"
	"gopkg.in/yaml.v3"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// packReport is what `entrasig test` prints for the built-in pack when every case passes.
const packReport = `ok   rules/signin/admin-consent-required.yml (2 cases)
ok   rules/signin/application-not-found-probing.yml (6 cases)
ok   rules/signin/brute-force-single-account.yml (7 cases)
ok   rules/signin/conditional-access-blocks-across-apps.yml (6 cases)
ok   rules/signin/cross-tenant-access.yml (2 cases)
ok   rules/signin/disabled-account-sign-in.yml (2 cases)
ok   rules/signin/legacy-authentication.yml (2 cases)
ok   rules/signin/lockout-after-password-failures.yml (7 cases)
ok   rules/signin/mfa-fatigue.yml (9 cases)
ok   rules/signin/password-spray.yml (7 cases)
ok   rules/signin/risky-sign-in-success.yml (2 cases)
ok   rules/signin/service-principal-session-token-replay.yml (2 cases)
ok   rules/signin/unexpected-managed-identity.yml (2 cases)
ok   rules/signin/unmanaged-device-admin-portal.yml (2 cases)
14 passed, 0 failed
`

// The pack's own test cases pass: embedded (no PATH) and read from the repository's directory,
// with the same report.
func TestPackCasesPass(t *testing.T) {
	for _, args := range [][]string{{"test"}, {"test", "rules/signin"}} {
		stdout, stderr, code := invoke(t, "", args...)
		if stdout != packReport || stderr != "" || code != exitOK {
			t.Errorf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
	}
}

// invokeIn runs the CLI in dir, so paths in messages are the relative ones the test passes.
func invokeIn(t *testing.T, dir, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func writeTestFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const disabledRule = `title: Disabled account
id: 5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
status: test
description: Sign-ins to disabled accounts
author: entrasig tests
date: 2026-11-27
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50057
    condition: selection
level: medium
`

const countRule = `title: Failure
id: 6b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e
name: failure
status: test
description: A failure
author: entrasig tests
date: 2026-11-27
logsource:
    product: azure
    service: signinlogs
detection:
    selection:
        ResultType: 50126
    condition: selection
level: low
---
title: Three failures
id: 7c2d3e4f-5a6b-4c7d-8e8f-9a0b1c2d3e4f
status: test
description: Three failures for one account in ten minutes
author: entrasig tests
date: 2026-11-27
correlation:
    type: event_count
    rules:
        - failure
    group-by:
        - UserPrincipalName
    timespan: 10m
    condition:
        gte: 3
level: medium
`

func ev3(user string, minutes ...int) string {
	var b strings.Builder
	for _, m := range minutes {
		fmt.Fprintf(&b, "      - {TimeGenerated: 2026-11-27T10:%02d:00Z, ResultType: '50126', UserPrincipalName: %s}\n", m, user)
	}
	return b.String()
}

// A wrong expectation fails with an exact report; a rule without cases is listed and not counted;
// a test-case file with an unknown key fails at its position.
func TestBrokenExpectations(t *testing.T) {
	dir := t.TempDir()
	writeTestFiles(t, dir, map[string]string{
		"a-disabled.yml": disabledRule,
		"a-disabled.tests.yml": `cases:
  - name: right
    events:
      - {TimeGenerated: 2026-11-27T10:00:00Z, ResultType: '50057'}
      - {TimeGenerated: 2026-11-27T10:01:00Z, ResultType: '0'}
    matches: [1]
  - name: wrong
    events:
      - {TimeGenerated: 2026-11-27T10:00:00Z, ResultType: '50057'}
      - {TimeGenerated: 2026-11-27T10:01:00Z, ResultType: '0'}
    matches: [1, 2]
`,
		"b-count.yml": countRule,
		"b-count.tests.yml": "cases:\n  - name: three fire\n    events:\n" + ev3("alice", 1, 2, 3) +
			"    fires: []\n  - name: a window boundary\n    events:\n" + ev3("alice", 8, 9, 10) +
			"    fires:\n      - {window: 2026-11-27T10:00:00Z, group: {UserPrincipalName: alice}}\n" +
			"  - name: right\n    events:\n" + ev3("bob", 1, 2, 3) +
			"    fires:\n      - {window: 2026-11-27T10:00:00Z, group: {UserPrincipalName: bob}}\n",
		"c-none.yml":       disabledRule,
		"d-typo.yml":       disabledRule,
		"d-typo.tests.yml": "cases:\n  - name: typo\n    events: []\n    expect: [1]\n",
		"e-ok.yml":         disabledRule,
		"e-ok.tests.yml":   "cases:\n  - name: no events\n    events: []\n    matches: []\n",
		"f-gone.tests.yml": "cases:\n  - name: orphan\n    events: []\n    matches: []\n",
	})
	stdout, stderr, code := invokeIn(t, dir, "", "test", ".")
	want := `FAIL a-disabled.yml: case "wrong" expected matches [1 2], got [1]
FAIL b-count.yml: case "three fire" expected fires [], got [2026-11-27T10:00:00Z UserPrincipalName="alice"]
FAIL b-count.yml: case "a window boundary" expected fires [2026-11-27T10:00:00Z UserPrincipalName="alice"], got []
?    c-none.yml [no test cases]
FAIL d-typo.yml: d-typo.tests.yml:4:5: unknown key "expect" (expected name, rule, events, matches or fires)
ok   e-ok.yml (1 case)
FAIL f-gone.tests.yml: no rule file f-gone.yml beside it
1 passed, 4 failed
`
	if stdout != want || stderr != "" || code != exitFailed {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}

	// A test-case file named on the command line stands for its rule file.
	stdout, _, code = invokeIn(t, dir, "", "test", "e-ok.tests.yml")
	if stdout != "ok   e-ok.yml (1 case)\n1 passed, 0 failed\n" || code != exitOK {
		t.Errorf("tests file as PATH: exit %d, stdout %q", code, stdout)
	}
}

// Problems inside test-case files are reported at their position, one FAIL line per rule file.
func TestTestCaseFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, tests, want string
	}{
		{"not a mapping", "- 1\n", "r.tests.yml:1:1: expected a mapping with a `cases:` list"},
		{"no cases", "cases: []\n", "r.tests.yml:1:1: `cases:` must be a non-empty list"},
		{"alias", "cases:\n  - &c {name: x, events: [], matches: []}\n", "r.tests.yml:2:5: anchors and aliases are not allowed in test cases"},
		{"duplicate name", "cases:\n  - {name: x, events: [], matches: []}\n  - {name: x, events: [], matches: []}\n", `r.tests.yml:3:5: case "x": a case of that name comes earlier`},
		{"both expectations", "cases:\n  - {name: x, events: [], matches: [], fires: []}\n", `r.tests.yml:2:47: case "x": give matches (a rule) or fires (a correlation), not both`},
		{"event number out of range", "cases:\n  - {name: x, events: [{TimeGenerated: 2026-11-27T10:00:00Z}], matches: [2]}\n", `r.tests.yml:2:74: case "x": matches: "2" is not an event number (1 to 1)`},
		{"hex number", "cases:\n  - {name: x, events: [{TimeGenerated: 2026-11-27T10:00:00Z, DurationMs: 0x10}], matches: []}\n", `r.tests.yml:2:74: case "x": number 0x10 is not written as a JSON number (quote it to make it a string)`},
		{"fires for a rule", "cases:\n  - {name: x, events: [], fires: []}\n", `r.tests.yml:2:27: case "x": the expectation for this document is matches (it is a rule)`},
		{"missing time", "cases:\n  - {name: x, events: [{ResultType: '0'}], matches: []}\n", `r.tests.yml:2:24: case "x": event 1: TimeGenerated is missing`},
		{"group field not grouped by", "cases:\n  - {name: x, events: [], fires: [{window: 2026-11-27T10:00:00Z, group: {IPAddress: 203.0.113.7}}]}\n", `r.tests.yml:2:35: case "x": group: "IPAddress" is not a group-by field of the correlation (UserPrincipalName)`},
		{"group field missing", "cases:\n  - {name: x, events: [], fires: [{window: 2026-11-27T10:00:00Z, group: {}}]}\n", `r.tests.yml:2:35: case "x": group: the group-by field UserPrincipalName is missing (write null for events without a value)`},
		{"bad window", "cases:\n  - {name: x, events: [], fires: [{window: 10:00}]}\n", `r.tests.yml:2:44: case "x": window "10:00" is not an RFC 3339 date-time`},
		{"unknown rule", "cases:\n  - {name: x, rule: nope, events: [], matches: []}\n", `r.tests.yml:2:21: case "x": no document with name, id or title "nope" in the rule file`},
		{"unknown table", "cases:\n  - {name: x, events: [{TimeGenerated: 2026-11-27T10:00:00Z, Type: AuditLogs}], matches: []}\n", `r.tests.yml:2:24: case "x": event 1: unknown table "AuditLogs" (want one of SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			rule := disabledRule
			if strings.Contains(c.tests, "fires: [{") {
				rule = countRule
			}
			writeTestFiles(t, dir, map[string]string{"r.yml": rule, "r.tests.yml": c.tests})
			stdout, stderr, code := invokeIn(t, dir, "", "test", "r.yml")
			want := "FAIL r.yml: " + c.want + "\n0 passed, 1 failed\n"
			if stdout != want || stderr != "" || code != exitFailed {
				t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr %q", code, stdout, want, stderr)
			}
		})
	}
}

// eventsInput has a malformed line (2), a blank line (4), an event without Type (5), and an MFA
// fatigue sequence (6-11).
const eventsInput = `{"TimeGenerated":"2026-11-27T10:00:00Z","Type":"SigninLogs","ResultType":"0","ClientAppUsed":"IMAP4","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:01:00Z",
{"TimeGenerated":"2026-11-27T10:02:00Z","Type":"SigninLogs","ResultType":"50057","UserPrincipalName":"bob@contoso.com"}

{"TimeGenerated":"2026-11-27T10:03:00Z","ResultType":"0","ClientAppUsed":"POP3","UserPrincipalName":"carol@contoso.com"}
{"TimeGenerated":"2026-11-27T10:11:00Z","Type":"SigninLogs","ResultType":"500121","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:12:00Z","Type":"SigninLogs","ResultType":"50074","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:13:00Z","Type":"SigninLogs","ResultType":"500121","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:14:00Z","Type":"SigninLogs","ResultType":"500121","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:15:00Z","Type":"SigninLogs","ResultType":"500121","UserPrincipalName":"alice@contoso.com"}
{"TimeGenerated":"2026-11-27T10:16:00Z","Type":"SigninLogs","ResultType":"0","UserPrincipalName":"alice@contoso.com"}
`

// --events runs the whole pack over events: matches by line, correlations by window and group;
// a malformed line is reported with its position and evaluation goes on, exit 1 at the end.
func TestEventsText(t *testing.T) {
	stdout, stderr, code := invoke(t, eventsInput, "test", "--events", "-", "--table", "AADNonInteractiveUserSignInLogs")
	want := `rules/signin/legacy-authentication.yml: <stdin>:1
rules/signin/disabled-account-sign-in.yml: <stdin>:3
rules/signin/legacy-authentication.yml: <stdin>:5
rules/signin/mfa-fatigue.yml: <stdin>: window 2026-11-27T10:10:00Z UserPrincipalName="alice@contoso.com" value 2 lines 6,7,8,9,10,11
`
	if stdout != want || stderr != "<stdin>:2: invalid JSON: unexpected end of line\n" || code != exitFailed {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}

	// Without --table, the event without Type is an error of its line too.
	stdout, stderr, code = invoke(t, eventsInput, "test", "--events", "-", "rules/signin/legacy-authentication.yml")
	wantErr := "<stdin>:2: invalid JSON: unexpected end of line\n" +
		"<stdin>:5: no table: the event has no Type column and no default table was given\n"
	if stdout != "rules/signin/legacy-authentication.yml: <stdin>:1\n" || stderr != wantErr || code != exitFailed {
		t.Errorf("no --table: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestEventsJSON(t *testing.T) {
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	// Without the malformed line and the event without Type: exit 0 (line 3 is blank).
	var good []string
	for i, line := range strings.Split(eventsInput, "\n") {
		if i != 1 && i != 4 {
			good = append(good, line)
		}
	}
	writeTestFiles(t, dir, map[string]string{"events.jsonl": strings.Join(good, "\n")})
	t.Chdir(repoRoot)
	rel, err := filepath.Rel(repoRoot, events)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := invoke(t, "", "test", "--format", "json", "--events", rel,
		"rules/signin/legacy-authentication.yml", "rules/signin/mfa-fatigue.yml")
	want := `{"rule":"rules/signin/legacy-authentication.yml","id":"d0258013-8868-483c-b110-34a80bdbd68b","title":"Successful Sign-In With a Legacy Authentication Client","events":"` + rel + `","lines":[1]}
{"rule":"rules/signin/mfa-fatigue.yml","id":"83b0deb9-5cbe-470c-adf0-231dab8c3884","title":"MFA Fatigue Followed by a Successful Sign-In","events":"` + rel + `","lines":[4,5,6,7,8,9],"window":"2026-11-27T10:10:00Z","group":{"UserPrincipalName":"alice@contoso.com"},"start":"2026-11-27T10:11:00Z","end":"2026-11-27T10:16:00Z","value":2}
`
	if stdout != want || stderr != "" || code != exitOK {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", code, stdout, want, stderr)
	}
}

// Events out of time order: a correlation reports the late event on its line and goes on.
func TestEventsOutOfOrder(t *testing.T) {
	in := `{"TimeGenerated":"2026-11-27T10:21:00Z","Type":"SigninLogs","ResultType":"50126","UserPrincipalName":"a@contoso.com"}
{"TimeGenerated":"2026-11-27T10:01:00Z","Type":"SigninLogs","ResultType":"50126","UserPrincipalName":"a@contoso.com"}
`
	stdout, stderr, code := invoke(t, in, "test", "--events", "-", "rules/signin/brute-force-single-account.yml", "rules/signin/lockout-after-password-failures.yml")
	// The first event (10:21) closed the 10-minute windows before 10:20; the 30-minute window
	// 10:00-10:30 is still open, so only the brute-force correlation rejects the late event.
	want := "<stdin>:2: event at 2026-11-27T10:01:00Z is earlier than a window already closed (events must be sorted by TimeGenerated) (rules/signin/brute-force-single-account.yml)\n"
	if stdout != "" || code != exitFailed || stderr != want {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant   %q", code, stdout, stderr, want)
	}
}

// A file out of time order, or full of bad lines, gives a bounded report: the first maxReported
// problems of each kind, then one line with the count of the rest.
func TestEventsErrorsCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 15; i++ {
		b.WriteString("not json\n")
	}
	for i := 0; i < 14; i++ {
		fmt.Fprintf(&b, `{"TimeGenerated":"2026-11-27T%02d:00:00Z","Type":"SigninLogs","ResultType":"50126","UserPrincipalName":"a@contoso.com"}`+"\n", 23-i)
	}
	stdout, stderr, code := invoke(t, b.String(), "test", "--events", "-", "rules/signin/brute-force-single-account.yml")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if stdout != "" || code != exitFailed || len(lines) != 22 {
		t.Fatalf("exit %d, stdout %q, %d stderr lines:\n%s", code, stdout, len(lines), stderr)
	}
	if lines[0] != "<stdin>:1: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u')" ||
		lines[9] != "<stdin>:10: invalid JSON at byte 2: invalid character 'o' in literal null (expecting 'u')" ||
		lines[10] != "<stdin>:17: event at 2026-11-27T22:00:00Z is earlier than a window already closed (events must be sorted by TimeGenerated) (rules/signin/brute-force-single-account.yml)" ||
		lines[20] != "<stdin>: 5 more bad lines not shown" ||
		lines[21] != "<stdin>: 3 more events out of time order not shown (rules/signin/brute-force-single-account.yml)" {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestTestUsage(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"bad format", []string{"test", "--events", "x", "--format", "xml"}, "entrasig test: unknown --format \"xml\" (text or json)\n"},
		{"bad table", []string{"test", "--events", "x", "--table", "AuditLogs"}, "entrasig test: --table: unknown table \"AuditLogs\" (want one of SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs)\n"},
		{"table without events", []string{"test", "--table", "SigninLogs"}, "entrasig test: --table and --format apply to --events only\n"},
		{"stdin twice", []string{"test", "--events", "-", "-"}, "entrasig test: standard input can be read only once (rules or events)\n"},
		{"stdin twice for events", []string{"test", "--events", "-", "--events", "-"}, "entrasig test: standard input can be read only once (rules or events)\n"},
		{"rules from stdin without events", []string{"test", "-"}, "entrasig test: test cases are read beside rule files; give a file or directory, or --events to run rules from standard input\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := invoke(t, "", c.args...)
			if code != exitUsage || stdout != "" || stderr != c.stderr {
				t.Errorf("exit %d stdout %q stderr %q\nwant stderr %q", code, stdout, stderr, c.stderr)
			}
		})
	}
	_, stderr, code := invoke(t, "", "test", "--help")
	if code != exitOK || !strings.HasPrefix(stderr, "Usage: "+testUsage+"\n") {
		t.Errorf("--help: exit %d stderr %q", code, stderr)
	}
	_, stderr, code = invoke(t, "", "test", "--events", "no-such.jsonl", "rules/signin/legacy-authentication.yml")
	if code != exitFailed || stderr != "no-such.jsonl: cannot read: no such file or directory\n" {
		t.Errorf("missing events file: exit %d stderr %q", code, stderr)
	}
}

// convert without a PATH converts the embedded pack exactly as converting the directory does, and
// the directory walker of convert and check skips the test-case files.
func TestConvertEmbeddedPack(t *testing.T) {
	emb, embErr, embCode := invoke(t, "", "convert", "-t", "all", "--format", "json")
	dir, dirErr, dirCode := invoke(t, "", "convert", "-t", "all", "--format", "json", "rules/signin")
	if emb != dir || embErr != dirErr || embCode != dirCode {
		t.Errorf("embedded pack and rules/signin differ: exit %d/%d\n%s\n---\n%s", embCode, dirCode, embErr, dirErr)
	}
	if n := strings.Count(emb, "\n"); n != 14*4 {
		t.Errorf("%d JSON lines, want 56 (14 rules x 4 targets)", n)
	}
	stdout, stderr, code := invoke(t, "", "check", "rules/signin")
	if stdout != "14 files, 14 documents: 14 ok, 0 failed, 0 warnings\n" || stderr != "" || code != exitOK {
		t.Errorf("check rules/signin: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

// ---- cross-check against sigma-go ----

// sigmaGoModifiers are the modifiers sigma-go v0.6.6's evaluator implements with Sigma's meaning
// (its comparators, base64 and all). Everything else (exists, fieldref, cased, windash, the utf16
// family, base64offset, time parts, expand) is outside the cross-checked subset.
func sigmaGoModifiers() map[string]bool {
	return map[string]bool{"contains": true, "startswith": true, "endswith": true, "re": true,
		"cidr": true, "gt": true, "gte": true, "lt": true, "lte": true, "base64": true, "all": true}
}

// outsideSigmaGo says why a rule is outside what sigma-go evaluates as Sigma does ("" when inside):
// correlations (it has none), keywords (it rejects them), modifiers it lacks, null values (it
// cannot read them), and wildcards in plain values (it compares them as literal text).
func outsideSigmaGo(d *rules.Document) string {
	if d.Kind != rules.KindRule || d.Rule == nil {
		return "correlation"
	}
	var why []string
	add := func(s string) {
		for _, w := range why {
			if w == s {
				return
			}
		}
		why = append(why, s)
	}
	for _, s := range d.Rule.Detection.Searches {
		if s.Kind == rules.SearchKeywords {
			add("keywords")
			continue
		}
		for _, m := range s.Maps {
			for _, fm := range m {
				plain := true
				for _, mod := range fm.Modifiers {
					if !sigmaGoModifiers()[mod.Name] {
						add(mod.Name)
					}
					if mod.Name != "all" {
						plain = false
					}
				}
				for _, v := range fm.Values {
					if v.Kind == rules.ValNull {
						add("null")
					}
					for _, seg := range v.Segs {
						if plain && (seg.Kind == rules.SegStar || seg.Kind == rules.SegQuestion) {
							add("wildcards")
						}
					}
				}
			}
		}
	}
	return strings.Join(why, ", ")
}

// docYAML returns the text of each YAML document of a file, re-encoded.
func docYAML(t *testing.T, data []byte) [][]byte {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out [][]byte
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		b, err := yaml.Marshal(&n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// caseEventOf is one event of the pack's test cases, for both evaluators.
type caseEventOf struct {
	at  string // file and case, for messages
	obj map[string]any
	ev  *evaluate.Event
}

// TestSigmaGoAgrees: for every plain rule of the pack inside sigma-go's subset (correlation base
// rules included), entrasig's evaluator and sigma-go v0.6.6's agree on every event of every test
// case of the pack routed to the rule's tables (sigma-go has no notion of tables).
func TestSigmaGoAgrees(t *testing.T) {
	srcs, err := packSources()
	if err != nil {
		t.Fatal(err)
	}
	l := load(srcs)
	// Every event of every case, with its Type defaulted as `entrasig test` does.
	var events []caseEventOf
	for i, src := range srcs {
		f := l.files[i]
		_, data, ok, err := readTests(src, true)
		if err != nil || !ok {
			t.Fatalf("%s: tests: %v %v", src.path, ok, err)
		}
		cases, err := parseTests(data)
		if err != nil {
			t.Fatalf("%s: %v", src.path, err)
		}
		var def *rules.Document
		for _, d := range rules.Outputs([]*rules.File{f}) {
			def = d
		}
		for _, c := range cases {
			d := def
			if c.rule != "" {
				d = findDoc(f, c.rule)
			}
			cp, err := compileDoc(f, d, l.filters)
			if err != nil {
				t.Fatal(err)
			}
			for k, ce := range c.events {
				ev, err := evaluate.NewEvent(ce.obj, defaultTable(cp.q))
				if err != nil {
					t.Fatal(err)
				}
				events = append(events, caseEventOf{at: fmt.Sprintf("%s case %q event %d", src.path, c.name, k+1), obj: ce.obj, ev: ev})
			}
		}
	}

	var outside []string
	checked, compared, matched := 0, 0, 0
	for i, src := range srcs {
		f := l.files[i]
		texts := docYAML(t, src.data)
		for _, d := range f.Docs {
			if why := outsideSigmaGo(d); why != "" {
				if why != "correlation" {
					outside = append(outside, fmt.Sprintf("%s: %s", d.Meta.Title, why))
				}
				continue
			}
			cp, err := compileDoc(f, d, l.filters)
			if err != nil {
				t.Fatal(err)
			}
			sr, err := sigma.ParseRule(texts[d.Index])
			if err != nil {
				t.Errorf("%s: sigma-go cannot parse: %v", d.Meta.Title, err)
				continue
			}
			// Dotted fields are sub-keys of dynamic columns: sigma-go reads them as JSONPath.
			cfg := sigma.Config{FieldMappings: map[string]sigma.FieldMapping{}}
			for _, s := range d.Rule.Detection.Searches {
				for _, m := range s.Maps {
					for _, fm := range m {
						if strings.Contains(fm.Field, ".") {
							cfg.FieldMappings[fm.Field] = sigma.FieldMapping{TargetNames: []string{"$." + fm.Field}}
						}
					}
				}
			}
			theirs := sigmaeval.ForRule(sr, sigmaeval.WithConfig(cfg))
			checked++
			routed := map[string]bool{}
			for _, tb := range cp.q.Tables {
				routed[tb.Name] = true
			}
			for _, e := range events {
				if !routed[e.ev.Table.Name] {
					continue
				}
				ours := cp.prog.Match(e.ev)
				res, err := theirs.Matches(context.Background(), e.obj)
				if err != nil {
					t.Errorf("%s on %s: sigma-go: %v", d.Meta.Title, e.at, err)
					continue
				}
				compared++
				if ours {
					matched++
				}
				if ours != res.Match {
					t.Errorf("%s on %s: entrasig %v, sigma-go %v", d.Meta.Title, e.at, ours, res.Match)
				}
			}
		}
	}
	sort.Strings(outside)
	wantOutside := []string{"Cross-Tenant Sign-In: exists, fieldref"}
	if strings.Join(outside, "\n") != strings.Join(wantOutside, "\n") {
		t.Errorf("rules outside sigma-go's subset:\n%s\nwant:\n%s", strings.Join(outside, "\n"), strings.Join(wantOutside, "\n"))
	}
	if checked != 15 || compared != 3992 || matched != 558 {
		t.Errorf("checked %d rules on %d (rule, event) pairs, %d matches; want 15, 3992, 558", checked, compared, matched)
	}
	t.Logf("sigma-go v0.6.6 agrees with entrasig on %d rules x routed test events = %d pairs (%d matches); outside its subset: %v", checked, compared, matched, outside)
}
