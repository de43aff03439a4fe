package splunk

import "testing"

// The inputs every escape function is tested with (ARCHITECTURE.md: escaping).
var hostileInputs = []string{`trail\`, `\*`, `say "hi"`, "a\nb", "a|b", "[sub]", "a]", "a=b", "(a)", "a`b", "", "Zoë 東京", "a AND b", "-x"}

func TestSearchQuoted(t *testing.T) {
	want := map[string]struct {
		out string
		ok  bool
	}{
		`trail\`:   {`trail\\`, true},
		`\*`:       {"", false}, // a literal * cannot be written in the search command
		`say "hi"`: {`say \"hi\"`, true},
		"a\nb":     {"", false},
		"a|b":      {"a|b", true},
		"[sub]":    {"[sub]", true},
		"a]":       {"a]", true},
		"a=b":      {"a=b", true},
		"(a)":      {"(a)", true},
		"a`b":      {"", false},
		"":         {"", true},
		"Zoë 東京":   {"", false}, // ë: non-ASCII case folding in the search command is not documented
		"a AND b":  {"a AND b", true},
		"-x":       {"-x", true},
	}
	for _, in := range hostileInputs {
		got, ok := searchQuoted(in)
		w := want[in]
		if got != w.out || ok != w.ok {
			t.Errorf("searchQuoted(%q) = %q, %v; want %q, %v", in, got, ok, w.out, w.ok)
		}
	}
}

func TestEvalString(t *testing.T) {
	want := map[string]string{
		`trail\`:   `"trail\\"`,
		`\*`:       `"\\*"`,
		`say "hi"`: `"say \"hi\""`,
		"a\nb":     `"a\nb"`,
		"a|b":      `"a|b"`,
		"[sub]":    `"[sub]"`,
		"a]":       `"a]"`,
		"a=b":      `"a=b"`,
		"(a)":      `"(a)"`,
		"a`b":      "error",
		"":         `""`,
		"Zoë 東京":   `"Zoë 東京"`,
		"a AND b":  `"a AND b"`,
		"-x":       `"-x"`,
	}
	for _, in := range hostileInputs {
		got, err := evalString(in)
		if err != nil {
			got = "error"
		}
		if got != want[in] {
			t.Errorf("evalString(%q) = %q; want %q", in, got, want[in])
		}
	}
	if got, err := evalString("a\x01b"); err == nil {
		t.Errorf("evalString(control) = %q, want an error", got)
	}
}

func TestEvalField(t *testing.T) {
	want := map[string]string{
		`trail\`:   "error",
		`\*`:       "error",
		`say "hi"`: "error",
		"a\nb":     "error",
		"a|b":      "'a|b'",
		"[sub]":    "'[sub]'",
		"a]":       "'a]'",
		"a=b":      "'a=b'",
		"(a)":      "'(a)'",
		"a`b":      "error",
		"":         "error",
		"Zoë 東京":   "'Zoë 東京'",
		"a AND b":  "'a AND b'",
		"-x":       "'-x'",
	}
	for _, in := range hostileInputs {
		got, err := evalField(in)
		if err != nil {
			got = "error"
		}
		if got != want[in] {
			t.Errorf("evalField(%q) = %q; want %q", in, got, want[in])
		}
	}
	if got, _ := evalField("properties.authenticationDetails{}.succeeded"); got != "'properties.authenticationDetails{}.succeeded'" {
		t.Errorf("evalField(braces) = %q", got)
	}
	if _, err := evalField("it's"); err == nil {
		t.Errorf("evalField with a single quote: want an error")
	}
}

func TestRegexLiteral(t *testing.T) {
	want := map[string]string{
		`trail\`:   `trail\\`,
		`\*`:       `\\\*`,
		`say "hi"`: `say "hi"`,
		"a\nb":     `a\x{0a}b`,
		"a|b":      `a\|b`,
		"[sub]":    `\[sub\]`,
		"a]":       `a\]`,
		"a=b":      `a=b`,
		"(a)":      `\(a\)`,
		"a`b":      `a\x60b`,
		"":         ``,
		"Zoë 東京":   `Zoë 東京`,
		"a AND b":  `a AND b`,
		"-x":       `-x`,
	}
	for _, in := range hostileInputs {
		if got := regexLiteral(in); got != want[in] {
			t.Errorf("regexLiteral(%q) = %q; want %q", in, got, want[in])
		}
	}
	if got := regexLiteral(`.+?^${}`); got != `\.\+\?\^\$\{\}` {
		t.Errorf("regexLiteral(metachars) = %q", got)
	}
}

func TestRegexSafe(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`trail\`, `trail\`},
		{`\*`, `\*`},
		{`say "hi"`, `say "hi"`},
		{"a\nb", "a\nb"}, // evalString spells the newline \n; PCRE matches it literally
		{"a|b", "a|b"},
		{"[sub]", "[sub]"},
		{"a]", "a]"},
		{"a=b", "a=b"},
		{"(a)", "(a)"},
		{"a`b", `a\x60b`},
		{"a\\`b", `a\x60b`},
		{"[`]", `[\x60]`},
		{"a\x01b", `a\x{01}b`},
		{"", ""},
		{"Zoë 東京", "Zoë 東京"},
		{"a AND b", "a AND b"},
		{"-x", "-x"},
		{`\\` + "`", `\\\x60`},
	} {
		got, err := regexSafe(c.in)
		if err != nil || got != c.want {
			t.Errorf("regexSafe(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := regexSafe("\\Qa`\\E"); err == nil {
		t.Errorf("regexSafe with a backtick inside \\Q...\\E: want an error")
	}
}
