package evaluate

import (
	"strings"
	"unicode/utf8"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// matcher is a compiled Sigma pattern (literal text, `*`, `?`). Simple shapes use direct string
// operations; the rest use a rune-level glob with one backtracking point. Neither allocates.
type matcher struct {
	shape translate.Shape
	lit   string // literal of ShapeExact/Prefix/Suffix/Contains
	cased bool
	toks  []tok // ShapeComplex
}

type tokKind uint8

const (
	tokLit  tokKind = iota + 1 // one literal rune
	tokStar                    // any run of runes, possibly empty
	tokOne                     // exactly one rune
)

type tok struct {
	kind tokKind
	r    rune
}

func newMatcher(segs []rules.Segment, cased bool) (*matcher, error) {
	for _, s := range segs {
		switch s.Kind {
		case rules.SegLit, rules.SegStar, rules.SegQuestion:
		case rules.SegPlaceholder:
			return nil, errorf("placeholder %%%s%% was not expanded by translation", s.Text)
		default:
			return nil, errorf("unknown pattern segment kind %d", s.Kind)
		}
	}
	shape, lit := translate.Classify(segs)
	m := &matcher{shape: shape, lit: lit, cased: cased}
	if shape == translate.ShapeComplex {
		for _, s := range segs {
			switch s.Kind {
			case rules.SegLit:
				for _, r := range s.Text {
					m.toks = append(m.toks, tok{kind: tokLit, r: r})
				}
			case rules.SegStar:
				if n := len(m.toks); n > 0 && m.toks[n-1].kind == tokStar {
					continue
				}
				m.toks = append(m.toks, tok{kind: tokStar})
			case rules.SegQuestion:
				m.toks = append(m.toks, tok{kind: tokOne})
			}
		}
	}
	return m, nil
}

// match reports whether the whole of s matches the pattern.
func (m *matcher) match(s string) bool {
	switch m.shape {
	case translate.ShapeAny:
		return true
	case translate.ShapeExact:
		if m.cased {
			return s == m.lit
		}
		return translate.EqualFold(s, m.lit)
	case translate.ShapePrefix:
		if m.cased {
			return strings.HasPrefix(s, m.lit)
		}
		_, ok := foldPrefix(s, m.lit)
		return ok
	case translate.ShapeSuffix:
		if m.cased {
			return strings.HasSuffix(s, m.lit)
		}
		return foldSuffix(s, m.lit)
	case translate.ShapeContains:
		if m.cased {
			return strings.Contains(s, m.lit)
		}
		return foldContains(s, m.lit)
	}
	return glob(m.toks, s, m.cased)
}

// foldEq reports whether a and b are equal ignoring case (translate.FoldEq: Unicode simple case
// folding, an ASCII rune equal only to ASCII runes).
func foldEq(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return asciiLower(byte(a)) == asciiLower(byte(b))
	}
	return translate.FoldEq(a, b)
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldPrefix reports whether s starts with p under case folding and returns the byte length of
// the matched part of s (which may differ from len(p): é and É differ in length in some forms).
func foldPrefix(s, p string) (int, bool) {
	i := 0
	for j := 0; j < len(p); {
		if i >= len(s) {
			return 0, false
		}
		pc, sc := p[j], s[i]
		if pc < utf8.RuneSelf && sc < utf8.RuneSelf {
			if asciiLower(pc) != asciiLower(sc) {
				return 0, false
			}
			i++
			j++
			continue
		}
		pr, pn := utf8.DecodeRuneInString(p[j:])
		sr, sn := utf8.DecodeRuneInString(s[i:])
		if !foldEq(pr, sr) {
			return 0, false
		}
		i += sn
		j += pn
	}
	return i, true
}

// foldSuffix reports whether s ends with p under case folding.
func foldSuffix(s, p string) bool {
	i, j := len(s), len(p)
	for j > 0 {
		if i == 0 {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(p[:j])
		sr, sn := utf8.DecodeLastRuneInString(s[:i])
		if !foldEq(pr, sr) {
			return false
		}
		i -= sn
		j -= pn
	}
	return true
}

// foldContains reports whether p occurs in s under case folding.
func foldContains(s, p string) bool {
	if p == "" {
		return true
	}
	// When p starts with an ASCII byte, an ASCII byte of s can only start a match if the two are
	// equal under ASCII folding; a match starting at a non-ASCII rune of s is checked in full.
	first := p[0]
	firstASCII := first < utf8.RuneSelf
	lf := asciiLower(first)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (!firstASCII || asciiLower(c) == lf) && hasFoldPrefix(s[i:], p) {
				return true
			}
			i++
			continue
		}
		if hasFoldPrefix(s[i:], p) {
			return true
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return false
}

func hasFoldPrefix(s, p string) bool {
	_, ok := foldPrefix(s, p)
	return ok
}

// glob matches s against toks: `*` is any run of runes, `?` one rune, literals one rune each
// (folded unless cased). On a mismatch it retries from the most recent star with one more rune
// consumed by it, which is complete for patterns of only `*` and `?` wildcards.
func glob(toks []tok, s string, cased bool) bool {
	ti, si := 0, 0
	star, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokStar:
				star, starSi = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if si < len(s) {
					r, n := utf8.DecodeRuneInString(s[si:])
					if r == t.r || (!cased && foldEq(t.r, r)) {
						si += n
						ti++
						continue
					}
				}
			}
		} else if si == len(s) {
			return true
		}
		if star < 0 || starSi >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		ti, si = star+1, starSi
	}
}
