package translate

import (
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/entrasig/entrasig/rules"
)

// Sigma matches strings case-insensitively unless a value is |cased, without saying which case
// mapping. entrasig's definition, shared by the evaluator and every backend: Unicode simple case
// folding (the relation of RE2's (?i) and strings.EqualFold), except that an ASCII character is
// never equal to a non-ASCII one. The only pairs this removes are k/K with the Kelvin sign K
// (U+212A) and s/S with the long s ſ (U+017F): compatibility characters, not case variants a
// writer of "risk" or "Success" means. It is what Kusto's case-insensitive operators do for ASCII
// text (Microsoft documents them as supported for ASCII text only), so the idiomatic forms (=~,
// in~, contains) are exact for ASCII values, while non-ASCII letters (É/é, Ö/ö) still match their
// case variants.

// FoldEq reports whether a and b are equal ignoring case under entrasig's definition.
func FoldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf || b < utf8.RuneSelf {
		return a < utf8.RuneSelf && b < utf8.RuneSelf && asciiLower(a) == asciiLower(b)
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

func asciiLower(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// EqualFold reports whether s and t are equal ignoring case (FoldEq rune by rune).
func EqualFold(s, t string) bool {
	for s != "" && t != "" {
		a, n := utf8.DecodeRuneInString(s)
		b, m := utf8.DecodeRuneInString(t)
		if !FoldEq(a, b) {
			return false
		}
		s, t = s[n:], t[m:]
	}
	return s == t
}

// FoldSet returns r and every rune equal to it ignoring case, in ascending order: the character
// class a backend writes for r in a case-insensitive regex without a case-folding flag.
func FoldSet(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if FoldEq(r, f) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// FoldFlagExact reports whether a case-insensitivity flag that folds by Unicode simple case
// folding (RE2's (?i)) matches the literals of segs exactly as FoldEq does: true unless a literal
// holds a letter whose simple-folding orbit crosses between ASCII and non-ASCII (k, s and their
// compatibility forms). When it is false, a backend writes FoldPatternRegex instead.
func FoldFlagExact(segs []rules.Segment) bool {
	for _, s := range segs {
		if s.Kind != rules.SegLit {
			continue
		}
		for _, r := range s.Text {
			n := 1
			for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
				n++
			}
			if n != len(FoldSet(r)) {
				return false
			}
		}
	}
	return true
}
