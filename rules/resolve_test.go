package rules

import (
	"strings"
	"testing"
)

func ruleDoc(id, name string) string {
	s := "title: r " + name + "\nid: " + id + "\n"
	if name != "" {
		s += "name: " + name + "\n"
	}
	return s + "logsource:\n    product: azure\ndetection:\n    sel:\n        a: x\n    condition: sel\n"
}

func resolveDiags(files ...*File) []string {
	Resolve(files)
	var out []string
	for _, f := range files {
		out = append(out, diags(f)...)
	}
	return out
}

func TestResolve(t *testing.T) {
	rules := LoadFile("rules.yml", []byte(
		ruleDoc("5638f7c0-ac70-491d-8465-2a65075e0d86", "failed_login")+"---\n"+
			ruleDoc("4d0a2c83-c62c-4ed4-b475-c7e23a9269b8", "")+"---\n"+
			ruleDoc("53ba33fd-3a50-4468-a5ef-c583635cfa92", "dup")+"---\n"+
			ruleDoc("b180ead8-d58f-40b2-ae54-c8940995b9b6", "dup")))
	corr := LoadFile("corr.yml", []byte(`title: chain top
name: top
correlation:
    type: temporal_ordered
    rules:
        - many_failed
        - 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8
    timespan: 1h
    aliases:
        user:
            many_failed: User
            4d0a2c83-c62c-4ed4-b475-c7e23a9269b8: TargetUser
---
title: many failed
name: many_failed
correlation:
    type: event_count
    rules:
        - failed_login
        - faild_login
        - dup
        - a_filter
    timespan: 10m
    condition:
        gte: 10
---
title: admin filter
name: a_filter
logsource:
    product: azure
filter:
    rules:
        - failed_login
        - top
        - nothing_here
    sel:
        u: x
    condition: not sel
`))
	got := resolveDiags(rules, corr)
	want := []string{
		`corr.yml:10:9: warning: alias "user" is not used in group-by`,
		`corr.yml:12:13: alias "user": rule "4d0a2c83-c62c-4ed4-b475-c7e23a9269b8" has no name (aliases refer to rules by their name:)`,
		`corr.yml:20:11: correlation rules: unknown rule "faild_login" (did you mean "failed_login"?)`,
		`corr.yml:21:11: correlation rules: ambiguous reference "dup": the name of 2 documents (rules.yml:20:1, rules.yml:30:1)`,
		`corr.yml:22:11: correlation rules: "a_filter" is a filter, not a rule or correlation`,
		`corr.yml:34:11: filter rules: "top" is a correlation; filters apply to rules`,
		`corr.yml:35:11: filter rules: unknown rule "nothing_here"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Resolve diagnostics:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	top := corr.Docs[0].Correlation
	if top.Rules[0].Target != corr.Docs[1] || top.Rules[1].Target != rules.Docs[1] {
		t.Errorf("targets not linked: %v %v", top.Rules[0].Target, top.Rules[1].Target)
	}
	if top.Aliases[0].Fields[0].Rule.Target != corr.Docs[1] {
		t.Errorf("alias target not linked")
	}
	if mf := corr.Docs[1].Correlation; mf.Rules[0].Target != rules.Docs[0] || mf.Rules[1].Target != nil {
		t.Errorf("many_failed targets wrong")
	}
	if fl := corr.Docs[2].Filter; fl.Rules[0].Target != rules.Docs[0] || fl.Rules[1].Target != nil {
		t.Errorf("filter targets wrong")
	}
}

func TestResolveCycle(t *testing.T) {
	f := LoadFile("cyc.yml", []byte(`title: a
name: a
correlation:
    type: temporal
    rules: [b, r]
    timespan: 1h
---
title: b
name: b
correlation:
    type: event_count
    rules: [c]
    timespan: 1h
    condition:
        gt: 1
---
title: c
name: c
correlation:
    type: event_count
    rules: [a]
    timespan: 1h
    condition:
        gt: 1
---
title: self
name: self
correlation:
    type: event_count
    rules: [self]
    timespan: 1h
    condition:
        gt: 1
---
`+ruleDoc("929a690e-bef0-4204-a928-ef5e620d6fcc", "r")))
	got := resolveDiags(f)
	want := []string{
		`cyc.yml:21:13: correlation cycle: a -> b -> c -> a`,
		`cyc.yml:30:13: correlation rules: "self" refers to this correlation itself`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cycle diagnostics:\n got %s\nwant %s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if f.Docs[2].Correlation.Rules[0].Target != nil {
		t.Errorf("the reference closing a cycle must stay unresolved")
	}
	if f.Docs[0].Correlation.Rules[1].Target != f.Docs[4] {
		t.Errorf("rule reference not resolved")
	}
}

// A chain of correlations (correlation of a correlation) is fine.
func TestResolveChain(t *testing.T) {
	f := LoadFile("chain.yml", []byte(`title: top
correlation:
    type: temporal
    rules: [mid]
    timespan: 1h
---
title: mid
name: mid
correlation:
    type: event_count
    rules: [5638f7c0-ac70-491d-8465-2a65075e0d86]
    timespan: 1h
    condition:
        gt: 1
---
`+ruleDoc("5638f7c0-ac70-491d-8465-2a65075e0d86", "")))
	if got := resolveDiags(f); len(got) != 0 {
		t.Errorf("unexpected diagnostics %q", got)
	}
	if f.Docs[0].Correlation.Rules[0].Target.Correlation.Rules[0].Target != f.Docs[2] {
		t.Errorf("chain not linked")
	}
}
