package evaluate

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// segs parses a test pattern the way Sigma writes one: `*` and `?` are wildcards, `\*`, `\?` and
// `\\` are the literal characters, and any other backslash is literal.
func segs(p string) []rules.Segment { return rules.ParseSegments(p, false) }

// oracle is the pattern as an anchored RE2 regex (dot matching newlines); unless cased, each
// letter is the class of its case variants under translate.FoldSet (Unicode simple folding, an
// ASCII letter only with its ASCII partner).
func oracle(t testing.TB, s []rules.Segment, cased bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, g := range s {
		switch g.Kind {
		case rules.SegLit:
			if cased {
				b.WriteString(regexp.QuoteMeta(g.Text))
				continue
			}
			for _, r := range g.Text {
				if set := translate.FoldSet(r); len(set) > 1 {
					b.WriteString("[" + string(set) + "]")
				} else {
					b.WriteString(regexp.QuoteMeta(string(r)))
				}
			}
		case rules.SegStar:
			b.WriteString(".*")
		case rules.SegQuestion:
			b.WriteString(".")
		}
	}
	b.WriteString(`\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		t.Fatalf("oracle %q: %v", b.String(), err)
	}
	return re
}

func TestMatcher(t *testing.T) {
	tests := []struct {
		pat   string
		cased bool
		s     string
		want  bool
	}{
		// exact
		{"Alice@Contoso.com", false, "alice@contoso.COM", true},
		{"Alice@Contoso.com", true, "alice@contoso.COM", false},
		{"Alice@Contoso.com", true, "Alice@Contoso.com", true},
		{"abc", false, "abcd", false},
		{"", false, "", true},
		{"", false, "x", false},
		// prefix, suffix, contains
		{"Mozilla*", false, "mozilla/5.0", true},
		{"Mozilla*", true, "mozilla/5.0", false},
		{"Mozilla*", false, "Mozill", false},
		{"*.EXE", false, `c:\cmd.exe`, true},
		{"*.EXE", true, `c:\cmd.exe`, false},
		{"*.exe", false, "exe", false},
		{"*hound*", false, "AzureHound/1.2", true},
		{"*Hound*", true, "AzureHound/1.2", true},
		{"*hound*", true, "AzureHound/1.2", false},
		{"*hound*", false, "azurehoun", false},
		{"**", false, "", true},
		{"*", false, "anything", true},
		// inner wildcards
		{"a*b?c", false, "AxxxBxC", true},
		{"a*b?c", false, "abc", false},
		{"a*b?c", false, "abxc", true},
		{"a*b?c", true, "AbxC", false},
		{"?", false, "é", true}, // one character, two bytes
		{"?", false, "ab", false},
		{"??", false, "é", false},
		{"*a*a*a*a*", false, "banana", false},
		{"*a*a*a*a*", false, "bananaa", true},
		{"*a?", false, "aaa", true},
		{"a*", false, "a\nb", true}, // `*` spans newlines
		{"a?b", false, "a\nb", true},
		// escaped wildcards are literal
		{`a\*b`, false, "a*b", true},
		{`a\*b`, false, "axxb", false},
		{`a\?b`, false, "a?b", true},
		{`a\?b`, false, "axb", false},
		{`*\**`, false, "x*y", true},
		{`*\**`, false, "xy", false},
		{`a\\b`, false, `a\b`, true},
		{`a\b`, false, `a\b`, true},
		{`\*?`, false, "*x", true},
		{`\*?`, false, "xx", false},
		// Unicode simple case folding, an ASCII letter only with its ASCII partner
		{"ÄRGER", false, "ärger", true},
		{"ärger*", false, "ÄRGERLICH", true},
		{"k", false, "\u212a", false},              // the Kelvin sign is not an ASCII letter
		{"*kelvin*", false, "x\u212aELVIN", false}, // the Kelvin sign is not k (translate.FoldEq)
		{"*elvin", false, "\u212aELVIN", true},     // a wildcard takes it
		{"\u212a*", false, "kx", false},
		{"\u212a*", false, "\u212ax", true},
		{"s", false, "ſ", false}, // nor the long s s
		{"σ", false, "ς", true},
		{"Σ", false, "ς", true},
		{"ß", false, "SS", false}, // full folding is not simple folding
		{"ß", false, "ẞ", true},
		{"straße", true, "STRASSE", false},
		{"*ǅ*", false, "xǆx", true},
		{"k", true, "\u212a", false},
		{"*ſ?", false, "xSy", false},
		{"*ǅ?", false, "xǆy", true}, // non-ASCII letters fold (Dž/dž)
	}
	for _, tt := range tests {
		m, err := newMatcher(segs(tt.pat), tt.cased)
		if err != nil {
			t.Fatalf("%q: %v", tt.pat, err)
		}
		if got := m.match(tt.s); got != tt.want {
			t.Errorf("match(%q, cased=%v, %q) = %v, want %v", tt.pat, tt.cased, tt.s, got, tt.want)
		}
		if got := oracle(t, segs(tt.pat), tt.cased).MatchString(tt.s); got != tt.want {
			t.Errorf("oracle disagrees with the table: (%q, cased=%v, %q) = %v", tt.pat, tt.cased, tt.s, got)
		}
	}
}

func TestMatcherPlaceholder(t *testing.T) {
	_, err := newMatcher([]rules.Segment{{Kind: rules.SegPlaceholder, Text: "admins"}}, false)
	if err == nil || err.Error() != "placeholder %admins% was not expanded by translation" {
		t.Fatalf("err = %v", err)
	}
}

// FuzzMatcher checks the matcher against an RE2 oracle: same answer for every pattern and string.
func FuzzMatcher(f *testing.F) {
	seeds := []struct {
		pat, s string
		cased  bool
	}{
		{"a*b?c", "AxxbZc", false},
		{"*kelvin*", "\u212aelvin", false},
		{`\*?`, "*x", true},
		{"*a*a*", "banana", false},
		{"ſ*", "S", false},
		{"?ß", "xẞ", false},
		{"", "", true},
		{"**?", "é", false},
	}
	for _, s := range seeds {
		f.Add(s.pat, s.s, s.cased)
	}
	f.Fuzz(func(t *testing.T, pat, s string, cased bool) {
		if !utf8.ValidString(pat) || !utf8.ValidString(s) {
			t.Skip() // rule values and decoded JSON strings are always valid UTF-8
		}
		g := segs(pat)
		m, err := newMatcher(g, cased)
		if err != nil {
			t.Fatal(err)
		}
		got := m.match(s)
		if want := oracle(t, g, cased).MatchString(s); got != want {
			t.Fatalf("match(%q, cased=%v, %q) = %v, oracle says %v", pat, cased, s, got, want)
		}
		// The backends' regex form of a pattern (translate.PatternRegex, with the dot-all and
		// case flags they add) must mean the same.
		rx := translate.PatternRegex(g)
		if !cased {
			rx = translate.FoldPatternRegex(g)
		}
		re, err := regexp.Compile("(?s)" + rx)
		if err != nil {
			t.Fatalf("translate.PatternRegex(%q) does not compile: %v", pat, err)
		}
		if want := re.MatchString(s); got != want {
			t.Fatalf("match(%q, cased=%v, %q) = %v, translate's regex %q says %v", pat, cased, s, got, rx, want)
		}
	})
}
