package rules

import (
	"os"
	"testing"
)

// FuzzLoadFile checks the loader's invariants on arbitrary input: it never panics, every
// diagnostic carries the path as given, and every position lies within the file's lines (or is
// the zero Pos). Resolve must not panic either.
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
	if data, err := os.ReadFile("../../shared/corpus/sigmahq/rules/cloud/azure/signin_logs/azure_ad_auth_failure_increase.yml"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := LoadFile("fuzz.yml", data)
		Resolve([]*File{file})
		n := len(file.Lines)
		for _, d := range file.AllDiagnostics() {
			if d.Path != "fuzz.yml" {
				t.Fatalf("diagnostic without path: %+v", d)
			}
			if d.Msg == "" {
				t.Fatalf("diagnostic without message: %+v", d)
			}
			if d.Pos != (Pos{}) && (d.Pos.Line < 1 || d.Pos.Line > n || d.Pos.Col < 1) {
				t.Fatalf("diagnostic position %s outside the file's %d lines: %s", d.Pos, n, d.Error())
			}
			_ = d.Format()
		}
		for _, d := range file.Docs {
			if (d.Kind == KindRule) != (d.Rule != nil) || (d.Kind == KindCorrelation) != (d.Correlation != nil) || (d.Kind == KindFilter) != (d.Filter != nil) {
				t.Fatalf("document kind %s does not match its content", d.Kind)
			}
			if d.Rule != nil {
				for _, c := range d.Rule.Detection.Conditions {
					_ = CondString(c)
				}
			}
		}
	})
}
