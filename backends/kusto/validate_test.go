package kusto

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/translate"
)

// The validator: testdata/validators/kusto-check.js runs Microsoft's Kusto.Language parser and
// binder (npm @kusto/language-service-next) over every query with the sign-in tables declared
// from translate.SignIn(), adds a literal-type check (the binder accepts string == long) and a
// union-splitting check, and prints diagnostics per query.

const (
	validatorDir    = "../../testdata/validators"
	validatorScript = validatorDir + "/kusto-check.js"
	goldenGlob      = "../../testdata/golden/kusto/*.golden"
)

type checkQuery struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

type checkInput struct {
	Tables  map[string]string `json:"tables"`
	Queries []checkQuery      `json:"queries"`
}

type checkOutput struct {
	Results []struct {
		Name        string `json:"name"`
		Diagnostics []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Start   int    `json:"start"`
		} `json:"diagnostics"`
		Strings []string `json:"strings"`
	} `json:"results"`
}

// schemaTables declares every table of the sign-in schema as Kusto schema strings, plus the
// workspace function's result as a table named CombinedSignInLogs (all columns, the per-table-
// typed ones normalized to dynamic), as Backend.Function assumes.
func schemaTables() map[string]string {
	s := translate.SignIn()
	out := map[string]string{}
	var combined []string
	seen := map[string]bool{}
	for _, t := range s.Tables() {
		var cols []string
		for _, f := range s.Fields() {
			if len(f.Path) > 0 || !f.Tables.Has(t.ID) || f.KustoType[t.ID] == "" {
				continue
			}
			cols = append(cols, f.Column+":"+f.KustoType[t.ID])
			if !seen[f.Column] {
				seen[f.Column] = true
				typ := f.KustoType[t.ID]
				if isNormColumn(f.Column) {
					typ = "dynamic"
				}
				combined = append(combined, f.Column+":"+typ)
			}
		}
		if !seen["Type"] {
			cols = append(cols, "Type:string")
		}
		out[t.Name] = "(" + strings.Join(cols, ", ") + ")"
	}
	if !seen["Type"] {
		combined = append(combined, "Type:string")
	}
	out["CombinedSignInLogs"] = "(" + strings.Join(combined, ", ") + ")"
	return out
}

// runValidator runs the script once over all queries and returns the diagnostics by name.
func runValidator(t *testing.T, qs []checkQuery) map[string][]string {
	t.Helper()
	diags, _ := runValidatorStrings(t, qs)
	return diags
}

// runValidatorStrings also returns, by name, the values Kusto's lexer decodes from each query's
// string literals.
func runValidatorStrings(t *testing.T, qs []checkQuery) (map[string][]string, map[string][]string) {
	t.Helper()
	node, err := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(validatorDir, "node_modules", "@kusto", "language-service-next"))
	if err != nil || modErr != nil {
		msg := "Kusto validator unavailable (node or testdata/validators/node_modules missing); run `npm ci --prefix testdata/validators`"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	in, err := json.Marshal(checkInput{Tables: schemaTables(), Queries: qs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, validatorScript)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kusto-check.js: %v\n%s", err, stderr.String())
	}
	var out checkOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("kusto-check.js output: %v\n%s", err, stdout.String())
	}
	if len(out.Results) != len(qs) {
		t.Fatalf("kusto-check.js returned %d results for %d queries", len(out.Results), len(qs))
	}
	diags, strs := map[string][]string{}, map[string][]string{}
	for i, r := range out.Results {
		strs[r.Name] = r.Strings
		if r.Name != qs[i].Name {
			t.Fatalf("result %d is %q, want %q", i, r.Name, qs[i].Name)
		}
		for _, d := range r.Diagnostics {
			diags[r.Name] = append(diags[r.Name], d.Code+" at "+itoa(d.Start)+": "+d.Message)
		}
	}
	return diags, strs
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// goldenQueries returns the query text of every non-error document of every kusto golden file.
func goldenQueries(t *testing.T) []checkQuery {
	files, err := filepath.Glob(goldenGlob)
	if err != nil {
		t.Fatal(err)
	}
	var qs []checkQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range goldenDocs(string(data)) {
			if text, ok := goldenQuery(doc); ok {
				name := "golden/" + filepath.Base(f)
				if i > 0 {
					name += " #" + itoa(i+1)
				}
				qs = append(qs, checkQuery{Name: name, Text: text})
			}
		}
	}
	return qs
}

// goldenDocs splits a golden file into its documents: a multi-document rule file (a correlation
// with `generate: true`) renders each under a "== document N: title ==" line.
func goldenDocs(golden string) []string {
	if !strings.HasPrefix(golden, "== document ") {
		return []string{golden}
	}
	var docs []string
	for _, part := range strings.Split(golden, "\n== document ") {
		part = strings.TrimPrefix(part, "== document ")
		_, body, _ := strings.Cut(part, " ==\n")
		docs = append(docs, body)
	}
	return docs
}

// goldenQuery returns the query of a golden document: its text up to an optional "-- warnings --"
// line, or false for a statement of non-support ("error: ...").
func goldenQuery(golden string) (string, bool) {
	if strings.HasPrefix(golden, "error: ") {
		return "", false
	}
	if i := strings.Index(golden, "\n-- warnings --\n"); i >= 0 {
		golden = golden[:i]
	}
	return strings.TrimSuffix(golden, "\n"), true
}

func TestGoldenDocs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"SigninLogs\n", []string{"SigninLogs\n"}},
		{"== document 1: a ==\nSigninLogs\n== document 2: b == c ==\nerror: x\n",
			[]string{"SigninLogs", "error: x\n"}},
	} {
		if got := goldenDocs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("goldenDocs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// brokenQueries must each be rejected: they show the validator can fail.
func brokenQueries() []checkQuery {
	return []checkQuery{
		{Name: "broken/unknown column", Text: "SigninLogs\n| where NoSuchColumn == \"x\""},
		{Name: "broken/number compared to ResultType", Text: "SigninLogs\n| where ResultType == 50053"},
		{Name: "broken/number list for ResultType", Text: "SigninLogs\n| where ResultType in (\"0\", 50053)"},
		{Name: "broken/string compared to a long", Text: "SigninLogs\n| where DurationMs == \"5\""},
		{Name: "broken/syntax error", Text: "SigninLogs\n| where (ResultType == \"0\""},
		{Name: "broken/sub-key on a text column", Text: "AADNonInteractiveUserSignInLogs\n| where DeviceDetail.isCompliant == true"},
		{Name: "broken/union without normalization", Text: "union isfuzzy=true (SigninLogs), (AADNonInteractiveUserSignInLogs)"},
		{Name: "broken/column of another table", Text: "AADServicePrincipalSignInLogs\n| where UserPrincipalName == \"x\""},
		// Correlation shapes.
		{Name: "broken/summarize by an unknown column", Text: "SigninLogs\n| summarize EventCount = count() by TimeGenerated = bin(TimeGenerated, 10m), NoSuchColumn"},
		{Name: "broken/threshold of the wrong type", Text: "let threshold = \"10\";\nSigninLogs\n| summarize EventCount = count() by UserPrincipalName\n| where EventCount == threshold"},
		{Name: "broken/tag that is not a bool", Text: "SigninLogs\n| summarize Ordered = minif(TimeGenerated, ResultType) < maxif(TimeGenerated, true) by UserPrincipalName"},
		{Name: "broken/window function without sort", Text: "SigninLogs\n| summarize a0 = count() by TimeGenerated, UserPrincipalName\n| extend s1 = row_cumsum(a0, UserPrincipalName != prev(UserPrincipalName))"},
		{Name: "broken/window function after summarize", Text: "SigninLogs\n| sort by UserPrincipalName asc\n| summarize a0 = count() by TimeGenerated, UserPrincipalName\n| extend s1 = row_cumsum(a0)"},
		{Name: "broken/chain reads a column its let lacks", Text: "let corr_0 = SigninLogs\n| summarize EventCount = count() by UserPrincipalName;\ncorr_0\n| project TimeGenerated = EndTime, UserPrincipalName"},
		{Name: "broken/legs type a group column differently", Text: "union isfuzzy=true\n    (SigninLogs | project TimeGenerated, DurationMs),\n    (AADNonInteractiveUserSignInLogs | project TimeGenerated, DurationMs = tostring(DurationMs))"},
		{Name: "broken/tag of another leg", Text: "union isfuzzy=true\n    (SigninLogs | project TimeGenerated, r0 = true),\n    (AADNonInteractiveUserSignInLogs | project TimeGenerated)\n| summarize RuleCount = max(iff(r1, 1, 0)) by bin(TimeGenerated, 1h)"},
	}
}

func TestValidateWithKustoLanguage(t *testing.T) {
	var qs []checkQuery
	for _, c := range emitCases(t) {
		if c.err != "" {
			continue
		}
		out, err := c.b.Emit(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		qs = append(qs, checkQuery{Name: "case/" + c.name, Text: out.Query})
	}
	golden := goldenQueries(t)
	qs = append(qs, golden...)
	broken := brokenQueries()
	qs = append(qs, broken...)
	diags := runValidator(t, qs)
	for _, q := range qs {
		d := diags[q.Name]
		if strings.HasPrefix(q.Name, "broken/") {
			if len(d) == 0 {
				t.Errorf("%s: accepted, want a diagnostic:\n%s", q.Name, q.Text)
			} else {
				t.Logf("%s: rejected as expected: %s", q.Name, d[0])
			}
			continue
		}
		if len(d) > 0 {
			t.Errorf("%s: rejected by the Kusto validator:\n%s\n%s", q.Name, q.Text, strings.Join(d, "\n"))
		}
	}
	t.Logf("validated %d emitted queries (%d goldens) and %d broken ones", len(qs)-len(broken), len(golden), len(broken))
}

// TestEscapingRoundTrips feeds the escape hazards through Kusto's own lexer: each literal must
// decode to exactly the input.
func TestEscapingRoundTrips(t *testing.T) {
	inputs := []string{"", "plain", `trailing\`, `\*`, `say "hi"`, "it's", "a\nb\tc\rd", "nul\x00bel\x07del\x7f",
		"Ärger 日本 ✓", `C:\Windows\`, `\d+\.exe$`, `a""b`, "\u2028"}
	var qs []checkQuery
	for i, in := range inputs {
		qs = append(qs,
			checkQuery{Name: "string/" + itoa(i), Text: "print v = " + quoteString(in)},
			checkQuery{Name: "regex/" + itoa(i), Text: "print v = " + quoteRegex(in)})
	}
	diags, strs := runValidatorStrings(t, qs)
	for i, in := range inputs {
		for _, kind := range []string{"string/", "regex/"} {
			name := kind + itoa(i)
			if d := diags[name]; len(d) > 0 {
				t.Errorf("%s (%q): %s", name, in, strings.Join(d, "; "))
			}
			if got := strs[name]; len(got) != 1 || got[0] != in {
				t.Errorf("%s: Kusto decodes %q, want %q", name, got, in)
			}
		}
	}
}

// TestEveryFieldParses reads every field of the schema in every table that has it, natively
// (one table) and normalized (union legs, the function), and has Kusto.Language check the
// identifiers and property paths.
func TestEveryFieldParses(t *testing.T) {
	s := translate.SignIn()
	var qs []checkQuery
	var legs []translate.Leg
	for _, tb := range s.Tables() {
		var args []translate.Expr
		for _, f := range s.Fields() {
			if !f.Tables.Has(tb.ID) {
				continue
			}
			args = append(args, op(f, translate.OpExists))
		}
		w := &translate.Or{Args: args}
		legs = append(legs, translate.Leg{Table: tb, Where: w})
		out, err := Backend{}.Emit(&translate.Query{Tables: []*translate.Table{tb}, Legs: []translate.Leg{{Table: tb, Where: w}}})
		if err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		qs = append(qs, checkQuery{Name: "native/" + tb.Name, Text: out.Query})
	}
	q := &translate.Query{Tables: s.Tables(), Legs: legs}
	out, err := Backend{}.Emit(q)
	if err != nil {
		t.Fatal(err)
	}
	qs = append(qs, checkQuery{Name: "union", Text: out.Query})
	// Every field, through the function (which has all columns).
	var fs []translate.Expr
	for _, f := range s.Fields() {
		fs = append(fs, op(f, translate.OpExists))
	}
	q.Where = &translate.Or{Args: fs}
	out, err = Backend{Function: "CombinedSignInLogs"}.Emit(q)
	if err != nil {
		t.Fatal(err)
	}
	qs = append(qs, checkQuery{Name: "function", Text: out.Query})
	diags := runValidator(t, qs)
	for _, c := range qs {
		if d := diags[c.Name]; len(d) > 0 {
			t.Errorf("%s: rejected by the Kusto validator:\n%s", c.Name, strings.Join(d, "\n"))
		}
	}
}
