package rules

import (
	"strings"
	"testing"
)

func TestOutputs(t *testing.T) {
	const base = "title: %s\nname: %s\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        ResultType: 0\n    condition: selection\n"
	rule := func(name string) string {
		return strings.ReplaceAll(strings.ReplaceAll(base, "%s\nname", name+"\nname"), "name: %s", "name: "+name)
	}
	corr := func(title, gen string, refs ...string) string {
		return "title: " + title + "\ncorrelation:\n    type: event_count\n    rules:\n        - " + strings.Join(refs, "\n        - ") +
			"\n    group-by:\n        - IPAddress\n    timespan: 5m\n    condition:\n        gte: 3\n" + gen
	}
	src := strings.Join([]string{
		rule("a"), rule("b"), rule("c"), rule("d"),
		corr("only a", "", "a"),
		corr("b generated", "    generate: true\n", "b"),
		corr("b again", "", "b"),
		strings.Replace(corr("nested", "", "c"), "correlation:", "name: nested\ncorrelation:", 1),
		corr("outer", "", "nested"),
		"title: f\nfilter:\n    rules:\n        - d\n    selection:\n        UserType: Guest\n    condition: not selection\nlogsource:\n    product: azure\n    service: signinlogs\n",
	}, "---\n")
	f := LoadFile("x.yml", []byte(src))
	Resolve([]*File{f})
	for _, d := range f.Docs {
		if d.Diags.HasErrors() {
			t.Fatalf("document %d: %v", d.Index, d.Diags)
		}
	}
	var got []string
	for _, d := range Outputs([]*File{f}) {
		got = append(got, d.Meta.Title)
	}
	want := "b,d,only a,b generated,b again,outer"
	if strings.Join(got, ",") != want {
		t.Errorf("Outputs = %q, want %q", strings.Join(got, ","), want)
	}
}
