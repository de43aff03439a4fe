package roundtrip

import (
	"regexp/syntax"
	"testing"
)

func TestEquivalent(t *testing.T) {
	search := func(re, flags string) *syntax.Regexp {
		r, err := SearchRegex(re, flags)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	full := func(re string) *syntax.Regexp {
		r, err := FullRegex(re)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		name    string
		a, b    *syntax.Regexp
		eq      bool
		witness string
		inA     bool
	}{
		{"fold vs classes", full(`(?i)abc`), full(`[aA][bB][cC]`), true, "", false},
		{"fold includes kelvin", full(`(?i)k`), full(`[kK]`), false, "\u212a", true},
		{"star vs plus", full(`a.*`), full(`a.+`), false, "a", true},
		{"anchors are redundant in full match", full(`^abc$`), full(`abc`), true, "", false},
		{"search equals wrapped", search(`^admin[0-9]+@`, ""), full(`(?s)admin[0-9]+@.*`), true, "", false},
		{"search without s differs on newline", search(`a.b`, ""), full(`(?s).*a.b.*`), false, "a\nb", false},
		{"dot needs s for newline", full(`.`), full(`(?s).`), false, "\n", false},
		{"multiline anchor", search(`^x`, "m"), full(`(?s)(.*\n)?x.*`), true, "", false},
		{"word boundary", search(`\bcat\b`, ""), full(`(?s)(|.*[^0-9A-Za-z_])cat(|[^0-9A-Za-z_].*)`), true, "", false},
		{"pattern question is one code point", PatternRegex(nil, false), full(``), true, "", false},
		{"non-ascii fold", full(`(?i)é`), full(`[éÉ]`), true, "", false},
		{"alternation order", full(`a|b`), full(`b|a`), true, "", false},
		{"empty vs nothing", full(`[^\x00-\x{10FFFF}]`), full(``), false, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			eq, w, inA, err := Equivalent(c.a, c.b)
			if err != nil {
				t.Fatal(err)
			}
			if eq != c.eq || w != c.witness || inA != c.inA {
				t.Errorf("Equivalent(/%s/, /%s/) = %t, %q, %t; want %t, %q, %t", c.a, c.b, eq, w, inA, c.eq, c.witness, c.inA)
			}
		})
	}
}
