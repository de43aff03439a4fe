package esql

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// regexError says why a Sigma regex has no exact Lucene form.
type regexError struct{ msg string }

func (e *regexError) Error() string { return e.msg }

func unsupportedRegex(format string, args ...any) error {
	return &regexError{fmt.Sprintf(format, args...)}
}

// luceneRegex rewrites a Sigma regex (RE2 syntax, unanchored search semantics) as an equivalent
// Lucene regular expression for RLIKE, which always matches the whole value. The regex is parsed
// with Go's regexp/syntax and re-emitted from the tree:
//   - an unanchored edge gets `.*`; a leading `^` / trailing `$` (without the m flag) drop it;
//   - every literal character outside [A-Za-z0-9] and ASCII is backslash-escaped (so Lucene's
//     optional operators @ & ~ < > # and `"` are never active);
//   - case-insensitive parts (the i flag or an inline (?i)) become explicit classes of each
//     character's simple case-folding orbit, `[Aa]`, and classes are already case-closed by the
//     parser, so no TO_LOWER is needed and the meaning is RE2's;
//   - `.` without the s flag is `[^<LF>]`; with it `.`;
//   - \d \w \s and Unicode classes are expanded to explicit ranges by the parser.
//
// Constructs Lucene cannot express exactly are rejected: \b \B, line anchors (m flag), anchors
// anywhere but at the edges, empty alternatives, and an empty character class.
func luceneRegex(re string, ignoreCase, multiline, dotAll bool) (string, error) {
	flags := syntax.Perl
	if ignoreCase {
		flags |= syntax.FoldCase
	}
	if dotAll {
		flags |= syntax.DotNL
	}
	if multiline {
		flags &^= syntax.OneLine
	}
	rx, err := syntax.Parse(re, flags)
	if err != nil {
		return "", unsupportedRegex("the regex does not parse: %v", err)
	}
	var b strings.Builder
	branches := []*syntax.Regexp{rx}
	if rx.Op == syntax.OpAlternate {
		branches = rx.Sub
	}
	for i, br := range branches {
		if i > 0 {
			b.WriteByte('|')
		}
		if err := topBranch(&b, br); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// topBranch writes one top-level alternative with its implicit `.*` edges.
func topBranch(b *strings.Builder, rx *syntax.Regexp) error {
	items := []*syntax.Regexp{rx}
	if rx.Op == syntax.OpConcat {
		items = rx.Sub
	}
	items = slices.DeleteFunc(slices.Clone(items), func(r *syntax.Regexp) bool { return r.Op == syntax.OpEmptyMatch })
	start, end := false, false
	if len(items) > 0 && items[0].Op == syntax.OpBeginText {
		start, items = true, items[1:]
	}
	if len(items) > 0 && items[len(items)-1].Op == syntax.OpEndText {
		end, items = true, items[:len(items)-1]
	}
	if !start {
		b.WriteString(".*")
	}
	for _, it := range items {
		if err := emitRegex(b, it, len(items) > 1 || !start || !end); err != nil {
			return err
		}
	}
	if !end && !(len(items) == 0 && !start) {
		b.WriteString(".*")
	}
	return nil
}

// emitRegex writes rx in Lucene syntax. inConcat says rx sits next to other items, so an
// alternation must be grouped.
func emitRegex(b *strings.Builder, rx *syntax.Regexp, inConcat bool) error {
	switch rx.Op {
	case syntax.OpEmptyMatch:
		return unsupportedRegex("an empty alternative or group has no Lucene form")
	case syntax.OpNoMatch:
		return unsupportedRegex("a regex that can never match has no Lucene form")
	case syntax.OpLiteral:
		for _, r := range rx.Rune {
			if rx.Flags&syntax.FoldCase != 0 {
				writeFoldRune(b, r)
			} else {
				writeRegexRune(b, r)
			}
		}
	case syntax.OpCharClass:
		return writeClass(b, rx.Rune)
	case syntax.OpAnyCharNotNL:
		b.WriteString("[^\n]")
	case syntax.OpAnyChar:
		b.WriteByte('.')
	case syntax.OpBeginLine, syntax.OpEndLine:
		return unsupportedRegex("line anchors (the m flag) have no Lucene form: RLIKE matches the whole value")
	case syntax.OpBeginText:
		return unsupportedRegex("`^` is only supported at the start of the regex (Lucene has no anchors)")
	case syntax.OpEndText:
		return unsupportedRegex("`$` is only supported at the end of the regex (Lucene has no anchors)")
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return unsupportedRegex(`word boundaries (\b, \B) have no Lucene form`)
	case syntax.OpCapture:
		b.WriteByte('(')
		if err := emitRegex(b, rx.Sub[0], false); err != nil {
			return err
		}
		b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if err := emitOperand(b, rx.Sub[0]); err != nil {
			return err
		}
		switch rx.Op {
		case syntax.OpStar:
			b.WriteByte('*')
		case syntax.OpPlus:
			b.WriteByte('+')
		case syntax.OpQuest:
			b.WriteByte('?')
		default:
			b.WriteByte('{')
			b.WriteString(strconv.Itoa(rx.Min))
			if rx.Max != rx.Min {
				b.WriteByte(',')
				if rx.Max >= 0 {
					b.WriteString(strconv.Itoa(rx.Max))
				}
			}
			b.WriteByte('}')
		}
	case syntax.OpConcat:
		for _, s := range rx.Sub {
			if s.Op == syntax.OpEmptyMatch {
				continue
			}
			if err := emitRegex(b, s, true); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		if inConcat {
			b.WriteByte('(')
		}
		for i, s := range rx.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			if err := emitRegex(b, s, false); err != nil {
				return err
			}
		}
		if inConcat {
			b.WriteByte(')')
		}
	default:
		return unsupportedRegex("regex construct %v has no Lucene form", rx.Op)
	}
	return nil
}

// emitOperand writes the operand of a repetition, grouped unless it is a single atom.
func emitOperand(b *strings.Builder, rx *syntax.Regexp) error {
	single := false
	switch rx.Op {
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpCapture:
		single = true
	case syntax.OpLiteral:
		single = len(rx.Rune) == 1
	}
	if single {
		return emitRegex(b, rx, false)
	}
	b.WriteByte('(')
	if err := emitRegex(b, rx, false); err != nil {
		return err
	}
	b.WriteByte(')')
	return nil
}

// writeRegexRune writes one literal character: ASCII punctuation is backslash-escaped (Lucene
// reads `\c` as c for any such c, and this keeps its optional operators @ & ~ < > # inactive);
// letters, digits, space, control and non-ASCII characters are written as they are.
func writeRegexRune(b *strings.Builder, r rune) {
	if r < 0x80 && r > ' ' && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// writeClassOf writes a set of characters (sorted) as one literal or a class.
func writeClassOf(b *strings.Builder, set []rune) {
	if len(set) == 1 {
		writeRegexRune(b, set[0])
		return
	}
	b.WriteByte('[')
	for _, o := range set {
		writeRegexRune(b, o)
	}
	b.WriteByte(']')
}

// writeFoldRune writes a character of a case-insensitive regex (RE2's (?i), Unicode simple case
// folding, which Sigma's i flag means) as the class of its case-folding orbit.
func writeFoldRune(b *strings.Builder, r rune) {
	orbit := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		orbit = append(orbit, f)
	}
	if len(orbit) == 1 {
		writeRegexRune(b, r)
		return
	}
	slices.Sort(orbit)
	b.WriteByte('[')
	for _, o := range orbit {
		writeRegexRune(b, o)
	}
	b.WriteByte(']')
}

// writeClass writes a parsed character class (sorted lo-hi pairs). A class that reaches both 0 and
// the maximum code point is written negated, as its gaps.
func writeClass(b *strings.Builder, ranges []rune) error {
	if len(ranges) == 0 {
		return unsupportedRegex("an empty character class has no Lucene form")
	}
	neg := ranges[0] == 0 && ranges[len(ranges)-1] == unicode.MaxRune
	if neg {
		var gaps []rune
		for i := 0; i+2 < len(ranges); i += 2 {
			gaps = append(gaps, ranges[i+1]+1, ranges[i+2]-1)
		}
		if len(gaps) == 0 {
			b.WriteByte('.')
			return nil
		}
		ranges = gaps
		b.WriteString("[^")
	} else {
		b.WriteByte('[')
	}
	for i := 0; i < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		writeClassRune(b, lo)
		if hi != lo {
			if hi > lo+1 {
				b.WriteByte('-')
			}
			writeClassRune(b, hi)
		}
	}
	b.WriteByte(']')
	return nil
}

// writeClassRune writes a class member; control characters other than tab, LF and CR (which the
// string literal escapes) are written raw, which Lucene and the ES|QL lexer both accept.
func writeClassRune(b *strings.Builder, r rune) {
	writeRegexRune(b, r)
}
