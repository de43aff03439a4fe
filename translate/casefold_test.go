package translate

import (
	"slices"
	"testing"

	"github.com/entrasig/entrasig/rules"
)

func TestFoldEq(t *testing.T) {
	for _, c := range []struct {
		a, b rune
		want bool
	}{
		{'a', 'A', true},
		{'k', 'K', true},
		{'k', '\u212a', false}, // Kelvin sign: not an ASCII letter's case variant
		{'K', '\u212a', false},
		{'s', '\u017f', false}, // long s
		{'S', '\u017f', false},
		{'é', 'É', true},
		{'å', '\u212b', true}, // Angstrom sign folds with å (both non-ASCII)
		{'Å', '\u212b', true},
		{'ς', 'Σ', true}, // final sigma
		{'1', '1', true},
		{'a', 'b', false},
		{'[', '{', false},
	} {
		if got := FoldEq(c.a, c.b); got != c.want {
			t.Errorf("FoldEq(%q, %q) = %t, want %t", c.a, c.b, got, c.want)
		}
		if got := FoldEq(c.b, c.a); got != c.want {
			t.Errorf("FoldEq(%q, %q) = %t, want %t (not symmetric)", c.b, c.a, got, c.want)
		}
	}
}

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		s, t string
		want bool
	}{
		{"Success", "SUCCESS", true},
		{"Succeß", "SUCCESS", false},
		{"ri\u017fk", "risk", false},
		{"Zoë", "ZOË", true},
		{"", "", true},
		{"a", "", false},
	} {
		if got := EqualFold(c.s, c.t); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %t, want %t", c.s, c.t, got, c.want)
		}
	}
}

func TestFoldSet(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want []rune
	}{
		{'k', []rune{'K', 'k'}},
		{'\u212a', []rune{'\u212a'}},
		{'s', []rune{'S', 's'}},
		{'\u017f', []rune{'\u017f'}},
		{'å', []rune{'Å', 'å', '\u212b'}},
		{'σ', []rune{'Σ', 'ς', 'σ'}},
		{'1', []rune{'1'}},
	} {
		if got := FoldSet(c.r); !slices.Equal(got, c.want) {
			t.Errorf("FoldSet(%q) = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestFoldFlagExact(t *testing.T) {
	lit := func(s string) []rules.Segment { return []rules.Segment{{Kind: rules.SegLit, Text: s}} }
	for _, c := range []struct {
		segs []rules.Segment
		want bool
	}{
		{lit("Office 36"), true},
		{lit("Zoë Åge"), true},
		{lit("Ångström"), false},
		{lit("risk"), false},
		{lit("Success"), false},
		{lit("\u212a"), false},
		{[]rules.Segment{{Kind: rules.SegStar}, {Kind: rules.SegQuestion}}, true},
	} {
		if got := FoldFlagExact(c.segs); got != c.want {
			t.Errorf("FoldFlagExact(%v) = %t, want %t", c.segs, got, c.want)
		}
	}
}
