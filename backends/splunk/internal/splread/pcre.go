package splread

import (
	"fmt"
	"regexp/syntax"
	"strings"
)

// dollar stands for a PCRE `$` while the pattern goes through Go's parser.
const dollar = '\U0010FFFD'

// pcre parses a PCRE pattern (the argument of eval's match(), "the PCRE library" per the
// Splunk search reference) into a Go syntax tree with PCRE's meaning for the constructs where
// RE2 and PCRE differ in what the backend emits: `$` outside multiline mode matches at the end
// or before a final newline (PCRE2 pattern manual, "Circumflex and dollar"), which RE2 spells
// `\n?\z`; in multiline mode it is RE2's (?m:$). Everything else is read with RE2's syntax;
// PCRE-only constructs (lookaround, backreferences) fail to parse, as they fail in the evaluator.
// (?i) is read as Go's FoldCase, Unicode simple folding, which folds k/K with the Kelvin sign
// U+212A and s/S with the long s U+017F: what PCRE2 does in UTF mode ("there are two ASCII
// characters, K and S, that, in addition to their lower case ASCII equivalents, are
// case-equivalent with U+212A (Kelvin sign) and U+017F (long S) respectively", pcre2api,
// PCRE2_CASELESS; only PCRE2_EXTRA_CASELESS_RESTRICT or (?r) prevents it). Splunk's UTF mode is
// assumed, not documented. The backend writes (?i) only in a rule's own `|re|i` regex, whose
// meaning is RE2's (?i), the same folding; Sigma's case-insensitive patterns are written with
// explicit classes ([Kk]) instead.
func pcre(pat string) (*syntax.Regexp, error) {
	var b strings.Builder
	rs := []rune(pat)
	inClass := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == dollar:
			return nil, fmt.Errorf("pattern holds U+10FFFD")
		case r == '\\' && i+1 < len(rs):
			if rs[i+1] == 'Q' && !inClass {
				j := i + 2
				for j < len(rs) && !(rs[j] == '\\' && j+1 < len(rs) && rs[j+1] == 'E') {
					j++
				}
				b.WriteString(quoteMeta(string(rs[i+2 : j])))
				i = j + 1 // past the E (or the end)
				continue
			}
			b.WriteRune(r)
			b.WriteRune(rs[i+1])
			i++
			continue
		case inClass:
			if r == ']' {
				inClass = false
			}
		case r == '[':
			inClass = true
			b.WriteRune(r)
			// a ']' right after '[' or '[^' is a literal
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
			if i+1 < len(rs) && rs[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case r == '$':
			b.WriteString(`\x{10FFFD}`)
			continue
		}
		b.WriteRune(r)
	}
	re, err := syntax.Parse(b.String(), syntax.Perl)
	if err != nil {
		return nil, err
	}
	return fixDollar(re), nil
}

func quoteMeta(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fixDollar replaces the dollar markers with PCRE's `$`.
func fixDollar(re *syntax.Regexp) *syntax.Regexp {
	for i, s := range re.Sub {
		re.Sub[i] = fixDollar(s)
	}
	if re.Op != syntax.OpLiteral {
		return re
	}
	has := false
	for _, r := range re.Rune {
		if r == dollar {
			has = true
		}
	}
	if !has {
		return re
	}
	var parts []*syntax.Regexp
	var run []rune
	flush := func() {
		if len(run) > 0 {
			parts = append(parts, &syntax.Regexp{Op: syntax.OpLiteral, Rune: run, Flags: re.Flags})
			run = nil
		}
	}
	for _, r := range re.Rune {
		if r != dollar {
			run = append(run, r)
			continue
		}
		flush()
		if re.Flags&syntax.OneLine != 0 {
			// end of subject, or before a newline that ends it
			nl := &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{'\n'}}
			parts = append(parts, &syntax.Regexp{Op: syntax.OpAlternate, Sub: []*syntax.Regexp{
				{Op: syntax.OpEndText},
				{Op: syntax.OpConcat, Sub: []*syntax.Regexp{nl, {Op: syntax.OpEndText}}},
			}})
		} else {
			parts = append(parts, &syntax.Regexp{Op: syntax.OpEndLine})
		}
	}
	flush()
	if len(parts) == 1 {
		return parts[0]
	}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: parts}
}
