package roundtrip

import (
	"fmt"
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Pred is the meaning of a query's filter over one sign-in table: a boolean tree of Atoms over
// canonical fields. Both the IR (FromLeg) and a parsed-back query (a backend's reader) reduce to it,
// and Diff compares two of them.
type Pred interface{ isPred() }

// And, Or, Not and Const are the boolean structure.
type (
	And   struct{ Args []Pred }
	Or    struct{ Args []Pred }
	Not   struct{ Arg Pred }
	Const bool
)

// Kind is what an Atom tests.
type Kind int

const (
	// KindString: the field's string form matches Re as a whole (case folding already expanded or
	// expressed with (?i); compared by language, not by text).
	KindString Kind = iota + 1
	// KindNum: the field is a number equal to Num (numeric columns; a number on a string column is
	// a KindString literal of its text).
	KindNum
	// KindBool: the field is the boolean Bool.
	KindBool
	// KindCmp: the field is a number and field Op Num (Op one of translate.OpLt..OpGte).
	KindCmp
	// KindCIDR: the field is an IP address inside Prefix.
	KindCIDR
	// KindNull: the field is null, absent or empty (the IR's OpNull; OpExists is Not of it).
	KindNull
	// KindTime: the field's date-time Part (minute, hour, ...) compares (Op) with Num.
	KindTime
	// KindRef: the field equals, or with RefPrefix/RefSuffix ends with/starts with/contains, field
	// Ref's value (case-insensitive unless Cased).
	KindRef
	// KindKeyword: some column's string form matches Re as a whole.
	KindKeyword
)

// Atom is one comparison of one canonical field.
type Atom struct {
	Field  string // canonical field name; "" for KindKeyword
	Kind   Kind
	Re     *syntax.Regexp
	Num    float64
	Bool   bool
	Op     translate.Op
	Prefix netip.Prefix
	Part   string
	Ref    string
	Cased  bool
	// RefPrefix, RefSuffix: a `*` before / after the referenced value.
	RefPrefix, RefSuffix bool
}

func (*And) isPred()  {}
func (*Or) isPred()   {}
func (*Not) isPred()  {}
func (Const) isPred() {}
func (*Atom) isPred() {}

// PatternRegex is the full-match regex of a Sigma pattern: literals quoted, `*` any run, `?`
// exactly one code point, and unless cased each letter the class of its case variants under
// translate.FoldSet (Unicode simple folding, an ASCII letter only with its ASCII partner; RE2's
// (?i) would also fold k with the Kelvin sign).
func PatternRegex(segs []rules.Segment, cased bool) *syntax.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	for _, s := range segs {
		switch s.Kind {
		case rules.SegStar:
			b.WriteString(".*")
		case rules.SegQuestion:
			b.WriteString(".")
		default:
			if cased {
				b.WriteString(quoteMeta(s.Text))
				continue
			}
			for _, r := range s.Text {
				if set := translate.FoldSet(r); len(set) > 1 {
					b.WriteString("[" + string(set) + "]")
				} else {
					b.WriteString(quoteMeta(string(r)))
				}
			}
		}
	}
	return mustParse(b.String())
}

// quoteMeta is regexp.QuoteMeta without the regexp package.
func quoteMeta(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// LiteralRegex is the full-match regex of exactly s (case-sensitive unless fold).
func LiteralRegex(s string, fold bool) *syntax.Regexp {
	return PatternRegex([]rules.Segment{{Kind: rules.SegLit, Text: s}}, !fold)
}

// SearchRegex is the full-match form of an unanchored (search) regex with Sigma's i/m/s flags:
// some substring matches re exactly when the whole string matches .*(?:re).* under (?s) for
// the added runs.
func SearchRegex(re, flags string) (*syntax.Regexp, error) {
	inner := re
	if flags != "" {
		inner = "(?" + flags + ")" + re
	}
	r, err := syntax.Parse(inner, syntax.Perl)
	if err != nil {
		return nil, err
	}
	any := &syntax.Regexp{Op: syntax.OpStar, Sub: []*syntax.Regexp{{Op: syntax.OpAnyChar}}}
	any2 := &syntax.Regexp{Op: syntax.OpStar, Sub: []*syntax.Regexp{{Op: syntax.OpAnyChar}}}
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: []*syntax.Regexp{any, r, any2}}, nil
}

// FullRegex parses re (RE2 syntax) as a full-match regex (it must match the whole string).
func FullRegex(re string) (*syntax.Regexp, error) { return syntax.Parse(re, syntax.Perl) }

func mustParse(s string) *syntax.Regexp {
	r, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		panic("roundtrip: pattern regex does not parse: " + err.Error()) // built from quoted text: a bug
	}
	return r
}

// Format renders p for messages, one line.
func Format(p Pred) string {
	var b strings.Builder
	format(&b, p)
	return b.String()
}

func format(b *strings.Builder, p Pred) {
	switch p := p.(type) {
	case *And:
		formatList(b, "and", p.Args)
	case *Or:
		formatList(b, "or", p.Args)
	case *Not:
		b.WriteString("not(")
		format(b, p.Arg)
		b.WriteString(")")
	case Const:
		b.WriteString(strconv.FormatBool(bool(p)))
	case *Atom:
		b.WriteString(p.String())
	default:
		fmt.Fprintf(b, "%T", p)
	}
}

func formatList(b *strings.Builder, op string, args []Pred) {
	b.WriteString("(")
	for i, a := range args {
		if i > 0 {
			b.WriteString(" " + op + " ")
		}
		format(b, a)
	}
	b.WriteString(")")
}

// String renders the atom for messages.
func (a *Atom) String() string {
	num := strconv.FormatFloat(a.Num, 'g', -1, 64)
	switch a.Kind {
	case KindString:
		return fmt.Sprintf("%s ~ /%s/", a.Field, a.Re)
	case KindKeyword:
		return fmt.Sprintf("keyword ~ /%s/", a.Re)
	case KindNum:
		return fmt.Sprintf("%s == %s", a.Field, num)
	case KindBool:
		return fmt.Sprintf("%s == %t", a.Field, a.Bool)
	case KindCmp:
		return fmt.Sprintf("%s %s %s", a.Field, a.Op.Symbol(), num)
	case KindCIDR:
		return fmt.Sprintf("%s in %s", a.Field, a.Prefix)
	case KindNull:
		return a.Field + " is null"
	case KindTime:
		return fmt.Sprintf("%s(%s) %s %s", a.Part, a.Field, opText(a.Op), num)
	case KindRef:
		return fmt.Sprintf("%s ref(%s prefix=%t suffix=%t cased=%t)", a.Field, a.Ref, a.RefPrefix, a.RefSuffix, a.Cased)
	}
	return fmt.Sprintf("atom(%d)", a.Kind)
}

func opText(op translate.Op) string {
	if s := op.Symbol(); s != "" {
		return s
	}
	return "=="
}
