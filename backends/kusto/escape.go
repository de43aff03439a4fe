package kusto

import (
	"fmt"
	"strings"
)

// One function per lexical context of the emitted KQL. Values reach them as plain Go strings
// (never pre-escaped); the output is a complete literal token.

// quoteString renders s as a double-quoted KQL string literal. Kusto's lexer (Kusto.Language's
// ScanStringEscape, and the string data type reference) takes \\ \" \n \t \r and \uXXXX escapes;
// other control characters use \uXXXX. Everything else, non-ASCII included, is kept as is.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	writeEscaped(&b, s, '"')
	b.WriteByte('"')
	return b.String()
}

// writeEscaped writes s for the inside of a literal delimited by quote (a double or a single quote):
// the backslash, the quote, \n \t \r, and other control characters as \uXXXX; everything else as is.
func writeEscaped(b *strings.Builder, s string, quote rune) {
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case quote:
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
}

// quoteRegex renders a regular expression as a KQL string literal for `matches regex`. Without
// control characters it is a verbatim literal @"..." (backslashes stand for themselves, a quote is
// doubled), so the regex reads as written; a regex holding a control character (which a verbatim
// literal cannot carry) falls back to the escaped form of quoteString. Both decode to exactly s.
func quoteRegex(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return quoteString(s)
		}
	}
	return `@"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// ident renders a column name or a dynamic property name: as is when it is a plain identifier,
// otherwise bracket-quoted ['name'] with the single-quoted string escapes.
func ident(name string) string {
	if isPlainIdent(name) {
		return name
	}
	var b strings.Builder
	b.WriteString("['")
	writeEscaped(&b, name, '\'')
	b.WriteString("']")
	return b.String()
}

// isPlainIdent reports whether name is an ASCII identifier that is not a KQL keyword we could
// collide with.
func isPlainIdent(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	switch name {
	case "and", "or", "not", "true", "false", "null", "in", "has", "contains", "between", "matches", "regex", "where", "let", "by":
		return false
	}
	return true
}
