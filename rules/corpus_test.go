package rules

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir is the shared SigmaHQ corpus, relative to this package directory.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus", "sigmahq")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SigmaHQ corpus is absent (%s): skipping the corpus conformance test", dir)
	}
	return dir
}

// corpusFiles lists the .yml files under the given corpus subdirectories, sorted.
func corpusFiles(t testing.TB, dir string, subdirs ...string) []string {
	t.Helper()
	var out []string
	for _, sub := range subdirs {
		root := filepath.Join(dir, sub)
		if _, err := os.Stat(root); err != nil {
			continue
		}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".yml") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

var currentCorpus = []string{"rules", "rules-emerging-threats", "rules-threat-hunting", "rules-placeholder", "rules-compliance", "rules-dfir"}

func TestCorpusCurrentRulesLoad(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir, currentCorpus...)
	if len(files) != 3780 {
		t.Errorf("found %d current corpus files, want 3780", len(files))
	}
	var loaded []*File
	bad := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := LoadFile(p, data)
		loaded = append(loaded, f)
		if errs := f.AllDiagnostics().Errors(); len(errs) > 0 {
			bad++
			if bad <= 30 {
				t.Errorf("%s", errs.Error())
			}
		}
	}
	Resolve(loaded)
	for _, f := range loaded {
		for _, d := range f.Docs {
			_ = d
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d corpus files have front-end errors", bad, len(files))
	}
}
