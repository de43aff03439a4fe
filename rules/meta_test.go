package rules

import (
	"strings"
	"testing"
)

func TestMetadata(t *testing.T) {
	f := wantDiags(t, `id: not-a-uuid
name: 5
status: draft
level: severe
date: 2024/01/02
modified: yesterday
tags:
    - attack.t1078.004
    - Attack.T1078
    - nonamespace
references: http://x
related:
    - id: 929a690e-bef0-4204-a928-ef5e620d6fcc
      type: derive
    - type: similar
titel: typo
custom_field: fine
regression_tests_path: fine/too
author: [a, b]
logsource:
    product: azure
detection:
    sel:
        a: x
    condition: sel
`,
		`t.yml:1:1: missing title (required)`,
		`t.yml:1:5: id "not-a-uuid" is not a UUID (expected 8-4-4-4-12 hex digits)`,
		`t.yml:3:9: warning: unknown status "draft" (expected stable, test, experimental, deprecated or unsupported)`,
		`t.yml:4:8: unknown level "severe" (expected informational, low, medium, high or critical)`,
		`t.yml:5:7: warning: date "2024/01/02" uses the form YYYY/MM/DD; the spec's form is YYYY-MM-DD`,
		`t.yml:6:11: warning: modified "yesterday" is not a date in the form YYYY-MM-DD`,
		`t.yml:9:7: warning: tag "Attack.T1078" does not follow the spec's syntax namespace.name (lowercase letters, digits, _ and -, dot-separated)`,
		`t.yml:10:7: warning: tag "nonamespace" does not follow the spec's syntax namespace.name (lowercase letters, digits, _ and -, dot-separated)`,
		`t.yml:11:13: warning: references must be a list of strings, got a scalar`,
		`t.yml:14:13: warning: unknown related type "derive" (did you mean "derived"?) (expected derived, obsolete, merged, renamed or similar)`,
		`t.yml:15:7: warning: related entry without id`,
		`t.yml:16:1: warning: unknown key "titel": did you mean "title"? (custom keys are allowed, but this one looks like a typo)`,
		`t.yml:19:9: warning: author must be a string, got a list`,
	)
	m := f.Docs[0].Meta
	if m.Name != "5" || m.Date != "2024/01/02" || strings.Join(m.Tags, ",") != "attack.t1078.004,Attack.T1078,nonamespace" ||
		len(m.Related) != 2 || m.Related[0].Type != "derive" || strings.Join(m.References, ",") != "http://x" {
		t.Errorf("meta: %+v", m)
	}
}

func TestMetadataValid(t *testing.T) {
	long := strings.Repeat("t", 257)
	f := wantDiags(t, `title: `+long+`
id: 929A690E-bef0-4204-a928-ef5e620d6fcc
name: my_rule
status: experimental
description: d
license: DRL-1.1
author: me
references:
    - https://example.com
date: 2024-01-02
modified: 2024-12-31
tags:
    - attack.t1078.004
    - cve.2021-44228
    - detection.emerging-threats
falsepositives: Unknown
fields: [a, b]
scope: [server]
taxonomy: sigma
level: critical
logsource:
    category: authentication
    product: azure
    service: signinlogs
    definition: Requires sign-in logs
    custom_key: allowed
detection:
    sel:
        a: x
    condition: sel
`, `t.yml:1:8: warning: title is 257 characters long, more than the spec's 256`)
	d := f.Docs[0]
	m := d.Meta
	if m.ID != "929A690E-bef0-4204-a928-ef5e620d6fcc" || m.IDPos != (Pos{2, 5}) || m.Name != "my_rule" || m.NamePos != (Pos{3, 7}) ||
		m.Level != "critical" || m.Status != "experimental" || m.License != "DRL-1.1" || m.Author != "me" || m.Description != "d" ||
		m.Date != "2024-01-02" || m.Modified != "2024-12-31" || strings.Join(m.FalsePositives, ",") != "Unknown" ||
		strings.Join(m.Fields, ",") != "a,b" || strings.Join(m.Scope, ",") != "server" || m.Taxonomy != "sigma" || m.TitlePos != (Pos{1, 8}) {
		t.Errorf("meta: %+v", m)
	}
	ls := d.Rule.Logsource
	if ls.Category != "authentication" || ls.Product != "azure" || ls.Service != "signinlogs" || ls.Definition != "Requires sign-in logs" ||
		ls.Pos != (Pos{22, 5}) || ls.ServicePos != (Pos{24, 14}) {
		t.Errorf("logsource: %+v", ls)
	}
	if d.Pos != (Pos{1, 1}) || d.Index != 0 || d.Path != "t.yml" || d.Kind != KindRule {
		t.Errorf("document: %+v", d)
	}
}

func TestMetadataStructureErrors(t *testing.T) {
	wantDiags(t, "title: [a]\nlogsource: azure\ndetection:\n    sel:\n        a: x\n    condition: sel\n",
		`t.yml:1:8: title must be a string, got a list`,
		`t.yml:2:12: logsource must be a mapping (category, product, service), got a scalar`,
	)
	wantDiags(t, "title: ''\nlogsource:\n    produt: azure\n    custom: thing\ndetection:\n    sel:\n        a: x\n    condition: sel\n",
		`t.yml:1:8: title is empty`,
		`t.yml:3:5: unknown logsource key "produt": did you mean "product"?`,
	)
	wantDiags(t, "title: x\ndetection:\n    sel:\n        a: x\n    condition: sel\n",
		`t.yml:1:1: missing logsource (required)`,
	)
	wantDiags(t, "title: x\nlogsource:\n    product: [a]\ndetection: [a]\n",
		`t.yml:3:14: logsource product must be a string, got a list`,
		`t.yml:4:12: detection must be a mapping of searches and a condition, got a list`,
	)
}

func TestSearchShapes(t *testing.T) {
	f := wantDiags(t, rule(`map:
    a: x
    b: [y, z]
maplist:
    - a: x
    - b: y
      c: z
keywords:
    - foo
    - 'bar*'
single: evil
allkw:
    '|all':
        - x
        - y
condition: 1 of them`))
	ss := f.Docs[0].Rule.Detection.Searches
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Name + ":")
		switch s.Kind {
		case SearchMap, SearchMapList:
			for _, m := range s.Maps {
				b.WriteString("{")
				for _, fm := range m {
					b.WriteString(fm.Field + "=" + describeValues(fm.Values) + ";")
				}
				b.WriteString("}")
			}
		case SearchKeywords:
			b.WriteString("kw=" + describeValues(s.Keywords.Values))
		}
		b.WriteString(" ")
	}
	want := `map:{a=string:"x";b=string:"y",string:"z";} maplist:{a=string:"x";}{b=string:"y";c=string:"z";} keywords:kw=string:"foo",string:"bar*" single:kw=string:"evil" allkw:{=string:"x",string:"y";} `
	if b.String() != want {
		t.Errorf("searches:\n got %s\nwant %s", b.String(), want)
	}
	if ss[0].Kind != SearchMap || ss[1].Kind != SearchMapList || ss[2].Kind != SearchKeywords || ss[3].Kind != SearchKeywords || ss[4].Kind != SearchMap {
		t.Errorf("kinds wrong")
	}
	if !ss[4].Maps[0][0].Has("all") || ss[3].Keywords.IsList || !ss[2].Keywords.IsList {
		t.Errorf("keyword flags wrong")
	}
	if ss[0].Pos != (Pos{8, 5}) || ss[0].Maps[0][1].Pos != (Pos{10, 9}) || ss[0].Maps[0][1].Values[1].Pos != (Pos{10, 16}) {
		t.Errorf("positions: %v %v %v", ss[0].Pos, ss[0].Maps[0][1].Pos, ss[0].Maps[0][1].Values[1].Pos)
	}

	tests := []struct {
		det  string
		want []string
	}{
		{"sel:\ncondition: sel", []string{`t.yml:8:5: search "sel" is empty`}},
		{"sel: []\ncondition: sel", []string{`t.yml:8:10: search "sel" is an empty list`}},
		{"sel: {}\ncondition: sel", []string{`t.yml:8:10: empty mapping in a search`}},
		{"sel:\n    - a: x\n    - y\ncondition: sel", []string{`t.yml:9:9: search "sel" mixes mappings and plain values in one list`}},
		{"sel:\n    - [x]\ncondition: sel", []string{`t.yml:9:11: search "sel": list items must be mappings or values, got a list`}},
		{"sel x:\n    a: x\ncondition: sel", []string{
			`t.yml:8:5: search identifier "sel x" contains white space or parentheses: a condition cannot name it`,
			`t.yml:10:16: condition: undefined search identifier "sel" (did you mean "sel x"?)`,
		}},
		{"sel|contains:\n    a: x\ncondition: 1 of sel*", []string{
			`t.yml:8:5: warning: search identifier "sel|contains" contains "|": only a pattern can select it (did you mean a modifier on a field inside the search?)`,
		}},
	}
	for _, tt := range tests {
		wantDiags(t, rule(tt.det), tt.want...)
	}
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("sel:\n")
	for i := 0; i < 30; i++ {
		b.WriteString("    f" + strings.Repeat("x", i) + "|bogus: 1\n")
	}
	b.WriteString("condition: sel")
	f := load(rule(b.String()))
	errs := f.AllDiagnostics().Errors()
	if len(errs) != 21 || errs[20].Msg != "too many errors (more than 20) in this document; the rest are not shown" {
		t.Errorf("got %d errors, last %q", len(errs), errs[len(errs)-1].Msg)
	}
}
