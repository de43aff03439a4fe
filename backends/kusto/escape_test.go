package kusto

import "testing"

func TestQuoteString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`trailing\`, `"trailing\\"`},
		{`\*`, `"\\*"`},
		{`say "hi"`, `"say \"hi\""`},
		{"it's", `"it's"`},
		{"a\nb\tc\rd", `"a\nb\tc\rd"`},
		{"nul\x00bel\x07del\x7f", `"nul\u0000bel\u0007del\u007f"`},
		{"Ärger 日本 ✓", `"Ärger 日本 ✓"`},
		{`C:\Windows\`, `"C:\\Windows\\"`},
	} {
		if got := quoteString(c.in); got != c.want {
			t.Errorf("quoteString(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestQuoteRegex(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `@""`},
		{`\d+\.exe$`, `@"\d+\.exe$"`},
		{`trailing\\`, `@"trailing\\"`},
		{`\*`, `@"\*"`},
		{`a"b`, `@"a""b"`},
		{`it's`, `@"it's"`},
		{"a\nb", `"a\nb"`},
		{"tab\t\\d", `"tab\t\\d"`},
		{`Ärger`, `@"Ärger"`},
	} {
		if got := quoteRegex(c.in); got != c.want {
			t.Errorf("quoteRegex(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestIdent(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"UserAgent", "UserAgent"},
		{"_x1", "_x1"},
		{"1abc", "['1abc']"},
		{"has space", "['has space']"},
		{"it's", `['it\'s']`},
		{`back\slash`, `['back\\slash']`},
		{"and", "['and']"},
		{"geo-coordinates", "['geo-coordinates']"},
		{"", "['']"},
		{"Städte", "['Städte']"},
	} {
		if got := ident(c.in); got != c.want {
			t.Errorf("ident(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
