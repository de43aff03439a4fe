package rules

import (
	"fmt"
	"strings"
	"testing"
)

func TestYAMLHazards(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"anchor and alias", "title: x\nlogsource: &ls\n    product: azure\ndetection:\n    sel:\n        a: *ls\n    condition: sel\n", []string{
			"t.yml:2:12: YAML anchor &ls: anchors and aliases are not allowed in Sigma files (1 more anchors and aliases follow)",
		}},
		{"merge key", "title: x\nlogsource:\n    product: azure\nbase: &base\n    a: x\ndetection:\n    sel:\n        <<: *base\n    condition: sel\n", []string{
			"t.yml:4:7: YAML anchor &base: anchors and aliases are not allowed in Sigma files (1 more anchors and aliases follow)",
			"t.yml:8:9: YAML merge key <<: merge keys are not allowed in Sigma files",
		}},
		{"duplicate keys", "title: x\ntitle: y\nlogsource:\n    product: azure\ndetection:\n    sel:\n        a: x\n        a: y\n    condition: sel\n", []string{
			`t.yml:2:1: duplicate key "title" (first at line 1)`,
			`t.yml:8:9: duplicate key "a" (first at line 7)`,
		}},
		{"custom tag", "title: x\nlogsource:\n    product: azure\ndetection:\n    sel:\n        a: !custom x\n    condition: sel\n", []string{
			"t.yml:6:12: YAML tag !custom is not allowed in Sigma files",
		}},
		{"tagged collections", "title: x\nlogsource: !!set\n    product: azure\ndetection:\n    sel:\n        a: !list [x]\n    condition: sel\n", []string{
			"t.yml:2:12: YAML tag !!set is not allowed in Sigma files",
			"t.yml:6:12: YAML tag !list is not allowed in Sigma files",
		}},
		{"complex key", "title: x\nlogsource:\n    product: azure\ndetection:\n    sel:\n        ? [a, b]\n        : x\n    condition: sel\n", []string{
			"t.yml:6:11: mapping keys must be strings",
		}},
		{"malformed flow", "title: x\ndetection: [\n", []string{"t.yml:2:1: invalid YAML: did not find expected node content"}},
		{"bad indentation", "title: x\n  bad: indent\n", []string{"t.yml:2:1: invalid YAML: mapping values are not allowed in this context"}},
		{"tab indentation", "title: x\ndetection:\n\tsel: x\n", []string{"t.yml:3:1: invalid YAML: found character that cannot start any token"}},
		{"malformed first line", "a: b: c\n", []string{"t.yml:1:1: invalid YAML: mapping values are not allowed in this context"}},
		{"list document", "- a\n- b\n", []string{"t.yml:1:1: YAML document 1 is a list, expected a mapping (a Sigma rule, correlation or filter)"}},
		{"scalar document", "just a string\n", []string{"t.yml:1:1: YAML document 1 is a scalar, expected a mapping (a Sigma rule, correlation or filter)"}},
		{"empty file", "", []string{"t.yml:1:1: file is empty: expected a Sigma rule, correlation or filter"}},
		{"blank file", "\n\n  \n", []string{"t.yml:1:1: file is empty: expected a Sigma rule, correlation or filter"}},
		{"comment only", "# only a comment\n", []string{"t.yml:1:1: file is empty: expected a Sigma rule, correlation or filter"}},
		{"empty documents", "---\n---\n", []string{
			"t.yml:2:1: YAML document 1 is empty (null), expected a mapping (a Sigma rule, correlation or filter)",
			"t.yml:2:4: YAML document 2 is empty (null), expected a mapping (a Sigma rule, correlation or filter)",
		}},
		{"binary NUL", "title: x\x00\x01\x02", []string{"t.yml:1:9: file contains a NUL byte: it is not a YAML text file (binary?)"}},
		{"invalid UTF-8", "title: x\nid: \xff\xfe", []string{"t.yml:2:5: file is not valid UTF-8 (byte 0xff): it is not a YAML text file (binary?)"}},
		{"not a sigma document", "title: x\ndetecton:\n    sel: x\n", []string{`t.yml:1:1: YAML document 1 is not a Sigma rule, correlation or filter: it has no detection, correlation or filter section (found "detecton": did you mean "detection"?)`}},
		{"two kinds", "title: x\nlogsource:\n    product: azure\ndetection:\n    sel:\n        a: x\n    condition: sel\ncorrelation:\n    type: event_count\n", []string{
			"t.yml:8:1: a document has one of detection, correlation or filter, not both detection and correlation",
		}},
	}
	for _, tt := range tests {
		f := load(tt.src)
		if got := diags(f); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// A billion-laughs document fails at its first anchor, without expanding anything.
func TestYAMLAliasBomb(t *testing.T) {
	src := `title: bomb
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
logsource:
    product: azure
detection:
    sel:
        a: *i
    condition: sel
`
	f := load(src)
	want := []string{
		// One message for the whole bomb: the first anchor, and how many more follow.
		"t.yml:2:4: YAML anchor &a: anchors and aliases are not allowed in Sigma files (81 more anchors and aliases follow)",
	}
	if got := diags(f); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if len(f.Docs) != 1 || f.Docs[0].Rule == nil || len(f.Docs[0].Rule.Detection.Searches) != 0 {
		t.Errorf("a document with hazards is kept but not interpreted")
	}
}

func TestFileGuards(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	f := LoadFile("big.yml", big)
	if got := diags(f); len(got) != 1 || got[0] != "big.yml:1:1: file is 1048577 bytes, larger than the limit of 1048576 bytes (1 MiB)" {
		t.Errorf("size guard: %q", got)
	}
	var b strings.Builder
	for i := 0; i < MaxDocuments+5; i++ {
		b.WriteString("---\ntitle: c\ncorrelation:\n    type: temporal\n    rules: [a]\n    timespan: 1s\n")
	}
	f = load(b.String())
	if got := diags(f); len(got) != 1 || got[0] != "t.yml:6001:1: more than 1000 YAML documents in one file" || len(f.Docs) != 1000 {
		t.Errorf("document guard: %q, %d documents", got, len(f.Docs))
	}
	// File-level errors are capped too.
	f = load(strings.Repeat("---\ntitle: x\n", 30))
	if got := diags(f); len(got) != 21 || got[20] != "t.yml:41:1: too many errors (more than 20) in this file; the remaining documents are not loaded" {
		t.Errorf("file-level cap: %d diagnostics, last %q", len(got), got[len(got)-1])
	}
}

func TestDiagnosticsCarrySource(t *testing.T) {
	f := load(rule("sel:\n    a: x\ncondition: sel and and sel"))
	ds := f.AllDiagnostics()
	if len(ds) != 1 {
		t.Fatalf("got %d diagnostics", len(ds))
	}
	want := "t.yml:10:24: condition: unexpected \"and\", expected an identifier, \"not\", \"1 of\", \"all of\" or \"(\"\n" +
		"    |     condition: sel and and sel\n" +
		"    |                        ^"
	if got := ds[0].Format(); got != want {
		t.Errorf("Format:\n%s\nwant\n%s", got, want)
	}
}

func TestV1Constructs(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"action global", "title: x\naction: global\nlogsource:\n    product: azure\n---\ndetection:\n    sel:\n        a: x\n    condition: sel\n", []string{
			"t.yml:2:9: `action: global` is a Sigma v1 rule collection, removed in Sigma v2: rewrite it as a correlation rule (or split the documents into complete, separate rules)",
		}},
		{"action repeat", rule("sel:\n    a: x\ncondition: sel") + "action: repeat\n", []string{
			"t.yml:12:9: `action: repeat` is a Sigma v1 rule collection, removed in Sigma v2: rewrite it as a correlation rule (or split the documents into complete, separate rules)",
		}},
		{"timeframe", rule("sel:\n    a: x\ntimeframe: 10m\ncondition: sel"), []string{
			"t.yml:10:5: detection.timeframe is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (timespan)",
		}},
		{"count", rule("sel:\n    a: x\ncondition: sel | count(User) by Ip > 5"), []string{
			"t.yml:10:20: condition: the pipe aggregation `| count(User) by Ip > 5` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (event_count, value_count, ...)",
		}},
		{"near", rule("sel:\n    a: x\nb:\n    c: d\ncondition: sel | near b"), []string{
			"t.yml:12:20: condition: `| near` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (type temporal)",
		}},
	}
	for _, tt := range tests {
		f := load(tt.src)
		if got := diags(f); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// Hostile files of about 1 MiB end in bounded, clear diagnostics (their speed is covered by
// BenchmarkHostileFiles, not asserted here).
func hostileFiles() []struct{ name, src, first string } {
	n := 1 << 20
	var out []struct{ name, src, first string }
	add := func(name, src, first string) { out = append(out, struct{ name, src, first string }{name, src, first}) }
	add("deep flow", strings.Repeat("[", n-10), "x:1:1: invalid YAML: exceeded max depth of 10000")
	add("anchor chain", "a: "+strings.Repeat("&a [*a, ", (n-100)/8), "x:1:1: invalid YAML: exceeded max depth of 10000")
	add("empty documents", strings.Repeat("---\n", (n-10)/4), "x:2:1: YAML document 1 is empty (null), expected a mapping (a Sigma rule, correlation or filter)")
	var b strings.Builder
	b.WriteString("title: x\nlogsource: {product: a}\ndetection: {condition: 1 of them, s: {")
	for i := 0; b.Len() < n-100; i++ {
		fmt.Fprintf(&b, "f%d|contains|bogus%d: x, ", i, i)
	}
	b.WriteString("z: 1}}\n")
	add("flow mapping on one line", b.String(), `x:3:51: unknown modifier "bogus0"`)
	b.Reset()
	b.WriteString("title: x\nlogsource: {product: a}\ndetection:\n    condition: 1 of s*\n")
	for i := 0; b.Len() < n-100; i++ {
		fmt.Fprintf(&b, "    s%d: x\n", i)
	}
	add("many searches", b.String(), "x:1005:5: detection has more than 1000 searches")
	b.Reset()
	b.WriteString("title: x\nlogsource: {product: a}\ndetection:\n    s: x\n    condition:\n")
	for b.Len() < n-100 {
		b.WriteString("      - nope and nope and nope\n")
	}
	add("many conditions", b.String(), "x:106:9: condition: more than 100 conditions in the list")
	b.Reset()
	b.WriteString("title: x\nlogsource: {product: a}\ndetection:\n    condition: s\n    s:\n")
	for i := 0; b.Len() < n-100; i++ {
		fmt.Fprintf(&b, "        f%d|contians|xx: x\n", i)
	}
	add("many bad modifiers", b.String(), `x:6:12: unknown modifier "contians" (did you mean "contains"?)`)
	return out
}

func TestHostileFiles(t *testing.T) {
	for _, h := range hostileFiles() {
		if len(h.src) > MaxFileSize {
			t.Fatalf("%s: %d bytes is over the limit", h.name, len(h.src))
		}
		ds := LoadFile("x", []byte(h.src)).AllDiagnostics()
		if len(ds) == 0 || ds[0].Error() != h.first {
			t.Errorf("%s: first diagnostic %v, want %s", h.name, ds, h.first)
			continue
		}
		if len(ds) > 2*maxDocErrors+2 {
			t.Errorf("%s: %d diagnostics, want them capped", h.name, len(ds))
		}
	}
}

func BenchmarkHostileFiles(b *testing.B) {
	for _, h := range hostileFiles() {
		data := []byte(h.src)
		b.Run(strings.ReplaceAll(h.name, " ", "_"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				LoadFile("x", data)
			}
		})
	}
}
