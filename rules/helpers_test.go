package rules

import (
	"fmt"
	"strings"
	"testing"
)

// load parses src as t.yml.
func load(src string) *File { return LoadFile("t.yml", []byte(src)) }

// diags renders every diagnostic of f (file level first, then documents) as Error() strings.
func diags(f *File) []string {
	var out []string
	for _, d := range f.AllDiagnostics() {
		out = append(out, d.Error())
	}
	return out
}

// rule builds a complete rule around a detection body (indented by 4 spaces in the output).
func rule(detection string) string {
	var b strings.Builder
	b.WriteString("title: Test\nid: 929a690e-bef0-4204-a928-ef5e620d6fcc\nstatus: test\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n")
	for _, l := range strings.Split(strings.TrimRight(detection, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	b.WriteString("level: medium\n")
	return b.String()
}

// ruleLine is the file line of the first detection body line in rule().
const ruleLine = 8

func wantDiags(t *testing.T, src string, want ...string) *File {
	t.Helper()
	f := load(src)
	got := diags(f)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics for\n%s\ngot:\n%s\nwant:\n%s", src, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	return f
}

// segString renders segments canonically: lit("a") star qm ph(name).
func segString(segs []Segment) string {
	parts := []string{}
	for _, s := range segs {
		switch s.Kind {
		case SegLit:
			parts = append(parts, fmt.Sprintf("lit(%q)", s.Text))
		case SegStar:
			parts = append(parts, "star")
		case SegQuestion:
			parts = append(parts, "qm")
		case SegPlaceholder:
			parts = append(parts, fmt.Sprintf("ph(%s)", s.Text))
		}
	}
	if segs == nil {
		return "nil"
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func describeValues(vs []*Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%s:%q", v.Kind, v.Raw)
	}
	return strings.Join(parts, ",")
}

// condEqual compares two condition trees, ignoring positions and resolved names.
func condEqual(a, b Cond) bool {
	switch x := a.(type) {
	case *CondAnd:
		y, ok := b.(*CondAnd)
		return ok && condsEqual(x.Args, y.Args)
	case *CondOr:
		y, ok := b.(*CondOr)
		return ok && condsEqual(x.Args, y.Args)
	case *CondNot:
		y, ok := b.(*CondNot)
		return ok && condEqual(x.Arg, y.Arg)
	case *CondIdent:
		y, ok := b.(*CondIdent)
		return ok && x.Name == y.Name
	case *CondOf:
		y, ok := b.(*CondOf)
		return ok && x.Quant == y.Quant && x.Pattern == y.Pattern
	case nil:
		return b == nil
	}
	return false
}

func condsEqual(a, b []Cond) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !condEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}
