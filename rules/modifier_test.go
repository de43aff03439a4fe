package rules

import (
	"sort"
	"strings"
	"testing"
)

// field wraps one field line into a detection with search "sel" (the field line is file line 9).
func field(line string) string { return "sel:\n    " + line + "\ncondition: sel" }

func TestModifierConstraints(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		// accepted
		{"a|contains|all: [x, y]", nil},
		{"a|all|contains: [x, y]", nil}, // all may stand anywhere
		{"a|contains|all|windash: [x, y]", nil},
		{"a|startswith: x", nil},
		{"a|endswith|cased: x", nil},
		{"a|re|i|m|s: 'x.*'", nil},
		{"a|re|ignorecase|multiline|dotall: 'x.*'", nil},
		{"a|re|contains: 'x'", nil},
		{"a|wide|base64offset|contains: x", nil},
		{"a|utf16be|base64: x", nil},
		{"a|utf16|base64offset|contains: x", nil},
		{"a|base64|contains: x", nil},
		{"a|cidr: ['10.0.0.0/8', 'fe80::/10']", nil},
		{"a|gte: 5", nil},
		{"a|lt: 1.5", nil},
		{"a|neq: x", nil},
		{"a|neq: null", nil},
		{"a|exists: false", nil},
		{"a|minute: 59", nil},
		{"a|year: 2024", nil},
		{"a|fieldref: b", nil},
		{"a|fieldref|endswith: b", nil},
		{"a|expand: '%Servers%'", nil},
		{"a|contains|expand: 'x%Servers%'", nil},
		{"a|startswith: 46", nil}, // numbers are taken by their text under string modifiers
		{"'|all': [x, y]", nil},
		// all
		{"a|contains|all: x", []string{"t.yml:9:20: all needs a list of values (the spec forbids it on a single value)"}},
		{"a|contains|all: [x]", []string{"t.yml:9:20: all on a list of one value: use the value without all"}},
		// position modifiers
		{"a|contains|startswith: x", []string{"t.yml:9:20: modifiers contains and startswith cannot be combined"}},
		{"a|endswith|contains: x", []string{"t.yml:9:20: modifiers endswith and contains cannot be combined"}},
		{"a|contains|contains: x", []string{"t.yml:9:20: modifier contains repeated (first at 9:11)"}},
		// exists
		{"a|exists: yes", []string{"t.yml:9:11: exists takes a single true or false"}},
		{"a|exists: [true]", []string{"t.yml:9:11: exists takes a single true or false"}},
		{"a|exists|contains: true", []string{"t.yml:9:11: exists cannot be combined with other modifiers", "t.yml:9:28: modifier contains takes strings, got boolean true"}},
		{"'|exists': true", []string{"t.yml:9:11: exists needs a field name (it cannot apply to keywords)"}},
		// numeric
		{"a|gt: '5'", []string{`t.yml:9:15: modifier gt takes a number, got string "5"`}},
		{"a|gte: x", []string{`t.yml:9:16: modifier gte takes a number, got string "x"`}},
		{"a|gt|lt: 5", []string{"t.yml:9:14: modifiers gt and lt cannot be combined"}},
		{"a|gt|contains: 5", []string{"t.yml:9:14: modifier contains cannot be combined with gt"}},
		// re and flags
		{"a|i: x", []string{"t.yml:9:11: i is a flag of re and must follow it (a|re|i)"}},
		{"a|m|re: x", []string{"t.yml:9:11: m is a flag of re and must follow it (a|re|m)", "t.yml:9:13: re must be the first modifier (it takes the value as written)"}},
		{"a|re|i|ignorecase: x", []string{"t.yml:9:16: modifier ignorecase repeated (first at 9:14)"}},
		{"a|contains|re: x", []string{"t.yml:9:20: re must be the first modifier (it takes the value as written)"}},
		{"a|re|cased: x", []string{"t.yml:9:14: modifier cased cannot be combined with re"}},
		{"a|re|windash: x", []string{"t.yml:9:14: modifier windash cannot be combined with re"}},
		{"a|re: ''", []string{"t.yml:9:15: empty regular expression"}},
		{"a|re: [x, '']", []string{"t.yml:9:19: empty regular expression"}},
		// null
		{"a: [x, null]", []string{"t.yml:9:16: null cannot be in a value list: use a separate search with `field: null`"}},
		{"a|contains: null", []string{"t.yml:9:11: modifier contains cannot apply to null"}},
		// unknown and malformed
		{"a|contians: x", []string{`t.yml:9:11: unknown modifier "contians" (did you mean "contains"?)`}},
		{"a|Contains: x", []string{`t.yml:9:11: unknown modifier "Contains" (did you mean "contains"?)`}},
		{"a|foo: x", []string{`t.yml:9:11: unknown modifier "foo"`}},
		{"a||contains: x", []string{`t.yml:9:11: "a||contains": empty modifier name`}},
		{"a|: x", []string{`t.yml:9:11: "a|": empty modifier name`}},
		// encodings
		{"a|utf16le: x", []string{"t.yml:9:11: utf16le only changes the bytes base64 encodes: it must come before base64 or base64offset"}},
		{"a|base64|wide: x", []string{"t.yml:9:18: wide only changes the bytes base64 encodes: it must come before base64 or base64offset"}},
		{"a|wide|utf16be|base64: x", []string{"t.yml:9:16: modifiers wide and utf16be cannot be combined"}},
		{"a|base64|base64offset: x", []string{"t.yml:9:18: modifiers base64 and base64offset cannot be combined"}},
		{"a|contains|base64: x", []string{"t.yml:9:20: base64 cannot encode a value with wildcards (put contains after base64)"}},
		{"a|base64offset: 'x*'", []string{"t.yml:9:11: base64offset cannot encode a value with wildcards (put contains after base64offset)"}},
		{"a|base64: true", []string{"t.yml:9:19: modifier base64 takes strings, got boolean true"}},
		// cidr
		{"a|cidr: 10.0.0.0/33", []string{`t.yml:9:17: invalid CIDR prefix "10.0.0.0/33" (expected address/bits, e.g. 10.0.0.0/8 or 10.1.2.3/32)`}},
		{"a|cidr: 10.0.0.1", []string{`t.yml:9:17: invalid CIDR prefix "10.0.0.1" (expected address/bits, e.g. 10.0.0.0/8 or 10.1.2.3/32)`}},
		{"a|contains|cidr: 10.0.0.0/8", []string{"t.yml:9:11: modifier contains cannot be combined with cidr", "t.yml:9:20: cidr must be the first modifier (it takes the value as written)"}},
		// time
		{"a|hour: 24", []string{"t.yml:9:17: modifier hour takes 0 to 23, got 24"}},
		{"a|day: 0", []string{"t.yml:9:16: modifier day takes 1 to 31, got 0"}},
		{"a|month: '3'", []string{`t.yml:9:18: modifier month takes an integer, got string "3"`}},
		{"a|week|gt: 3", []string{"t.yml:9:11: modifier week cannot be combined with gt"}},
		// fieldref
		{"a|fieldref: b*", []string{`t.yml:9:21: fieldref takes a field name without wildcards, got "b*"`}},
		{"a|fieldref|lt: b", []string{"t.yml:9:11: modifier fieldref cannot be combined with lt", `t.yml:9:24: modifier lt takes a number, got string "b"`}},
		// expand
		{"a|expand: x", []string{`t.yml:9:19: warning: expand but "x" has no %placeholder%`}},
		// value shapes
		{"a|contains: true", []string{"t.yml:9:21: modifier contains takes strings, got boolean true"}},
		{"a: []", []string{`t.yml:9:12: "a": empty value list (it would match nothing)`}},
		{"a: {b: c}", []string{`t.yml:9:12: "a": the value must be a scalar or a list of scalars, got a mapping`}},
		{"a: [[x]]", []string{`t.yml:9:13: "a": values must be scalars, got a list`}},
	}
	for _, tt := range tests {
		f := load(rule(field(tt.line)))
		got := diags(f)
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tt.line, got, tt.want)
		}
	}
}

func TestModifierModel(t *testing.T) {
	f := wantDiags(t, rule(field("CommandLine|wide|base64offset|contains|all: [a, b]")))
	fm := f.Docs[0].Rule.Detection.Searches[0].Maps[0][0]
	var got []string
	for _, m := range fm.Modifiers {
		got = append(got, m.Name+"/"+m.Written+"@"+m.Pos.String())
	}
	want := "utf16le/wide@9:21 base64offset/base64offset@9:26 contains/contains@9:39 all/all@9:48"
	if strings.Join(got, " ") != want {
		t.Errorf("modifiers:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if fm.Field != "CommandLine" || fm.Key != "CommandLine|wide|base64offset|contains|all" || !fm.IsList || !fm.Has("utf16le") || fm.Has("wide") {
		t.Errorf("field match: %+v", fm)
	}
}

func TestCanonicalModifier(t *testing.T) {
	for _, n := range ModifierNames() {
		if _, ok := CanonicalModifier(n); !ok {
			t.Errorf("ModifierNames lists %q but CanonicalModifier rejects it", n)
		}
	}
	aliases := map[string]string{"wide": "utf16le", "ignorecase": "i", "multiline": "m", "dotall": "s", "contains": "contains"}
	for in, want := range aliases {
		if got, _ := CanonicalModifier(in); got != want {
			t.Errorf("CanonicalModifier(%q) = %q, want %q", in, got, want)
		}
	}
	if _, ok := CanonicalModifier("CONTAINS"); ok {
		t.Errorf("modifier names are case-sensitive")
	}
	if !sort.StringsAreSorted(ModifierNames()) {
		t.Errorf("ModifierNames is not sorted")
	}
	if len(ModifierNames()) != 34 {
		t.Errorf("ModifierNames has %d names, want 34", len(ModifierNames()))
	}
}
