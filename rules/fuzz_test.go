package rules

// Fuzz targets of the front end. Seeds: the inputs below, the repository's rule files (added in
// code, so they follow the rules as they change) and the hostile inputs committed under
// testdata/fuzz/<target>/ (run by plain `go test` as well).

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// seedRuleFiles lists the repository's rule files: the test rules (valid and invalid) and the
// built-in pack with its test cases, relative to this package directory.
func seedRuleFiles(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, pat := range []string{"../testdata/rules/*.yml", "../testdata/rules/invalid/*.yml", "signin/*.yml"} {
		paths, err := filepath.Glob(pat)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, paths...)
	}
	if len(out) == 0 {
		tb.Fatal("no rule files found for the fuzz seeds")
	}
	return out
}

// leakMarkers are strings a diagnostic must not contain unless the input does: absolute paths of
// this machine (the working directory, the module, Go's installation, the home and temporary
// directories) and the marks of a crash report.
func leakMarkers() []string {
	out := []string{"goroutine ", "panic", "runtime error"}
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	for _, p := range []string{wd, filepath.Dir(wd), runtime.GOROOT(), home, os.TempDir()} {
		if filepath.IsAbs(p) && p != "/" {
			out = append(out, p)
		}
	}
	return out
}

// loadResult is everything a user sees from loading one file: the formatted diagnostics after
// Resolve, and which documents Outputs emits.
type loadResult struct {
	file    *File
	diags   string
	outputs string
}

func loadForFuzz(path string, data []byte) loadResult {
	file := LoadFile(path, data)
	files := []*File{file}
	Resolve(files)
	var b strings.Builder
	for _, d := range file.AllDiagnostics() {
		b.WriteString(d.Format())
		b.WriteByte('\n')
	}
	var o strings.Builder
	for _, d := range Outputs(files) {
		fmt.Fprintf(&o, "%d %s %s\n", d.Index, d.Kind, d.Pos)
	}
	return loadResult{file, b.String(), o.String()}
}

// FuzzLoadFile checks the loader on arbitrary input, through LoadFile, Resolve and Outputs:
//   - nothing panics (the loader's guards bound the time per input; the seeds stay small);
//   - every diagnostic has the path as given and a message, and a position inside the file's
//     lines (line >= 1, col >= 1) with Error() and Format() starting with "path:line:col: ";
//     only the two whole-file diagnostics (empty file, file over the size limit) have none, and
//     then start with "path: ";
//   - no diagnostic shows an absolute path of this machine, "goroutine ", "panic" or "runtime
//     error" unless the input itself contains it (snippets and names echo the input);
//   - loading the same bytes twice gives byte-identical formatted diagnostics and outputs;
//   - each document's kind matches its content; Outputs lists documents of the file, in order,
//     never a filter;
//   - every parsed condition formats (FormatCond) to text that parses back to an equal tree.
func FuzzLoadFile(f *testing.F) {
	seeds := []string{
		rule("sel:\n    a|contains|all: [x, y]\ncondition: sel and not 1 of f*"),
		rule("sel:\n    a: x\ncondition: |\n    sel and\n      not (sel or sel)"),
		"title: c\ncorrelation:\n    type: event_count\n    rules: [a]\n    timespan: 1h\n    condition:\n        gte: 1\n",
		"title: f\nlogsource:\n    product: x\nfilter:\n    rules: a\n    s:\n        a: b\n    condition: not s\n",
		"a: &a [1]\nb: *a\n",
		"---\n---\n",
		"\x00\xff",
		"title: x\ndetection: [\n",
		rule("sel:\n    a: x\ncondition: \"sel\\tand\\u00e9 \\\"x\\\"\""),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	for _, p := range seedRuleFiles(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if data, err := os.ReadFile("../../shared/corpus/sigmahq/rules/cloud/azure/signin_logs/azure_ad_auth_failure_increase.yml"); err == nil {
		f.Add(data)
	}
	markers := leakMarkers()
	const path = "fuzz.yml"
	f.Fuzz(func(t *testing.T, data []byte) {
		res := loadForFuzz(path, data)
		file := res.file
		n := len(file.Lines)
		for _, d := range file.AllDiagnostics() {
			if d.Path != path {
				t.Fatalf("diagnostic without the path as given: %+v", d)
			}
			if d.Msg == "" {
				t.Fatalf("diagnostic without message: %+v", d)
			}
			prefix := path + ": "
			if d.Pos.IsValid() {
				if d.Pos.Line > max(n, 1) || d.Pos.Col < 1 {
					t.Fatalf("diagnostic position %s outside the file's %d lines: %s", d.Pos, n, d.Error())
				}
				prefix = fmt.Sprintf("%s:%d:%d: ", path, d.Pos.Line, d.Pos.Col)
			} else {
				t.Fatalf("diagnostic without a position: %+v", d)
			}
			text := d.Format()
			if !strings.HasPrefix(d.Error(), prefix) || !strings.HasPrefix(text, d.Error()) {
				t.Fatalf("diagnostic does not start with %q: %q", prefix, text)
			}
			for _, m := range markers {
				if strings.Contains(text, m) && !bytes.Contains(data, []byte(m)) {
					t.Fatalf("diagnostic shows %q: %s", m, text)
				}
			}
		}
		if again := loadForFuzz(path, data); again.diags != res.diags || again.outputs != res.outputs {
			t.Fatalf("loading twice differs:\n%s%s---\n%s%s", res.diags, res.outputs, again.diags, again.outputs)
		}
		for _, d := range file.Docs {
			if (d.Kind == KindRule) != (d.Rule != nil) || (d.Kind == KindCorrelation) != (d.Correlation != nil) || (d.Kind == KindFilter) != (d.Filter != nil) {
				t.Fatalf("document kind %s does not match its content", d.Kind)
			}
			var det *Detection
			switch {
			case d.Rule != nil:
				det = &d.Rule.Detection
			case d.Filter != nil:
				det = &d.Filter.Detection
			}
			if det != nil {
				for _, c := range det.Conditions {
					checkFormatRoundTrip(t, c)
				}
			}
		}
		at := make(map[*Document]int, len(file.Docs))
		for i, d := range file.Docs {
			at[d] = i
		}
		last := -1
		for _, d := range Outputs([]*File{file}) {
			i, ok := at[d]
			if !ok || i <= last || d.Kind == KindFilter {
				t.Fatalf("Outputs lists document %d (%s) out of order, twice, from elsewhere or a filter", d.Index, d.Kind)
			}
			last = i
		}
	})
}

// checkFormatRoundTrip checks that a parsed condition formats to text that parses back to an
// equal tree and formats the same again. Text over the length guard is not parsed (see FormatCond).
func checkFormatRoundTrip(t *testing.T, c Cond) string {
	t.Helper()
	text := FormatCond(c)
	if len(text) > MaxConditionLen {
		return text
	}
	back, err := parseCondition(text, offsetAt)
	if err != nil {
		t.Fatalf("FormatCond gives %q, which does not parse: %s (tree %s)", text, err.msg, CondString(c))
	}
	if !condEqual(c, back) {
		t.Fatalf("FormatCond gives %q, which parses to a different tree:\n got %s\nwant %s", text, CondString(back), CondString(c))
	}
	if again := FormatCond(back); again != text {
		t.Fatalf("FormatCond is not a fixpoint: %q, then %q", text, again)
	}
	return text
}

// checkCondPositions checks that every node of a tree parsed with offsetAt lies in the text.
func checkCondPositions(t *testing.T, c Cond, textLen int) {
	t.Helper()
	p := c.CondPos()
	if p.Line != 1 || p.Col < 1 || p.Col > textLen {
		t.Fatalf("node %s at %s, outside the condition's %d bytes", CondString(c), p, textLen)
	}
	switch n := c.(type) {
	case *CondAnd:
		for _, a := range n.Args {
			checkCondPositions(t, a, textLen)
		}
	case *CondOr:
		for _, a := range n.Args {
			checkCondPositions(t, a, textLen)
		}
	case *CondNot:
		checkCondPositions(t, n.Arg, textLen)
	}
}

// FuzzCondition checks the condition parser and its printer on arbitrary text:
//   - nothing panics; an error has an offset within the text and a "condition: " message;
//   - every node of a parsed tree has a position within the text;
//   - FormatCond's text parses back to an equal tree (positions aside) and formats to the same
//     text again (a fixpoint); it never has more tokens or deeper parentheses than the input,
//     and is longer by at most one byte per parenthesis, so only an input near the length limit
//     can give a text the length guard refuses;
//   - CondString's fully parenthesized text, when it passes the guards, parses to the same tree.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{
		"a and (b or c)", "not (a and b)", "1 of sel_*", "all of them", "not not a",
		"a or b and not c", "any of x* or all of y*", "(((a)))", "sel | count() > 5",
		"a and(b or c)and d", "AND", "2 of x", "séléction or 選択", "filter_main_mdadm.conf",
	} {
		f.Add(s)
	}
	for _, p := range seedRuleFiles(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		for _, d := range LoadFile(p, data).Docs {
			var det *Detection
			switch {
			case d.Rule != nil:
				det = &d.Rule.Detection
			case d.Filter != nil:
				det = &d.Filter.Detection
			}
			if det == nil {
				continue
			}
			for _, c := range det.Conditions {
				f.Add(FormatCond(c))
				f.Add(CondString(c))
			}
		}
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := parseCondition(text, offsetAt)
		if err != nil {
			if err.off < 0 || err.off > len(text) || !strings.HasPrefix(err.msg, "condition: ") {
				t.Fatalf("parseCondition(%q): error at %d of %d bytes: %q", text, err.off, len(text), err.msg)
			}
			return
		}
		checkCondPositions(t, c, len(text))
		printed := FormatCond(c)
		if extra := strings.Count(printed, "(") + strings.Count(printed, ")"); len(printed) > len(text)+extra {
			t.Fatalf("FormatCond(%q) = %q: longer than the input plus one byte per parenthesis", text, printed)
		}
		if len(printed) > MaxConditionLen {
			if _, err := parseCondition(printed, offsetAt); err == nil || !strings.Contains(err.msg, "more than the limit") {
				t.Fatalf("FormatCond(%q) = %q, %d bytes: want the length guard's error, got %v", text, printed, len(printed), err)
			}
			return
		}
		checkFormatRoundTrip(t, c)
		full := CondString(c)
		back, err := parseCondition(full, offsetAt)
		switch {
		case err != nil && (strings.Contains(err.msg, "more than") || strings.Contains(err.msg, "nested deeper than")):
			// The fully parenthesized form adds parentheses and tokens; the guards may refuse it.
		case err != nil:
			t.Fatalf("CondString gives %q, which does not parse: %s", full, err.msg)
		case !condEqual(c, back):
			t.Fatalf("CondString gives %q, which parses to %s", full, CondString(back))
		}
	})
}
