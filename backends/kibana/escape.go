package kibana

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/entrasig/entrasig/rules"
)

// This file holds one escape function per lexical context of a Kibana KQL value. Both follow the
// kuery grammar (Kibana's grammar.peggy; the older kuery.peg of the validator package agrees except
// for `{` `}`, see unquotedSpecial):
//
//   - quoted phrase `"..."`: a backslash escapes `\` and `"`; `\t` `\r` `\n` are tab, CR and LF;
//     every other character stands for itself and `*` is a literal (quoted values never wildcard).
//   - unquoted value: `\` escapes the special characters `\ ( ) : < > " * { }`; an unescaped `*`
//     is the wildcard; `\t` `\r` `\n` are escapes; a space is allowed inside but trimmed at both
//     ends and, next to `or`/`and`/`not`, turns them into operators. The keyword escapes `\or`
//     `\and` `\not` exist, but `\not` reads as a newline and "ot" (`\n` is matched first).

// unquotedSpecial are the characters the current grammar treats as special in an unquoted value
// (SpecialCharacter = [\\():<>"*{}]). `{` and `}` became special with nested-field queries; the
// grammar of Kibana 7.x lacks them (there they are plain, and `\{` is a syntax error). We escape
// them for current Kibana.
const unquotedSpecial = `\():<>"*{}`

// controlError reports a control character that no KQL context writes the same way in every Kibana
// version (current Kibana decodes `\uXXXX`, 7.x reads it as six literal characters).
func controlError(r rune) error {
	return fmt.Errorf("the control character U+%04X has no portable spelling in Kibana KQL", r)
}

// isControl reports the characters quotePhrase and unquotedValue refuse (C0 controls other than
// tab, CR, LF, and DEL and the C1 controls).
func isControl(r rune) bool {
	return r != '\t' && r != '\r' && r != '\n' && unicode.IsControl(r)
}

// quotePhrase writes s as a quoted KQL phrase: `"` and `\` are backslash-escaped, tab, CR and LF
// written as `\t`, `\r`, `\n`. Everything else (including `*`, `?`, `:`, non-ASCII) is literal.
func quotePhrase(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\n':
			b.WriteString(`\n`)
		case isControl(r):
			return "", controlError(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// errWhitespace is returned by unquotedValue for a pattern whose literal text holds whitespace.
// Lexically an inner space is allowed, but Kibana hands a wildcard value to Elasticsearch as a
// query_string query whenever it lacks the field's type (as in detection rules), and query_string
// splits the value at whitespace into separate terms: the match is no longer the pattern.
var errWhitespace = fmt.Errorf("whitespace in a wildcard value")

// unquotedValue writes a pattern of literal segments and `*` wildcards as an unquoted KQL value:
// every special character of a literal is backslash-escaped (so a literal `*` is `\*`), a SegStar is
// a bare `*`. It refuses `?` segments (KQL has no single-character wildcard), whitespace (see
// errWhitespace) and control characters. Placeholders never reach a backend.
func unquotedValue(segs []rules.Segment) (string, error) {
	var b strings.Builder
	for _, s := range segs {
		switch s.Kind {
		case rules.SegStar:
			b.WriteByte('*')
		case rules.SegLit:
			for _, r := range s.Text {
				switch {
				case strings.ContainsRune(unquotedSpecial, r):
					b.WriteByte('\\')
					b.WriteRune(r)
				case unicode.IsSpace(r) || r == '\u00a0':
					return "", errWhitespace
				case isControl(r):
					return "", controlError(r)
				default:
					b.WriteRune(r)
				}
			}
		case rules.SegQuestion:
			return "", fmt.Errorf("Kibana KQL has no single-character wildcard")
		default:
			return "", fmt.Errorf("unexpected pattern segment %d", s.Kind)
		}
	}
	out := b.String()
	if out == "" {
		return "", fmt.Errorf("empty unquoted value")
	}
	// The grammar's NOT keyword is `not` followed by whitespace, with nothing required before it, so
	// a value ending in "not" that is followed by " or ..." would end early. The keyword escape
	// `\not` cannot help: `\n` is read first, as a newline. A one-value list `(...)` ends the value
	// at its `)` and is a value wherever a value may stand. (`or` and `and` need whitespace before
	// them, which an unquoted value here never holds.)
	if n := len(out); n >= 3 && strings.EqualFold(out[n-3:], "not") {
		out = "(" + out + ")"
	}
	return out, nil
}
