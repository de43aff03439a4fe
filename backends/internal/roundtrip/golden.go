package roundtrip

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// CheckDifferences compares the accepted differences with the golden file at path (rewritten when
// update is set): one line per rule and stream, sorted, so every accepted difference is reviewed.
func CheckDifferences(t *testing.T, path string, diffs []Difference, update bool) {
	t.Helper()
	lines := make([]string, 0, len(diffs))
	for _, d := range diffs {
		lines = append(lines, fmt.Sprintf("%s: %s: rule selects %s, output selects %s", d.Path, d.Stream, list(d.Want), list(d.Got)))
	}
	slices.Sort(lines)
	got := strings.Join(lines, "\n")
	if got != "" {
		got += "\n"
	}
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("accepted differences changed (review, then run with -update):\n--- %s\n%s\n--- now\n%s", path, want, got)
	}
}

// FuzzQueries loads data as one rule file and returns the translated queries of the documents
// compiled on their own (none when the input is not a valid rule), for backends' fuzz targets.
func FuzzQueries(data []byte) []*translate.Query {
	var out []*translate.Query
	for _, it := range ruletest.Files([]*rules.File{rules.LoadFile("fuzz.yml", data)}) {
		if it.Query != nil && !it.Diags.HasErrors() {
			out = append(out, it.Query)
		}
	}
	return out
}

// Seeds returns the repository's rule files (testdata/rules and the pack under root) as fuzz seeds.
func Seeds(root string) [][]byte {
	var out [][]byte
	for _, dir := range []string{filepath.Join(root, "testdata", "rules"), filepath.Join(root, "rules", "signin")} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
		slices.Sort(paths)
		for _, p := range paths {
			if strings.HasSuffix(p, ".tests.yml") {
				continue
			}
			if data, err := os.ReadFile(p); err == nil {
				out = append(out, data)
			}
		}
	}
	return out
}
