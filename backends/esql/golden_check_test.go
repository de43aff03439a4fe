package esql

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenQueries returns the queries of an ES|QL golden file: the golden holds one document's
// output, or several, each after a "== document N: title ==" line; an output is "error: ..." or
// the query text, optionally followed by a `-- warnings --` line and warning lines.
func goldenQueries(text string) []string {
	var sections []string
	if strings.HasPrefix(text, "== document ") {
		lines := strings.Split(text, "\n")
		var cur []string
		for _, l := range lines {
			if strings.HasPrefix(l, "== document ") && strings.HasSuffix(l, " ==") {
				if cur != nil {
					sections = append(sections, strings.Join(cur, "\n"))
				}
				cur = []string{}
				continue
			}
			cur = append(cur, l)
		}
		if cur != nil {
			sections = append(sections, strings.Join(cur, "\n"))
		}
	} else {
		sections = []string{text}
	}
	var out []string
	for _, s := range sections {
		if strings.HasPrefix(s, "error: ") {
			continue
		}
		if i := strings.Index(s, "\n-- warnings --\n"); i >= 0 {
			s = s[:i]
		}
		out = append(out, strings.TrimSuffix(s, "\n"))
	}
	return out
}

func TestGoldenQueries(t *testing.T) {
	got := goldenQueries("== document 1: a ==\nFROM a\n| WHERE x\n== document 2: b ==\nerror: 1:2: no\n== document 3: c ==\nFROM c\n-- warnings --\n1:1: w\n")
	want := []string{"FROM a\n| WHERE x", "FROM c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := goldenQueries("error: 1:1: x\n"); len(got) != 0 {
		t.Errorf("error golden: got %q", got)
	}
	if got := goldenQueries("FROM a\n-- warnings --\n1:1: w\n"); len(got) != 1 || got[0] != "FROM a" {
		t.Errorf("single golden: got %q", got)
	}
}

// TestGoldensCheck parses and checks every query of every ES|QL golden.
func TestGoldensCheck(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "esql", "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no ES|QL goldens")
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range goldenQueries(string(data)) {
			checked++
			t.Run(fmt.Sprintf("%s/%d", filepath.Base(f), i), func(t *testing.T) { mustCheck(t, q) })
		}
	}
	if checked == 0 {
		t.Fatal("no ES|QL golden query was checked")
	}
}
