package kibana

import (
	"testing"

	"github.com/entrasig/entrasig/rules"
)

type phraseCase struct{ in, want, err string }

func phraseCases() []phraseCase {
	return []phraseCase{
		{in: "", want: `""`},
		{in: "plain", want: `"plain"`},
		{in: `trailing\`, want: `"trailing\\"`},
		{in: `lit\*star`, want: `"lit\\*star"`},
		{in: `say "hi"`, want: `"say \"hi\""`},
		{in: "line1\nline2\r\n\tend", want: `"line1\nline2\r\n\tend"`},
		{in: "zoë 名前 ☃", want: `"zoë 名前 ☃"`},
		{in: `\ ( ) : < > " * { } ? / ~ ! + - = & | [ ] ^`, want: `"\\ ( ) : < > \" * { } ? / ~ ! + - = & | [ ] ^"`},
		{in: "and", want: `"and"`},
		{in: "or", want: `"or"`},
		{in: "not", want: `"not"`},
		{in: "a or b and not c", want: `"a or b and not c"`},
		{in: "bell\a", err: "the control character U+0007 has no portable spelling in Kibana KQL"},
		{in: "del\x7f", err: "the control character U+007F has no portable spelling in Kibana KQL"},
	}
}

func TestQuotePhrase(t *testing.T) {
	for _, c := range phraseCases() {
		got, err := quotePhrase(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("quotePhrase(%q) = %q, %v; want error %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("quotePhrase(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

type unquotedCase struct {
	name string
	segs []rules.Segment
	want string
	err  string
}

func lit(s string) rules.Segment { return rules.Segment{Kind: rules.SegLit, Text: s} }

var (
	star     = rules.Segment{Kind: rules.SegStar}
	question = rules.Segment{Kind: rules.SegQuestion}
)

func unquotedCases() []unquotedCase {
	return []unquotedCase{
		{name: "prefix", segs: []rules.Segment{lit("abc"), star}, want: `abc*`},
		{name: "contains", segs: []rules.Segment{star, lit("abc"), star}, want: `*abc*`},
		{name: "trailing backslash", segs: []rules.Segment{star, lit(`dir\`)}, want: `*dir\\`},
		{name: "literal star", segs: []rules.Segment{lit(`a*b`), star}, want: `a\*b*`},
		{name: "escaped star text", segs: []rules.Segment{lit(`\*`), star}, want: `\\\**`},
		{name: "quotes", segs: []rules.Segment{lit(`say"hi"`), star}, want: `say\"hi\"*`},
		{name: "reserved", segs: []rules.Segment{lit(`\():<>"*{}`), star}, want: `\\\(\)\:\<\>\"\*\{\}*`},
		{name: "not reserved", segs: []rules.Segment{lit(`?/~!+-=&|[]^@#%'.,;`), star}, want: `?/~!+-=&|[]^@#%'.,;*`},
		{name: "non-ASCII", segs: []rules.Segment{lit("zoë名前"), star}, want: `zoë名前*`},
		{name: "and", segs: []rules.Segment{lit("and"), star}, want: `and*`},
		{name: "or", segs: []rules.Segment{star, lit("or")}, want: `*or`},
		{name: "not inside", segs: []rules.Segment{star, lit("NOT"), star}, want: `*NOT*`},
		{name: "not at end", segs: []rules.Segment{star, lit("cannot")}, want: `(*cannot)`},
		{name: "Not at end", segs: []rules.Segment{lit("x"), star, lit("Not")}, want: `(x*Not)`},
		{name: "not alone", segs: []rules.Segment{star, lit("not")}, want: `(*not)`},
		{name: "only star", segs: []rules.Segment{star}, want: `*`},
		{name: "empty", segs: []rules.Segment{}, err: "empty unquoted value"},
		{name: "space", segs: []rules.Segment{lit("a b"), star}, err: "whitespace in a wildcard value"},
		{name: "newline", segs: []rules.Segment{lit("a\nb"), star}, err: "whitespace in a wildcard value"},
		{name: "nbsp", segs: []rules.Segment{lit("a\u00a0b"), star}, err: "whitespace in a wildcard value"},
		{name: "question", segs: []rules.Segment{lit("a"), question, star}, err: "Kibana KQL has no single-character wildcard"},
		{name: "control", segs: []rules.Segment{lit("a\x1b"), star}, err: "the control character U+001B has no portable spelling in Kibana KQL"},
	}
}

func TestUnquotedValue(t *testing.T) {
	for _, c := range unquotedCases() {
		got, err := unquotedValue(c.segs)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s: unquotedValue = %q, %v; want error %q", c.name, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: unquotedValue = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}
