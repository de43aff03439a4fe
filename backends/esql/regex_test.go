package esql

import "testing"

func TestLuceneRegex(t *testing.T) {
	tests := []struct {
		re                 string
		ignoreCase, dotAll bool
		want               string
	}{
		{`abc`, false, false, `.*abc.*`},
		{`^abc`, false, false, `abc.*`},
		{`abc$`, false, false, `.*abc`},
		{`^abc$`, false, false, `abc`},
		{`^$`, false, false, ``},
		{``, false, false, `.*`},
		{`^`, false, false, `.*`},
		{`a.b`, false, false, ".*a[^\n]b.*"},
		{`a.b`, false, true, `.*a.b.*`},
		{`\d+\.\d{1,3}`, false, false, `.*[0-9]+\.[0-9]{1,3}.*`},
		{`\w`, false, false, `.*[0-9A-Z\_a-z].*`},
		{`\s`, false, false, ".*[\t\n\f\r ].*"},
		{`[^a-c]`, false, false, `.*[^a-c].*`},
		{`[a-c-]`, false, false, `.*[\-a-c].*`},
		{`x{2,}y{3}z{0,1}`, false, false, `.*x{2,}y{3}z{0,1}.*`},
		{`(ab)*c+?`, false, false, `.*(ab)*c+.*`},
		{`(?:ab)+`, false, false, `.*(ab)+.*`},
		{`^a|b$`, false, false, `a.*|.*b`},
		{`foo|bar`, false, false, `.*foo.*|.*bar.*`},
		{`x(foo|bar)`, false, false, `.*x(foo|bar).*`},
		{`^(a|b)c`, false, false, `([ab])c.*`},
		{`a@b&c~d<e>f#g"h`, false, false, `.*a\@b\&c\~d\<e\>f\#g\"h.*`},
		{`ab`, true, false, `.*[Aa][Bb].*`},
		{`(?i)k`, false, false, `.*[Kk\x{212A}].*`},
		{`a(?i:b)`, false, false, `.*a[Bb].*`},
		{`[a-b]`, true, false, `.*[ABab].*`},
		{`1.2`, true, false, ".*1[^\n]2.*"},
		{`é`, true, false, `.*[Éé].*`},
		{`a b`, false, false, `.*a b.*`},
		{`\\`, false, false, `.*\\.*`},
	}
	for _, tt := range tests {
		got, err := luceneRegex(tt.re, tt.ignoreCase, false, tt.dotAll)
		want := tt.want
		if want == `.*[Kk\x{212A}].*` {
			want = ".*[Kk\u212a].*"
		}
		if err != nil || got != want {
			t.Errorf("luceneRegex(%q, i=%v, s=%v) = %q, %v; want %q", tt.re, tt.ignoreCase, tt.dotAll, got, err, want)
		}
	}
}

func TestLuceneRegexRejected(t *testing.T) {
	for re, want := range map[string]string{
		`\bword`:             `word boundaries (\b, \B) have no Lucene form`,
		`a\Bb`:               `word boundaries (\b, \B) have no Lucene form`,
		`a^b`:                "`^` is only supported at the start of the regex (Lucene has no anchors)",
		`a$b`:                "`$` is only supported at the end of the regex (Lucene has no anchors)",
		`(a|)`:               "an empty alternative or group has no Lucene form",
		`()`:                 "an empty alternative or group has no Lucene form",
		`[^\x00-\x{10FFFF}]`: "an empty character class has no Lucene form",
		`(?<=a)b`:            "the regex does not parse: error parsing regexp: invalid named capture: `(?<=a)b`",
		`a(?!b)`:             "the regex does not parse: error parsing regexp: invalid or unsupported Perl syntax: `(?!`",
	} {
		_, err := luceneRegex(re, false, false, false)
		if err == nil || err.Error() != want {
			t.Errorf("luceneRegex(%q): %v, want %s", re, err, want)
		}
	}
	if _, err := luceneRegex(`^a`, false, true, false); err == nil || err.Error() != "line anchors (the m flag) have no Lucene form: RLIKE matches the whole value" {
		t.Errorf("multiline: %v", err)
	}
	// Without anchors the m flag changes nothing and is accepted.
	if got, err := luceneRegex(`a`, false, true, false); err != nil || got != ".*a.*" {
		t.Errorf("multiline without anchors: %q %v", got, err)
	}
}
