package backends

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	packDir    = "../rules/signin"
	rulesDir   = "../testdata/rules"
	invalidDir = "../testdata/rules/invalid"
	goldenDir  = "../testdata/golden"
)

// loadOne loads a single-file rule set and returns the file and its resolved documents.
func loadOne(t *testing.T, path string) *rules.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
	f := rules.LoadFile(rel, data)
	rules.Resolve([]*rules.File{f})
	return f
}

// render is what a golden file holds for one rule and one target: the query and its warnings, or
// "error: " and the positioned statement of non-support.
func render(t *testing.T, f *rules.File, b translate.Backend) string {
	t.Helper()
	var filters []*rules.Document
	for _, d := range f.Docs {
		if d.Kind == rules.KindFilter {
			filters = append(filters, d)
		}
	}
	var out strings.Builder
	docs := rules.Outputs([]*rules.File{f})
	for _, d := range f.Docs {
		if d.Diags.HasErrors() {
			t.Fatalf("%s: valid test rule has front-end errors:\n%v", f.Path, d.Diags.Errors())
		}
	}
	for _, d := range docs {
		if len(docs) > 1 {
			fmt.Fprintf(&out, "== document %d: %s ==\n", d.Index+1, d.Meta.Title)
		}
		if d.Diags.HasErrors() {
			t.Fatalf("%s: valid test rule has front-end errors:\n%v", f.Path, d.Diags.Errors())
		}
		q, diags := translate.Translate(d, filters)
		if diags.HasErrors() {
			t.Fatalf("%s: valid test rule fails translation (move it to testdata/rules/invalid):\n%v", f.Path, diags.Errors())
		}
		o, err := b.Emit(q)
		if err != nil {
			var ue *translate.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("%s: %s: internal error: %v", f.Path, b.Name(), err)
			}
			fmt.Fprintf(&out, "error: %s: %s\n", ue.Pos, ue.Error())
			continue
		}
		out.WriteString(o.Query)
		out.WriteString("\n")
		warns := append(append([]translate.Warning{}, q.Warnings...), o.Warnings...)
		if len(warns) > 0 {
			out.WriteString("-- warnings --\n")
			for _, w := range warns {
				fmt.Fprintf(&out, "%s: %s\n", w.Pos, w.Msg)
			}
		}
	}
	return out.String()
}

func ruleFiles(t *testing.T, dir string) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".tests.yml") { // a rule's test cases, not a rule
			files = append(files, f)
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no rules in %s", dir)
	}
	return files
}

// baseName names a rule's golden: the file name without extension, prefixed "pack-" for the
// built-in rule pack so its goldens sit beside the test rules' without clashing.
func baseName(path string) string {
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if filepath.Dir(path) == filepath.Clean(packDir) {
		return "pack-" + name
	}
	return name
}

// compareGolden checks got against the golden file (or rewrites it with -update) and reports the
// first differing line.
func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("missing golden %s (run go test ./backends -update and review it): %v", golden, err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs (run go test ./backends -update and review the diff)\n%s", golden, firstDiff(string(want), got))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "(no line differs; check trailing bytes)"
}

// checkNoOrphans fails for golden files that no longer have a rule.
func checkNoOrphans(t *testing.T, dir string, names map[string]bool) {
	t.Helper()
	goldens, _ := filepath.Glob(filepath.Join(dir, "*.golden"))
	for _, g := range goldens {
		if !names[baseName(g)] {
			if *update {
				os.Remove(g)
				continue
			}
			t.Errorf("%s has no rule in testdata/rules (delete it or restore the rule)", g)
		}
	}
}

// TestGolden renders every test rule and every rule of the built-in pack for every target.
func TestGolden(t *testing.T) {
	files := append(ruleFiles(t, rulesDir), ruleFiles(t, packDir)...)
	names := make(map[string]bool)
	for _, p := range files {
		names[baseName(p)] = true
	}
	for _, b := range All(Options{}) {
		t.Run(b.Name(), func(t *testing.T) {
			dir := filepath.Join(goldenDir, b.Name())
			for _, p := range files {
				f := loadOne(t, p)
				got := render(t, f, b)
				if again := render(t, loadOne(t, p), b); again != got {
					t.Errorf("%s: %s: output is not deterministic:\n%s", p, b.Name(), firstDiff(got, again))
				}
				compareGolden(t, filepath.Join(dir, baseName(p)+".golden"), got)
			}
			checkNoOrphans(t, dir, names)
		})
	}
}

// TestGoldenErrors records the diagnostics (front end and translation) of every invalid rule, with
// caret snippets, exactly as the CLI prints them.
func TestGoldenErrors(t *testing.T) {
	files := ruleFiles(t, invalidDir)
	names := make(map[string]bool)
	dir := filepath.Join(goldenDir, "errors")
	for _, p := range files {
		names[baseName(p)] = true
		f := loadOne(t, p)
		var out strings.Builder
		emit := func(ds rules.Diagnostics) {
			for _, d := range ds {
				if d.Source == "" && d.Pos.IsValid() && d.Pos.Line <= len(f.Lines) {
					d.Source = f.Lines[d.Pos.Line-1]
				}
				out.WriteString(d.Format())
				out.WriteString("\n")
			}
		}
		emit(f.Diags)
		hasErr := f.Diags.HasErrors()
		var filters []*rules.Document
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter {
				filters = append(filters, d)
			}
		}
		for _, d := range f.Docs {
			emit(d.Diags)
			if d.Diags.HasErrors() {
				hasErr = true
				continue
			}
			if d.Kind == rules.KindFilter {
				continue
			}
			_, diags := translate.Translate(d, filters)
			emit(diags)
			hasErr = hasErr || diags.HasErrors()
		}
		if !hasErr {
			t.Errorf("%s: an invalid rule produced no error", p)
		}
		compareGolden(t, filepath.Join(dir, baseName(p)+".golden"), out.String())
	}
	checkNoOrphans(t, dir, names)
}
