package esql

import (
	"errors"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/esql/internal/esqlcheck"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// TestDegenerateIR: malformed IR is an internal error, never a panic or an invalid query.
func TestDegenerateIR(t *testing.T) {
	for name, e := range map[string]translate.Expr{
		"empty and":      &translate.And{},
		"empty or":       &translate.Or{},
		"not nil":        &translate.Not{},
		"nil":            nil,
		"eq no values":   &translate.Match{Field: field(t, "AppId"), Op: translate.OpEq},
		"cidr no values": &translate.Match{Field: field(t, "IPAddress"), Op: translate.OpCIDR},
		"gt no values":   &translate.Match{Field: field(t, "ResultType"), Op: translate.OpGt},
		"unknown op":     &translate.Match{Field: field(t, "AppId"), Op: translate.Op(99), Values: []translate.Value{str("x")}},
		"nil field":      &translate.Match{Op: translate.OpEq, Values: []translate.Value{str("x")}},
		"fieldref nil":   &translate.Match{Field: field(t, "AppId"), Op: translate.OpFieldRef},
	} {
		_, err := Backend{}.Emit(signin(e))
		var ue *translate.UnsupportedError
		if err == nil || errors.As(err, &ue) {
			t.Errorf("%s: want an internal error, got %v", name, err)
		}
	}
	if _, err := (Backend{}).Emit(&translate.Query{}); err == nil {
		t.Errorf("query without legs accepted")
	}
	if _, err := (Backend{}).Emit(nil); err == nil {
		t.Errorf("nil query accepted")
	}
}

var hostile = []string{
	``, `\`, `\\`, `"`, `""`, `"""`, `\"`, "\n", "\r\n", "\t", "a\x00b", "\x7f", `*`, `?`, `\*`, `\?`,
	`a"b\c`, "`", "``", `|`, `| WHERE true`, `" or true or "`, `) or (true`, `%`, `_`, `[a-z]`, `.*`,
	`@&~<>#`, "é", "ÉÀ", "ß", "ǅ", "Σσς", "İı", "K", "😀", "\u2028", "日本語", `C:\Temp\`, `' or 1=1 --`,
}

// TestHostileValues: every hostile literal, in every lexical context, yields a query that parses
// and checks, and its string literals read back as the intended text.
func TestHostileValues(t *testing.T) {
	for _, h := range hostile {
		for _, lit := range []string{h, h + "x", "x" + h} {
			if got, err := esqlcheck.Unquote(quoteString(lit)); err != nil || got != lit {
				t.Errorf("Unquote(quoteString(%q)) = %q, %v", lit, got, err)
			}
			segs := []rules.Segment{{Kind: rules.SegStar}, {Kind: rules.SegLit, Text: lit}, {Kind: rules.SegQuestion}}
			if back := unLike(likePattern(segs, identity)); back != "<star>"+marked(lit)+"<one>" {
				t.Errorf("likePattern(%q) reads back as %q", lit, back)
			}
			for _, cs := range []bool{false, true} {
				v := translate.Value{Kind: rules.ValString, Raw: lit, Segs: []rules.Segment{{Kind: rules.SegLit, Text: lit}}}
				vLike := translate.Value{Kind: rules.ValString, Raw: lit, Segs: segs}
				m := &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpEq, Cased: cs, Values: []translate.Value{v, vLike}}
				out, err := Backend{}.Emit(signin(&translate.Not{Arg: m}))
				if err != nil {
					t.Errorf("%q cased=%v: %v", lit, cs, err)
					continue
				}
				mustCheck(t, out.Query)
			}
			if lit != "" {
				m := &translate.Match{Field: field(t, "UserAgent"), Op: translate.OpRegex, Values: []translate.Value{re(translate.RegexQuote(lit))}}
				if out, err := (Backend{}).Emit(signin(m)); err != nil {
					t.Errorf("regex of %q: %v", lit, err)
				} else {
					mustCheck(t, out.Query)
				}
			}
		}
	}
}

// unLike decodes a LIKE pattern into segments: `\c` is the literal c, `*` and `?` are wildcards.
func unLike(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
			b.WriteString("«" + string(p[i]) + "»")
		case '*':
			b.WriteString("<star>")
		case '?':
			b.WriteString("<one>")
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// marked renders a literal the way unLike renders its escaped form.
func marked(lit string) string {
	r := strings.NewReplacer(`\`, "«\\»", "*", "«*»", "?", "«?»")
	return r.Replace(lit)
}
