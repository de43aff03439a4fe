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
	docs, warnings := 0, 0
	for _, f := range loaded {
		docs += len(f.Docs)
		for _, d := range f.Docs {
			if d.Kind != KindRule || len(d.Rule.Detection.Conditions) == 0 {
				t.Errorf("%s: document %d is not a rule with a condition", d.Path, d.Index)
			}
		}
		warnings += len(f.AllDiagnostics().Warnings())
		if errs := f.AllDiagnostics().Errors(); len(errs) > 0 {
			t.Errorf("after Resolve: %s", errs.Error())
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d corpus files have front-end errors", bad, len(files))
	}
	// One warning in the whole corpus: proc_creation_macos_file_and_directory_discovery.yml names a
	// search `select_tree_execution|endswith` (a modifier written on the search name).
	if docs != 3780 || warnings != 1 {
		t.Errorf("%d documents and %d warnings, want 3780 and 1", docs, warnings)
	}
}

// TestCorpusV1Rejected loads deprecated/ and unsupported/: every file that uses a Sigma v1
// construct (pipe aggregation, `| near`, detection.timeframe, `action: global`) must get the v1
// message.
func TestCorpusV1Rejected(t *testing.T) {
	dir := corpusDir(t)
	files := corpusFiles(t, dir, "deprecated", "unsupported")
	v1, otherErr := 0, 0
	var others []string
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := LoadFile(p, data)
		isV1 := false
		errs := f.AllDiagnostics().Errors()
		for _, d := range errs {
			if strings.Contains(d.Msg, "Sigma v1") && strings.Contains(d.Msg, "rewrite it as a correlation rule") {
				isV1 = true
			}
		}
		switch {
		case isV1:
			v1++
		case len(errs) > 0:
			otherErr++
			others = append(others, errs[0].Error())
		}
	}
	// 60 files use v1 constructs (1 in deprecated/, 59 in unsupported/): 3 `action: global`
	// collections, 7 `| near` conditions, 47 other pipe aggregations (`| count() by x > n`,
	// `| sum(...)`) and 3 that only have detection.timeframe. Counted independently with a
	// YAML parser over the same snapshot.
	if len(files) != 259 || v1 != 60 {
		t.Errorf("%d files, %d with the v1 message; want 259 and 60", len(files), v1)
	}
	// Three unsupported rules have pseudo-code conditions (`write TargetLogonId from selection1
	// ...`): they are syntax errors, not v1 constructs. Every other file loads without errors.
	if otherErr != 3 {
		t.Errorf("%d files with other errors, want 3: %q", otherErr, others)
	}
	for _, o := range others {
		if !strings.Contains(o, "condition: unexpected") {
			t.Errorf("unexpected error kind: %s", o)
		}
	}
}

// BenchmarkLoadCorpus loads every current SigmaHQ corpus file (3,780 files) per iteration and
// resolves them together.
func BenchmarkLoadCorpus(b *testing.B) {
	dir := corpusDir(b)
	paths := corpusFiles(b, dir, currentCorpus...)
	datas := make([][]byte, len(paths))
	total := 0
	for i, p := range paths {
		d, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		datas[i] = d
		total += len(d)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		files := make([]*File, len(paths))
		for j, p := range paths {
			files[j] = LoadFile(p, datas[j])
		}
		Resolve(files)
	}
}
