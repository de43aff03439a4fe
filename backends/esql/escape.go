package esql

import (
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// This file holds one function per lexical context of ES|QL:
//   - quoteString: a double-quoted string literal (escapes \\ \" \n \r \t, the only escapes the
//     ES|QL lexer knows; every other character stands for itself).
//   - likePattern: the pattern of LIKE (`*` any run, `?` one character, `\` escapes `*`, `?` and
//     `\`; a `\` before anything else is a query error), before string quoting.
//   - ident: a field path, each part backtick-quoted when it is not a plain identifier.
//   - luceneRegex (regex.go): the body of RLIKE (Lucene regular expression syntax).

// quoteString renders s as an ES|QL double-quoted string literal.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// likePattern renders a Sigma pattern as the text of an ES|QL LIKE pattern (not yet quoted as a
// string literal): literal `*`, `?` and `\` are backslash-escaped; SegStar is `*`, SegQuestion `?`.
// lower applies lower-casing to the literal text only.
func likePattern(segs []rules.Segment, lower func(string) string) string {
	var b strings.Builder
	for _, s := range segs {
		switch s.Kind {
		case rules.SegStar:
			b.WriteByte('*')
		case rules.SegQuestion:
			b.WriteByte('?')
		default:
			for _, r := range lower(s.Text) {
				if r == '*' || r == '?' || r == '\\' {
					b.WriteByte('\\')
				}
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// ident renders a dotted field path, backtick-quoting every part that is not a plain ES|QL
// identifier ([a-z][a-z0-9_]* or [_@][a-z0-9_]+, case-insensitive) or that is a keyword of the
// expression grammar.
func ident(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if !plainIdent(p) || reservedWord(p) {
			parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
		}
	}
	return strings.Join(parts, ".")
}

func plainIdent(p string) bool {
	if p == "" {
		return false
	}
	body := func(s string) bool {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
		return true
	}
	switch c := p[0]; {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return body(p[1:])
	case c == '_' || c == '@':
		return len(p) > 1 && body(p[1:])
	}
	return false
}

// reservedWord reports whether p is a keyword token of ES|QL's expression mode (the lexer is
// case-insensitive), which must be backtick-quoted to be read as a name.
func reservedWord(p string) bool {
	switch strings.ToLower(p) {
	case "and", "or", "not", "in", "is", "like", "rlike", "null", "nulls", "true", "false",
		"by", "asc", "desc", "first", "last", "where", "as", "on", "with", "metadata":
		return true
	}
	return false
}
