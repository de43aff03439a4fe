// Package ruletest loads directories of Sigma files and translates every document that is compiled
// on its own, so each backend's tests can check what it emits for the same rule sets (the repository's
// test rules, the built-in pack, SigmaHQ's sign-in rules) without repeating the loading code. It is
// imported by tests only.
package ruletest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Item is one translated document.
type Item struct {
	Path  string // the file's base name
	Doc   *rules.Document
	Query *translate.Query  // nil when the document has front-end or translation errors
	Diags rules.Diagnostics // front-end errors, or translation errors
}

// SigmaHQSignin is SigmaHQ's current sign-in rules in the shared corpus, relative to the
// repository root (the corpus sits beside the repository and is not part of it).
func SigmaHQSignin() string {
	return filepath.Join("..", "shared", "corpus", "sigmahq", "rules", "cloud", "azure", "signin_logs")
}

// Dir loads every *.yml file of dir (except the test-case files *.tests.yml) as one set, resolves
// references across them, and translates what rules.Outputs lists, in file order. It returns
// os.ErrNotExist (wrapped) when dir does not exist, so callers can skip an absent corpus.
func Dir(dir string) ([]Item, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("ruletest: %w", err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var files []*rules.File
	for _, p := range paths {
		if strings.HasSuffix(p, ".tests.yml") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, rules.LoadFile(filepath.Base(p), data))
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("ruletest: no rules in %s", dir)
	}
	return Files(files), nil
}

// Files resolves references across files and translates what rules.Outputs lists, in file order,
// as the CLI does for one set of inputs.
func Files(files []*rules.File) []Item {
	rules.Resolve(files)
	var filters []*rules.Document
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter {
				filters = append(filters, d)
			}
		}
	}
	var out []Item
	for _, d := range rules.Outputs(files) {
		it := Item{Path: d.Path, Doc: d}
		if d.Diags.HasErrors() {
			it.Diags = d.Diags.Errors()
		} else {
			it.Query, it.Diags = translate.Translate(d, filters)
		}
		out = append(out, it)
	}
	return out
}

// Sets are the rule sets every backend checks, relative to the repository root: the repository's
// test rules, the built-in pack, and SigmaHQ's sign-in rules (absent when the corpus is).
func Sets() []string {
	return []string{
		filepath.Join("testdata", "rules"),
		filepath.Join("rules", "signin"),
		SigmaHQSignin(),
	}
}

// EmitSets runs emit over every translated document of every set (root is the path from the test's
// package to the repository root), one subtest per set. emit returns the backend's error: nil and
// *translate.UnsupportedError are the two allowed outcomes, anything else fails the test, and so
// does a set where nothing was emitted. Absent sets are skipped.
func EmitSets(t *testing.T, root string, emit func(t *testing.T, it Item) error) {
	for _, set := range Sets() {
		dir := filepath.Join(root, set)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			items, err := Dir(dir)
			if errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s is absent", dir)
			}
			if err != nil {
				t.Fatal(err)
			}
			emitted := 0
			for _, it := range items {
				if it.Query == nil {
					continue
				}
				err := emit(t, it)
				var ue *translate.UnsupportedError
				switch {
				case err == nil:
					emitted++
				case !errors.As(err, &ue):
					t.Errorf("%s: %v", it.Path, err)
				}
			}
			if emitted == 0 {
				t.Errorf("no rule of %s emitted", dir)
			}
		})
	}
}
