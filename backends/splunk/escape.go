package splunk

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/entrasig/entrasig/translate"
)

// One function per lexical context of the SPL we emit. Values are never carried pre-escaped: each
// function takes the literal text and returns it ready for exactly one place in the query.

// searchQuoted renders literal text for the inside of a double-quoted value of the search command
// (`field="..."`). Inside the quotes only `\` and `"` need a backslash; `|`, `[`, `]`, `=`, `(`,
// `)`, spaces and the words AND/OR/NOT are inert there. It reports false when the text cannot be
// expressed in the search command at all: a literal `*` (always a wildcard there, and a backslash
// does not escape it), control characters (no documented escape), a backtick (macro syntax; we
// never emit one inside a value), and a non-ASCII letter with case variants (É): Splunk documents
// search values as case-insensitive only by ASCII examples, so whether É matches é there is not
// known. Such values go to `| where` with match().
func searchQuoted(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '*' || r == '`' || r < 0x20 || r == 0x7f || r == utf8.RuneError:
			return "", false
		case r >= utf8.RuneSelf && len(translate.FoldSet(r)) > 1:
			return "", false
		case r == '\\' || r == '"':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// evalString renders text as a double-quoted string literal of an eval expression (`| where`).
// Backslash and quote are escaped; newline, carriage return and tab use their escapes (eval
// interprets `\t`, so a literal backslash is always doubled). A backtick or another control
// character has no safe spelling here, so it is an error (callers that build regexes spell them
// as `\x60` / `\x{..}` first).
func evalString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '`' || r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("character %U has no safe spelling in an eval string", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// evalField renders a field name for an eval expression: always single-quoted, which is required
// for names with dots or braces (`'properties.userPrincipalName'`). Names come from the schema,
// never from a rule; a name that cannot be quoted safely is an error.
func evalField(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("empty field name")
	}
	for _, r := range name {
		if r == '\'' || r == '\\' || r == '"' || r == '`' || r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("field name %q cannot be quoted in an eval expression", name)
		}
	}
	return "'" + name + "'", nil
}

// regexLiteral renders literal text for a PCRE pattern (the body of match()) so that it matches
// exactly that text: regex metacharacters get a backslash, and characters that must not appear
// raw in the query (control characters, the backtick) are written as hex escapes. The result is
// still to be wrapped by evalString.
func regexLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '`':
			b.WriteString(`\x60`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x{%02x}`, r)
		case strings.ContainsRune(`\.+*?()|[]{}^$`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// regexFoldLiteral is regexLiteral for a case-insensitive match without a case flag: a character
// with case variants becomes the class of translate.FoldSet (`[Kk]`, `[Éé]`; letters only, so
// nothing in the class needs an escape), every other character is written by regexLiteral.
func regexFoldLiteral(s string) string {
	var b strings.Builder
	for _, r := range s {
		if set := translate.FoldSet(r); len(set) > 1 {
			b.WriteByte('[')
			b.WriteString(string(set))
			b.WriteByte(']')
			continue
		}
		b.WriteString(regexLiteral(string(r)))
	}
	return b.String()
}

// regexSafe rewrites a rule's own regex (OpRegex) so it can sit in an eval string: an unescaped
// or escaped backtick becomes `\x60` and control characters become `\x{..}`, which PCRE reads as
// the same character. Inside `\Q...\E` those escapes would be literal text, so such a regex is an
// error.
func regexSafe(re string) (string, error) {
	var b strings.Builder
	needs := false
	rs := []rune(re)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\\' && i+1 < len(rs) {
			n := rs[i+1]
			if n == '`' || n < 0x20 || n == 0x7f {
				needs = true
				writeHex(&b, n)
			} else {
				b.WriteRune(r)
				b.WriteRune(n)
			}
			i++
			continue
		}
		if r == '`' || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || r == 0x7f {
			needs = true
			writeHex(&b, r)
			continue
		}
		b.WriteRune(r)
	}
	if needs && strings.Contains(re, `\Q`) {
		return "", fmt.Errorf("a backtick or control character inside \\Q...\\E cannot be written safely")
	}
	return b.String(), nil
}

func writeHex(b *strings.Builder, r rune) {
	if r == '`' {
		b.WriteString(`\x60`)
		return
	}
	fmt.Fprintf(b, `\x{%02x}`, r)
}

// dollarEndOnly rewrites a rule regex so PCRE reads every `$` as RE2 (Sigma's reference) does:
// outside multiline mode PCRE's `$` also matches before a final newline ("Circumflex and dollar",
// PCRE2 pattern manual), RE2's only at the end, so such a `$` becomes `\z`; in multiline mode
// both match before any newline and at the end, and `$` stays. The mode of each `$` is taken from
// RE2's own parse (inline (?m) groups included). A regex RE2 cannot parse (lookaround,
// backreferences) has no reference meaning and is left as written.
func dollarEndOnly(re string) string {
	const base = 0xF0000 // a private-use plane: one marker rune per `$`
	rs := []rune(re)
	var pos []int
	var b strings.Builder
	inClass := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= base && r < base+0x10000:
			return re
		case r == '\\' && i+1 < len(rs):
			if rs[i+1] == 'Q' && !inClass {
				j := i + 2
				for j < len(rs) && !(rs[j] == '\\' && j+1 < len(rs) && rs[j+1] == 'E') {
					j++
				}
				end := min(j+2, len(rs))
				b.WriteString(string(rs[i:end]))
				i = end - 1
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
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
			if i+1 < len(rs) && rs[i+1] == ']' {
				b.WriteRune(']')
				i++
			}
			continue
		case r == '$':
			fmt.Fprintf(&b, `\x{%x}`, base+len(pos))
			pos = append(pos, i)
			continue
		}
		b.WriteRune(r)
	}
	if len(pos) == 0 {
		return re
	}
	tree, err := syntax.Parse(b.String(), syntax.Perl)
	if err != nil {
		return re
	}
	endOnly := make([]bool, len(pos))
	var walk func(*syntax.Regexp)
	walk = func(t *syntax.Regexp) {
		if t.Op == syntax.OpLiteral {
			for _, r := range t.Rune {
				if r >= base && r < base+rune(len(pos)) {
					endOnly[r-base] = t.Flags&syntax.OneLine != 0
				}
			}
		}
		for _, s := range t.Sub {
			walk(s)
		}
	}
	walk(tree)
	var out strings.Builder
	next := 0
	for i, r := range rs {
		if next < len(pos) && pos[next] == i {
			if endOnly[next] {
				out.WriteString(`\z`)
			} else {
				out.WriteRune('$')
			}
			next++
			continue
		}
		out.WriteRune(r)
	}
	return out.String()
}
