package esqlread

import (
	"fmt"
	"regexp/syntax"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// LuceneRegex parses the body of an RLIKE (Lucene regular expression syntax with every optional
// operator enabled, as ES|QL's RLIKE compiles it) into a full-match regexp/syntax tree. The
// supported subset is what the backend emits: literals, `\c` (c literal, for any c), `.` (any code
// point, newline included), `[...]` and `[^...]` with ranges, `(...)`, `|`, `* + ?`, `{n}`,
// `{n,}`, `{n,m}`. The optional operators `# @ & ~ < >` and `"` are rejected when unescaped: they
// would change the language (empty language, any string, intersection, complement, numeric
// interval, quoted string), so an output using them is not what the backend means to emit.
// Source: https://www.elastic.co/docs/reference/query-languages/query-dsl/regexp-syntax
func LuceneRegex(s string) (*syntax.Regexp, error) {
	p := &lucene{src: s}
	re, err := p.union()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("lucene regex %q: unexpected %q at %d", s, p.src[p.pos:], p.pos)
	}
	return re, nil
}

type lucene struct {
	src string
	pos int
}

func (p *lucene) peek() (rune, bool) {
	if p.pos >= len(p.src) {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r, true
}

func (p *lucene) next() rune {
	r, n := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += n
	return r
}

func (p *lucene) errf(format string, args ...any) error {
	return fmt.Errorf("lucene regex %q at %d: %s", p.src, p.pos, fmt.Sprintf(format, args...))
}

func (p *lucene) union() (*syntax.Regexp, error) {
	var alts []*syntax.Regexp
	for {
		c, err := p.concat()
		if err != nil {
			return nil, err
		}
		alts = append(alts, c)
		if r, ok := p.peek(); ok && r == '|' {
			p.next()
			continue
		}
		break
	}
	if len(alts) == 1 {
		return alts[0], nil
	}
	return &syntax.Regexp{Op: syntax.OpAlternate, Sub: alts}, nil
}

func (p *lucene) concat() (*syntax.Regexp, error) {
	var items []*syntax.Regexp
	for {
		r, ok := p.peek()
		if !ok || r == '|' || r == ')' {
			break
		}
		it, err := p.repeat()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	switch len(items) {
	case 0:
		return &syntax.Regexp{Op: syntax.OpEmptyMatch}, nil
	case 1:
		return items[0], nil
	}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: items}, nil
}

func (p *lucene) repeat() (*syntax.Regexp, error) {
	re, err := p.simple()
	if err != nil {
		return nil, err
	}
	for {
		r, ok := p.peek()
		if !ok {
			return re, nil
		}
		switch r {
		case '*':
			p.next()
			re = &syntax.Regexp{Op: syntax.OpStar, Sub: []*syntax.Regexp{re}}
		case '+':
			p.next()
			re = &syntax.Regexp{Op: syntax.OpPlus, Sub: []*syntax.Regexp{re}}
		case '?':
			p.next()
			re = &syntax.Regexp{Op: syntax.OpQuest, Sub: []*syntax.Regexp{re}}
		case '{':
			p.next()
			min, err := p.int()
			if err != nil {
				return nil, err
			}
			max := min
			if r, _ := p.peek(); r == ',' {
				p.next()
				max = -1
				if r, _ := p.peek(); r != '}' {
					if max, err = p.int(); err != nil {
						return nil, err
					}
				}
			}
			if r, ok := p.peek(); !ok || r != '}' {
				return nil, p.errf("unterminated repetition")
			}
			p.next()
			if max >= 0 && max < min {
				return nil, p.errf("bad repetition {%d,%d}", min, max)
			}
			re = &syntax.Regexp{Op: syntax.OpRepeat, Min: min, Max: max, Sub: []*syntax.Regexp{re}}
		default:
			return re, nil
		}
	}
}

func (p *lucene) int() (int, error) {
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.src[start:p.pos])
	if err != nil || n > 1000 {
		return 0, p.errf("bad repetition count")
	}
	return n, nil
}

// reserved are the characters that are operators when unescaped (standard and optional).
func reserved(r rune) bool {
	switch r {
	case '.', '?', '+', '*', '|', '{', '}', '[', ']', '(', ')', '"', '\\', '#', '@', '&', '<', '>', '~':
		return true
	}
	return false
}

func (p *lucene) simple() (*syntax.Regexp, error) {
	r := p.next()
	switch r {
	case '.':
		return &syntax.Regexp{Op: syntax.OpAnyChar}, nil
	case '(':
		inner, err := p.union()
		if err != nil {
			return nil, err
		}
		if c, ok := p.peek(); !ok || c != ')' {
			return nil, p.errf("unterminated group")
		}
		p.next()
		return &syntax.Regexp{Op: syntax.OpCapture, Sub: []*syntax.Regexp{inner}}, nil
	case '[':
		return p.class()
	case '\\':
		c, err := p.escaped()
		if err != nil {
			return nil, err
		}
		return lit(c), nil
	}
	if reserved(r) {
		return nil, p.errf("unescaped operator %q", r)
	}
	return lit(r), nil
}

// escaped reads the character after a backslash. Lucene reads `\c` as c for every c; letters are
// rejected because newer Lucene versions give some of them (\d \s \w ...) a class meaning, and the
// backend never escapes a letter.
func (p *lucene) escaped() (rune, error) {
	c, ok := p.peek()
	if !ok {
		return 0, p.errf("trailing backslash")
	}
	if c < utf8.RuneSelf && unicode.IsLetter(c) || unicode.IsDigit(c) {
		return 0, p.errf("escaped letter or digit \\%c has a version-dependent meaning", c)
	}
	p.next()
	return c, nil
}

func lit(r rune) *syntax.Regexp {
	return &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{r}}
}

func (p *lucene) classChar() (rune, error) {
	r, ok := p.peek()
	if !ok {
		return 0, p.errf("unterminated class")
	}
	p.next()
	if r == '\\' {
		return p.escaped()
	}
	if reserved(r) || r == '-' || r == '^' {
		return 0, p.errf("unescaped %q in a class", r)
	}
	return r, nil
}

func (p *lucene) class() (*syntax.Regexp, error) {
	neg := false
	if r, ok := p.peek(); ok && r == '^' {
		p.next()
		neg = true
	}
	var ranges []rune
	for {
		r, ok := p.peek()
		if !ok {
			return nil, p.errf("unterminated class")
		}
		if r == ']' {
			p.next()
			break
		}
		lo, err := p.classChar()
		if err != nil {
			return nil, err
		}
		hi := lo
		if r, _ := p.peek(); r == '-' {
			p.next()
			if hi, err = p.classChar(); err != nil {
				return nil, err
			}
			if hi < lo {
				return nil, p.errf("bad class range")
			}
		}
		ranges = append(ranges, lo, hi)
	}
	if len(ranges) == 0 {
		return nil, p.errf("empty class")
	}
	re := &syntax.Regexp{Op: syntax.OpCharClass, Rune: normRanges(ranges)}
	if neg {
		re.Rune = negate(re.Rune)
	}
	return re, nil
}

// normRanges sorts and merges lo-hi pairs.
func normRanges(rs []rune) []rune {
	type rg struct{ lo, hi rune }
	var list []rg
	for i := 0; i+1 < len(rs); i += 2 {
		list = append(list, rg{rs[i], rs[i+1]})
	}
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].lo < list[j-1].lo; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	var out []rune
	for _, g := range list {
		if n := len(out); n > 0 && g.lo <= out[n-1]+1 {
			if g.hi > out[n-1] {
				out[n-1] = g.hi
			}
			continue
		}
		out = append(out, g.lo, g.hi)
	}
	return out
}

func negate(rs []rune) []rune {
	var out []rune
	next := rune(0)
	for i := 0; i+1 < len(rs); i += 2 {
		if rs[i] > next {
			out = append(out, next, rs[i]-1)
		}
		next = rs[i+1] + 1
	}
	if next <= unicode.MaxRune {
		out = append(out, next, unicode.MaxRune)
	}
	return out
}
