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

// A name defined in several files resolves to the referencing file's own document.
func TestResolvePrefersSameFile(t *testing.T) {
	const rule = "title: base\nname: failures\nlogsource:\n    product: azure\n    service: signinlogs\ndetection:\n    selection:\n        ResultType: %s\n    condition: selection\n"
	const corr = "---\ntitle: c\ncorrelation:\n    type: event_count\n    rules: failures\n    group-by: IPAddress\n    timespan: 5m\n    condition:\n        gte: 3\n"
	a := LoadFile("a.yml", []byte(strings.Replace(rule, "%s", "1", 1)+corr))
	b := LoadFile("b.yml", []byte(strings.Replace(rule, "%s", "2", 1)+corr))
	other := LoadFile("c.yml", []byte(strings.Replace(rule, "%s", "3", 1)))
	third := LoadFile("d.yml", []byte("title: c\ncorrelation:\n    type: event_count\n    rules: failures\n    group-by: IPAddress\n    timespan: 5m\n    condition:\n        gte: 3\n"))
	Resolve([]*File{a, b, other, third})
	if got := a.Docs[1].Correlation.Rules[0].Target; got != a.Docs[0] {
		t.Errorf("a.yml resolved to %v", got)
	}
	if got := b.Docs[1].Correlation.Rules[0].Target; got != b.Docs[0] {
		t.Errorf("b.yml resolved to %v", got)
	}
	if errs := third.Docs[0].Diags.Errors(); len(errs) != 1 || !strings.Contains(errs[0].Msg, `ambiguous reference "failures": the name of 3 documents`) {
		t.Errorf("d.yml: %v", errs)
	}
}
