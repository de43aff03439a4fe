package backends

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// benchConvert loads, resolves, translates and emits every rule of dir for every target per
// iteration: the whole work of `entrasig convert -t all DIR` short of file reading and printing.
func benchConvert(b *testing.B, dir string) {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.yml"))
	var names []string
	var data [][]byte
	for _, p := range paths {
		if !strings.HasSuffix(p, ".tests.yml") {
			d, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			names, data = append(names, filepath.Base(p)), append(data, d)
		}
	}
	if len(data) == 0 {
		b.Skipf("no rules in %s", dir)
	}
	bes := All(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		files := make([]*rules.File, len(data))
		for i := range data {
			files[i] = rules.LoadFile(names[i], data[i])
		}
		rules.Resolve(files)
		for _, d := range rules.Outputs(files) {
			q, diags := translate.Translate(d, nil)
			if diags.HasErrors() {
				continue
			}
			for _, be := range bes {
				_, _ = be.Emit(q)
			}
		}
	}
	b.ReportMetric(float64(len(data)), "files/op")
}

// BenchmarkConvertPack converts the built-in rule pack (14 files, 7 correlations) for all targets.
func BenchmarkConvertPack(b *testing.B) { benchConvert(b, packDir) }

// BenchmarkConvertTestRules converts the repository's test rules for all targets.
func BenchmarkConvertTestRules(b *testing.B) { benchConvert(b, rulesDir) }
