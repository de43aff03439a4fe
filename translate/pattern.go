package translate

import (
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// Shape classifies a pattern by the simplest operator that matches it exactly.
type Shape int

const (
	ShapeExact    Shape = iota + 1 // no wildcard: equality with Lit
	ShapePrefix                    // Lit then `*`: startswith Lit
	ShapeSuffix                    // `*` then Lit: endswith Lit
	ShapeContains                  // `*` Lit `*`: contains Lit
	ShapeAny                       // only `*` (one or more): any value, including the empty string
	ShapeComplex                   // anything else (inner `*`, any `?`): needs a wildcard/regex form
)

// Classify returns the shape of a pattern and, for every shape but ShapeComplex and ShapeAny, the
// literal text it compares with. Consecutive stars count as one.
func Classify(segs []rules.Segment) (Shape, string) {
	segs = collapseStars(segs)
	switch {
	case len(segs) == 0:
		return ShapeExact, ""
	case len(segs) == 1 && segs[0].Kind == rules.SegLit:
		return ShapeExact, segs[0].Text
	case len(segs) == 1 && segs[0].Kind == rules.SegStar:
		return ShapeAny, ""
	case len(segs) == 2 && segs[0].Kind == rules.SegLit && segs[1].Kind == rules.SegStar:
		return ShapePrefix, segs[0].Text
	case len(segs) == 2 && segs[0].Kind == rules.SegStar && segs[1].Kind == rules.SegLit:
		return ShapeSuffix, segs[1].Text
	case len(segs) == 3 && segs[0].Kind == rules.SegStar && segs[1].Kind == rules.SegLit && segs[2].Kind == rules.SegStar:
		return ShapeContains, segs[1].Text
	}
	return ShapeComplex, ""
}

func collapseStars(segs []rules.Segment) []rules.Segment {
	out := make([]rules.Segment, 0, len(segs))
	for _, s := range segs {
		if s.Kind == rules.SegStar && len(out) > 0 && out[len(out)-1].Kind == rules.SegStar {
			continue
		}
		if s.Kind == rules.SegLit && s.Text == "" {
			continue
		}
		out = append(out, s)
	}
	return out
}

// HasWildcard reports whether the pattern has a `*` or `?`.
func HasWildcard(segs []rules.Segment) bool {
	for _, s := range segs {
		if s.Kind == rules.SegStar || s.Kind == rules.SegQuestion {
			return true
		}
	}
	return false
}

// Literal returns the concatenated literal text of a pattern without wildcards.
func Literal(segs []rules.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// RegexQuote writes a literal for an RE2/PCRE-style regex: every character outside [A-Za-z0-9_]
// and non-ASCII letters that has meaning in a regex is backslash-escaped.
func RegexQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$#&~<>"@-/ `, r) {
			if r == ' ' {
				b.WriteRune(r)
				continue
			}
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PatternRegex renders a pattern as an anchored regex body (without flags): `^...$` with `.*` for
// `*`, `.` for `?`, and literals quoted by RegexQuote. The caller adds `(?s)` as its dialect needs
// (`.` must match newlines for Sigma's meaning); for a case-insensitive pattern it uses
// FoldPatternRegex, not a `(?i)` flag, whose folding differs from FoldEq for k and s.
func PatternRegex(segs []rules.Segment) string { return patternRegex(segs, false) }

// FoldPatternRegex is PatternRegex for a case-insensitive pattern: every letter with case
// variants is written as the class of its FoldSet (`[Kk]`, `[Éé]`), so the regex needs no case
// flag and means exactly FoldEq in any regex dialect with character classes.
func FoldPatternRegex(segs []rules.Segment) string { return patternRegex(segs, true) }

func patternRegex(segs []rules.Segment, fold bool) string {
	var b strings.Builder
	b.WriteByte('^')
	for _, s := range collapseStars(segs) {
		switch s.Kind {
		case rules.SegLit:
			if !fold {
				b.WriteString(RegexQuote(s.Text))
				continue
			}
			for _, r := range s.Text {
				if set := FoldSet(r); len(set) > 1 {
					b.WriteByte('[')
					b.WriteString(string(set))
					b.WriteByte(']')
				} else {
					b.WriteString(RegexQuote(string(r)))
				}
			}
		case rules.SegStar:
			b.WriteString(".*")
		case rules.SegQuestion:
			b.WriteByte('.')
		}
	}
	b.WriteByte('$')
	return b.String()
}
