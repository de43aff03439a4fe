package kibana

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// The validation test parses what this backend emits with Kibana's own kuery parser (through
// testdata/validators/kibana-check.js, one node process for everything): every query the unit tests
// emit, every escape-function output placed in a query (checking that the parser reads back exactly
// the intended text), and every non-error golden file. Deliberately broken queries must be rejected.

const validatorDir = "../../testdata/validators"

type checkQuery struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

type checkValue struct {
	Field string   `json:"field"`
	Type  string   `json:"type"`
	Parts []string `json:"parts"`
}

type checkResult struct {
	Name   string       `json:"name"`
	OK     bool         `json:"ok"`
	Error  string       `json:"error"`
	Fields []string     `json:"fields"`
	Values []checkValue `json:"values"`
}

// runChecker parses queries with the Kibana parser; it skips (or, in CI, fails) when node or the
// validator's node_modules are missing.
func runChecker(t *testing.T, queries []checkQuery) map[string]checkResult {
	t.Helper()
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(validatorDir, "node_modules", "@cybernetex", "kbn-es-query")); err != nil {
		missing = "the validator's node_modules are missing"
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: the Kibana KQL validation must run in CI (npm ci --prefix testdata/validators)", missing)
		}
		t.Skipf("%s; run `npm ci --prefix testdata/validators` to check the emitted KQL with Kibana's parser", missing)
	}
	in, err := json.Marshal(map[string]any{"queries": queries})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(validatorDir, "kibana-check.js"))
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kibana-check.js: %v\n%s", err, stderr.String())
	}
	var resp struct {
		Results []checkResult `json:"results"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("kibana-check.js output: %v\n%s", err, out)
	}
	if len(resp.Results) != len(queries) {
		t.Fatalf("kibana-check.js answered %d of %d queries", len(resp.Results), len(queries))
	}
	byName := make(map[string]checkResult, len(resp.Results))
	for _, r := range resp.Results {
		byName[r.Name] = r
	}
	return byName
}

// knownFields are the Elastic field names a query may use: the schema's, plus the data stream and
// category filters.
func knownFields() map[string]bool {
	known := map[string]bool{"data_stream.dataset": true, categoryField: true}
	for _, f := range translate.SignIn().Fields() {
		if f.Elastic.Name != "" {
			known[f.Elastic.Name] = true
		}
		if f.Elastic.StringName != "" {
			known[f.Elastic.StringName] = true
		}
	}
	return known
}

// goldenQueries reads the non-error goldens. A golden holds, per document of its rule file, the
// one-line query and optionally "-- warnings --" and warning lines; every line that starts with the
// data stream filter is a query.
func goldenQueries(t *testing.T, dir string) []checkQuery {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var qs []checkQuery
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		if strings.HasPrefix(text, "error: ") {
			continue
		}
		n := 0
		for i, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(line, datasetFilter) {
				n++
				qs = append(qs, checkQuery{Name: "golden/" + filepath.Base(p) + ":" + strconv.Itoa(i+1), Text: line})
			}
		}
		if n == 0 {
			t.Errorf("%s: no query line (starting with %s)", p, datasetFilter)
		}
	}
	return qs
}

const checkField = "azure.signinlogs.properties.user_id"

// parts splits a pattern at its `*` wildcards (what the parser reports for a wildcard value).
func parts(segs []rules.Segment) []string {
	out := []string{""}
	for _, s := range segs {
		if s.Kind == rules.SegStar {
			out = append(out, "")
			continue
		}
		out[len(out)-1] += s.Text
	}
	return out
}

func brokenQueries() []checkQuery {
	return []checkQuery{
		{Name: "broken/unbalanced-quote", Text: checkField + `: "abc`},
		{Name: "broken/unbalanced-paren", Text: `(` + checkField + `: "abc"`},
		{Name: "broken/extra-paren", Text: checkField + `: "abc")`},
		{Name: "broken/bare-colon-value", Text: checkField + `: :`},
		{Name: "broken/empty-or-operand", Text: checkField + `: ("a" or)`},
		{Name: "broken/missing-value", Text: checkField + `:`},
		{Name: "broken/unescaped-backslash", Text: checkField + `: a\b*`},
	}
}

func TestKibanaParserAcceptsEmittedKQL(t *testing.T) {
	var qs []checkQuery
	for _, c := range allEmitCases() {
		if c.err != "" {
			continue
		}
		out, err := emit(t, c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		qs = append(qs, checkQuery{Name: "emit/" + c.name, Text: out.Query})
	}
	phrases := map[string]phraseCase{}
	for i, c := range phraseCases() {
		if c.err == "" {
			name := "phrase/" + string(rune('a'+i))
			phrases[name] = c
			qs = append(qs, checkQuery{Name: name, Text: checkField + ": " + c.want})
		}
	}
	unquoted := map[string]unquotedCase{}
	for _, c := range unquotedCases() {
		if c.err == "" && c.want != "*" {
			unquoted["unquoted/"+c.name] = c
			qs = append(qs, checkQuery{Name: "unquoted/" + c.name, Text: checkField + ": " + c.want})
		}
	}
	qs = append(qs, goldenQueries(t, "../../testdata/golden/kibana")...)
	qs = append(qs, sigmaHQQueries(t)...)
	broken := brokenQueries()
	res := runChecker(t, append(slices.Clone(qs), broken...))

	known := knownFields()
	for _, q := range qs {
		r := res[q.Name]
		if !r.OK {
			t.Errorf("%s: Kibana's parser rejects %s\n  %s", q.Name, q.Text, r.Error)
			continue
		}
		for _, f := range r.Fields {
			if !known[f] {
				t.Errorf("%s: field %q is not an Elastic field of the schema (%s)", q.Name, f, q.Text)
			}
		}
	}
	for name, c := range phrases {
		want := []checkValue{{Field: checkField, Type: "literal", Parts: []string{c.in}}}
		if got := res[name].Values; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: parser reads %s as %+v, want %+v", name, c.want, got, want)
		}
	}
	for name, c := range unquoted {
		typ := "wildcard"
		if !translate.HasWildcard(c.segs) {
			typ = "literal"
		}
		want := []checkValue{{Field: checkField, Type: typ, Parts: parts(c.segs)}}
		if got := res[name].Values; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: parser reads %s as %+v, want %+v", name, c.want, got, want)
		}
	}
	for _, q := range broken {
		if r := res[q.Name]; r.OK {
			t.Errorf("%s: Kibana's parser accepts the broken query %s", q.Name, q.Text)
		}
	}
}

func TestGoldenQueries(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.golden": datasetFilter + " and (x: 1)\n-- warnings --\n3:4: careful\n" + datasetFilter + "\n",
		"b.golden": "error: 7:5: kibana: re is not supported: ...\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := goldenQueries(t, dir)
	want := []checkQuery{
		{Name: "golden/a.golden:1", Text: datasetFilter + " and (x: 1)"},
		{Name: "golden/a.golden:4", Text: datasetFilter},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("goldenQueries = %+v, want %+v", got, want)
	}
}

// sigmaHQQueries emits SigmaHQ's current sign-in rules (where the shared corpus is present beside
// the repository) so Kibana's parser checks them too; rules a target cannot express are skipped,
// anything but an UnsupportedError fails.
func sigmaHQQueries(t *testing.T) []checkQuery {
	t.Helper()
	items, err := ruletest.Dir(filepath.Join("..", "..", ruletest.SigmaHQSignin()))
	if errors.Is(err, os.ErrNotExist) {
		t.Logf("SigmaHQ corpus absent: %v", err)
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var qs []checkQuery
	for _, it := range items {
		if it.Query == nil {
			continue
		}
		out, err := Backend{}.Emit(it.Query)
		var ue *translate.UnsupportedError
		switch {
		case err == nil:
			qs = append(qs, checkQuery{Name: "sigmahq/" + it.Path, Text: out.Query})
		case !errors.As(err, &ue):
			t.Errorf("%s: %v", it.Path, err)
		}
	}
	if len(qs) == 0 {
		t.Errorf("no SigmaHQ rule emitted")
	}
	return qs
}
