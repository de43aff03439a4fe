package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the repository root, found once before any test changes directory.
var repoRoot = func() string {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return root
}()

// invoke runs the CLI from the repository root, so paths in messages read as a user would type them.
func invoke(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(repoRoot)
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stderr string // a line the stderr must contain
	}{
		{"no args", nil, exitUsage, "Usage:"},
		{"unknown command", []string{"frobnicate"}, exitUsage, `entrasig: unknown command "frobnicate"`},
		{"convert without target", []string{"convert", "x.yml"}, exitUsage, "entrasig convert: -t TARGETS is required (known: kusto, esql, kibana, splunk, or all)"},
		{"unknown target", []string{"convert", "-t", "kusto,sql", "x.yml"}, exitUsage, `entrasig convert: unknown target "sql" (known: kusto, esql, kibana, splunk, or all)`},
		{"bad format", []string{"convert", "-t", "kusto", "--format", "xml", "x.yml"}, exitUsage, `entrasig convert: unknown --format "xml" (query or json)`},
		{"bad flag", []string{"convert", "--nope"}, exitUsage, "flag provided but not defined: -nope"},
		{"check without path", []string{"check"}, exitUsage, "entrasig check: no PATH given (a file, a directory, or - for stdin)"},
		{"targets with argument", []string{"targets", "x"}, exitUsage, `entrasig targets: unexpected argument "x"`},
		{"unsafe splunk index", []string{"convert", "-t", "splunk", "--splunk-index", "main | delete", "x.yml"}, exitUsage, `entrasig convert: splunk: invalid index name "main | delete"`},
		{"unsafe kusto function", []string{"convert", "-t", "kusto", "--kusto-function", "F | take 1", "x.yml"}, exitUsage, `entrasig convert: kusto: function name "F | take 1" is not a plain identifier`},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := invoke(t, "", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.Contains(stderr, c.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, c.stderr)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	stdout, stderr, code := invoke(t, "", "--version")
	if stdout != "entrasig "+version+"\n" || stderr != "" || code != exitOK {
		t.Errorf("--version: %q %q %d", stdout, stderr, code)
	}
	stdout, _, code = invoke(t, "", "--help")
	if !strings.HasPrefix(stdout, "entrasig compiles Sigma rules") || code != exitOK {
		t.Errorf("--help: %q %d", stdout, code)
	}
	_, stderr, code = invoke(t, "", "convert", "--help")
	if !strings.HasPrefix(stderr, "Usage: entrasig convert -t TARGETS") || code != exitOK {
		t.Errorf("convert --help: %q %d", stderr, code)
	}
}

func TestTargets(t *testing.T) {
	stdout, stderr, code := invoke(t, "", "targets")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		names = append(names, strings.Fields(line)[0])
	}
	if got := strings.Join(names, ","); got != "kusto,esql,kibana,splunk" {
		t.Errorf("targets listed %q", got)
	}
}

const singleCodeKusto = "SigninLogs\n| where ResultType == \"50053\"\n"

func TestConvertFile(t *testing.T) {
	stdout, stderr, code := invoke(t, "", "convert", "-t", "kusto", "testdata/rules/shape-single-code.yml")
	if stdout != singleCodeKusto || stderr != "" || code != exitOK {
		t.Errorf("got stdout %q stderr %q exit %d", stdout, stderr, code)
	}
}

func TestConvertStdin(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "rules", "shape-single-code.yml"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := invoke(t, string(data), "convert", "-", "-t", "kusto")
	if stdout != singleCodeKusto || stderr != "" || code != exitOK {
		t.Errorf("got stdout %q stderr %q exit %d", stdout, stderr, code)
	}
}

func TestConvertSeveralTargetsHasHeaders(t *testing.T) {
	stdout, _, code := invoke(t, "", "convert", "-t", "kusto,splunk", "testdata/rules/shape-single-code.yml")
	want := "==> testdata/rules/shape-single-code.yml [kusto] <==\n" + singleCodeKusto +
		"\n==> testdata/rules/shape-single-code.yml [splunk] <==\n" +
		"sourcetype=\"azure:monitor:aad\" category=SignInLogs properties.status.errorCode=50053\n"
	if stdout != want || code != exitOK {
		t.Errorf("got %q exit %d\nwant %q", stdout, code, want)
	}
}

func TestConvertJSON(t *testing.T) {
	stdout, stderr, code := invoke(t, "", "convert", "-t", "kusto,kibana", "--format", "json",
		"testdata/rules/shape-single-code.yml", "testdata/rules/modifier-re.yml")
	if code != exitFailed {
		t.Errorf("exit %d, want %d (kibana cannot do re)", code, exitFailed)
	}
	if !strings.Contains(stderr, "testdata/rules/modifier-re.yml:12:9: kibana: re is not supported") {
		t.Errorf("stderr lacks the kibana error: %q", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 JSON lines (2 rules x 2 targets), got %d:\n%s", len(lines), stdout)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"path", "id", "title", "target", "query", "warnings", "error"} {
		if _, ok := first[k]; !ok {
			t.Errorf("JSON object lacks %q: %s", k, lines[0])
		}
	}
	if lines[0] != `{"path":"testdata/rules/shape-single-code.yml","id":"`+first["id"].(string)+`","title":"A single result code","target":"kusto","query":"SigninLogs\n| where ResultType == \"50053\"","warnings":[],"error":null}` {
		t.Errorf("first line: %s", lines[0])
	}
	if !strings.Contains(lines[3], `"target":"kibana","query":"","warnings":[],"error":"testdata/rules/modifier-re.yml:12:9: kibana: re is not supported: `) {
		t.Errorf("last line: %s", lines[3])
	}
}

func TestConvertOutputDir(t *testing.T) {
	dir := t.TempDir()
	stdout, stderr, code := invoke(t, "", "convert", "-t", "kusto,splunk", "-o", dir, "testdata/rules/shape-single-code.yml")
	if stdout != "" || stderr != "" || code != exitOK {
		t.Fatalf("got stdout %q stderr %q exit %d", stdout, stderr, code)
	}
	got, err := os.ReadFile(filepath.Join(dir, "kusto", "shape-single-code.kusto"))
	if err != nil || string(got) != singleCodeKusto {
		t.Errorf("kusto file: %q %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "splunk", "shape-single-code.splunk")); err != nil {
		t.Error(err)
	}
}

// A directory with one broken rule still converts the others, and the exit status says some failed.
func TestConvertDirectoryGoesOn(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "rules", "shape-single-code.yml"))
	bad, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "rules", "invalid", "unknown-modifier.yml"))
	os.WriteFile(filepath.Join(dir, "a-bad.yml"), bad, 0o644)
	os.WriteFile(filepath.Join(dir, "b-good.yaml"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a rule"), 0o644)
	stdout, stderr, code := invoke(t, "", "convert", "-t", "kusto", dir)
	if stdout != singleCodeKusto || code != exitFailed {
		t.Errorf("got stdout %q exit %d", stdout, code)
	}
	want := filepath.Join(dir, "a-bad.yml") + `:9:19: unknown modifier "contians" (did you mean "contains"?)` + "\n" +
		"    |         UserAgent|contians: python\n" +
		"    |                   ^\n"
	if stderr != want {
		t.Errorf("stderr %q\nwant %q", stderr, want)
	}
}

// Hostile inputs: each gives a clear error, exit 1, no panic, and no Go stack trace.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "title: t\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        ResultType: 0\n"
	bigCond := write("big.yml", head+"    condition: "+strings.Repeat("selection or ", (1<<20)/13)+"selection\n")
	deepCond := write("deep.yml", head+"    condition: "+strings.Repeat("(", 10000)+"selection"+strings.Repeat(")", 10000)+"\n")
	longCond := write("long.yml", head+"    condition: "+strings.Repeat("selection or ", 400)+"selection\n")
	emptyDir := filepath.Join(dir, "empty")
	os.Mkdir(emptyDir, 0o755)
	for _, c := range []struct {
		name, path, want string
	}{
		{"missing path", filepath.Join(dir, "missing.yml"), filepath.Join(dir, "missing.yml") + ": cannot read: no such file or directory\n"},
		{"directory without rules", emptyDir, emptyDir + ": no Sigma rules found (looked for *.yml and *.yaml)\n"},
		{"1 MiB condition", bigCond, bigCond + ":"},
		{"10,000 nested parentheses", deepCond, deepCond + ":8:"},
		{"condition over 4 KiB", longCond, longCond + ":8:"},
		{"alias bomb", "testdata/rules/invalid/alias-bomb.yml", "testdata/rules/invalid/alias-bomb.yml:1:4: YAML anchor &a"},
		{"binary garbage", "testdata/rules/invalid/binary-garbage.yml", "testdata/rules/invalid/binary-garbage.yml:1:8: file contains a NUL byte"},
		{"empty file", "testdata/rules/invalid/empty.yml", "testdata/rules/invalid/empty.yml:1:1: file is empty"},
		{"malformed YAML", "testdata/rules/invalid/malformed-yaml.yml", "testdata/rules/invalid/malformed-yaml.yml:3:1: invalid YAML"},
		{"non-mapping", "testdata/rules/invalid/non-mapping.yml", "testdata/rules/invalid/non-mapping.yml:1:1: YAML document 1 is a list"},
		{"duplicate keys", "testdata/rules/invalid/duplicate-keys.yml", "testdata/rules/invalid/duplicate-keys.yml:10:9: duplicate key"},
		{"undefined identifier", "testdata/rules/invalid/undefined-identifier.yml", `testdata/rules/invalid/undefined-identifier.yml:10:34: condition: undefined search identifier "fliter"`},
		{"unknown modifier", "testdata/rules/invalid/unknown-modifier.yml", `testdata/rules/invalid/unknown-modifier.yml:9:19: unknown modifier "contians"`},
		{"missing detection", "testdata/rules/invalid/missing-detection.yml", "testdata/rules/invalid/missing-detection.yml:1:1:"},
		{"missing condition", "testdata/rules/invalid/missing-condition.yml", "testdata/rules/invalid/missing-condition.yml:7:1: detection has no condition"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, code := invoke(t, "", "convert", "-t", "all", c.path)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, c.want) {
				t.Errorf("stderr %q\ndoes not start with %q", firstLines(stderr, 3), c.want)
			}
			for _, bad := range []string{"goroutine ", "panic:", "runtime error"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr shows a crash: %q", firstLines(stderr, 5))
				}
			}
			if lines := strings.Count(stderr, "\n"); lines > 12 {
				t.Errorf("%d lines of diagnostics for one hostile input; want a short message:\n%s", lines, firstLines(stderr, 15))
			}
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func TestCheck(t *testing.T) {
	stdout, stderr, code := invoke(t, "", "check", "testdata/rules/shape-single-code.yml", "testdata/rules/field-case-fixed.yml")
	if code != exitOK {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if stdout != "2 files, 2 documents: 2 ok, 0 failed, 3 warnings\n" {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.HasPrefix(stderr, `testdata/rules/field-case-fixed.yml:12:9: warning: field "resultType" is spelled "ResultType"`) {
		t.Errorf("stderr %q", stderr)
	}
	stdout, _, code = invoke(t, "", "check", "testdata/rules/invalid/unknown-field.yml")
	if code != exitFailed || stdout != "1 file, 1 document: 0 ok, 1 failed, 0 warnings\n" {
		t.Errorf("invalid rule: stdout %q exit %d", stdout, code)
	}
}
