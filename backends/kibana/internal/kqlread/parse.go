// Package kqlread reads back the Kibana Query Language (KQL) the kibana backend emits: a
// participle grammar for that subset turns a query into a tree with every escape decoded, and
// Match interprets the tree over Elastic documents with the semantics Kibana and Elasticsearch
// document (see eval.go). It exists to prove the backend's output right; the backend never
// imports it.
//
// The subset, after Kibana's kuery grammar (src/plugins/data/common/kuery/ast/grammar.peggy in
// current Kibana; kuery.peg of @cybernetex/kbn-es-query, which testdata/validators runs, is its
// 7.x form):
//
//	Query     = OrQuery
//	OrQuery   = AndQuery (Space+ 'or'i Space+ AndQuery)*
//	AndQuery  = NotQuery (Space+ 'and'i Space+ NotQuery)*
//	NotQuery  = 'not'i Space+ SubQuery / SubQuery
//	SubQuery  = '(' Space* OrQuery Space* ')' / Field Space* RangeOp Space* Literal / Field Space* ':' Space* Values
//	Values    = '(' Space* VOr Space* ')' / Value
//	VOr       = VAnd (Space+ 'or'i Space+ VAnd)*
//	VAnd      = VNot (Space+ 'and'i Space+ VNot)*
//	VNot      = 'not'i Space+ VSub / VSub
//	VSub      = '(' Space* VOr Space* ')' / Value
//	Value     = QuotedString / UnquotedLiteral
//
// As in Kibana's grammar, `not` binds to the SubQuery after it, and `and` binds tighter than `or`.
// Free-text values without a field and nested `field: { ... }` queries are not part of the subset and fail to
// parse. Keywords need whitespace where the grammar needs it (`not` before its operand, `or`/`and`
// on both sides).
//
// Escapes (decoded by decodeQuoted and decodeUnquoted):
//   - QuotedString: `\t` `\r` `\n` are tab, CR, LF; `\uXXXX` is that code unit (current grammar);
//     `\\` and `\"` are `\` and `"`; a backslash before anything else stands for itself.
//   - UnquotedLiteral: `\t` `\r` `\n`; `\uXXXX`; `\` before a special character `\ ( ) : < > " * { }`
//     is that character; `\or` `\and` `\not` (case-insensitive) are the words; an unescaped `*` is
//     the wildcard; an unescaped special character, whitespace or a lone backslash ends or breaks
//     the literal. The grammar's keyword look-ahead (`!Keyword`) means a literal stops before an
//     unescaped `not` followed by whitespace: such a literal is an error here.
package kqlread

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Expr is a node of a parsed query: *Or, *And, *Not, *Group, *Is or *Range.
type Expr interface{ isExpr() }

// Or and And are n-ary (as written, left to right, flattened within one level of parentheses);
// Group is a parenthesized sub-query (kept so that callers can recognise the emitted shape).
type (
	Or    struct{ Args []Expr }
	And   struct{ Args []Expr }
	Not   struct{ Arg Expr }
	Group struct{ Inner Expr }
)

// Is is `field: value` or `field: (list)`: the value expression V says which values match.
type Is struct {
	Field string
	V     VExpr
	List  bool // written as a parenthesized list
}

// VExpr is a value expression of an Is: a Value, or *VOr, *VAnd, *VNot of them (inside a
// parenthesized list, `f: (a or b)`, `f: (* and not "")`), each applied to the Is's field.
type VExpr interface{ isVExpr() }

// VOr, VAnd, VNot combine value expressions.
type (
	VOr  struct{ Args []VExpr }
	VAnd struct{ Args []VExpr }
	VNot struct{ Arg VExpr }
)

func (*VOr) isVExpr()  {}
func (*VAnd) isVExpr() {}
func (*VNot) isVExpr() {}
func (Value) isVExpr() {}

// Value is one value of an Is. Quoted values are phrases (one literal part); unquoted values are
// literal parts and wildcards.
type Value struct {
	Quoted bool
	Parts  []Part
}

// Part is a literal run or the `*` wildcard of an unquoted value.
type Part struct {
	Wild bool
	Text string
}

// Range is `field op literal`, op one of < <= > >=.
type Range struct {
	Field string
	Op    string
	Value string // the literal, decoded
}

func (*Or) isExpr()    {}
func (*And) isExpr()   {}
func (*Not) isExpr()   {}
func (*Group) isExpr() {}
func (*Is) isExpr()    {}
func (*Range) isExpr() {}

// IsExists reports whether v is the lone unquoted `*`: Kibana turns `field: *` into an exists query.
func (v Value) IsExists() bool { return !v.Quoted && len(v.Parts) == 1 && v.Parts[0].Wild }

// HasWildcard reports whether v is an unquoted value with a `*`.
func (v Value) HasWildcard() bool {
	for _, p := range v.Parts {
		if p.Wild {
			return true
		}
	}
	return false
}

// Text is the literal text of a value without wildcards (parts joined).
func (v Value) Text() string {
	var b strings.Builder
	for _, p := range v.Parts {
		if !p.Wild {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// The participle grammar. Whitespace is a token (WS) because KQL's keywords need it.
var kqlLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "WS", Pattern: `[ \t\r\n]+`},
	{Name: "Quoted", Pattern: `"(?:\\["\\]|[^"])*"`},
	{Name: "RangeOp", Pattern: `<=|>=|<|>`},
	{Name: "Punct", Pattern: `[():]`},
	// An unquoted literal: escapes, the wildcard, or any character that is not special or space.
	{Name: "Word", Pattern: `(?:\\[trn]|\\u[0-9a-fA-F]{4}|\\[\\():<>"*{}]|\\(?i:or|and|not)|\*|[^\\():<>"{} \t\r\n])+`},
})

type pQuery struct {
	Or *pOr `parser:"WS? @@ WS?"`
}

type pOr struct {
	And []*pAnd `parser:"@@ ( WS 'or' WS @@ )*"`
}

type pAnd struct {
	Not []*pNot `parser:"@@ ( WS 'and' WS @@ )*"`
}

type pNot struct {
	Not *pSub `parser:"  'not' WS @@"`
	Sub *pSub `parser:"| @@"`
}

type pSub struct {
	Group *pOr    `parser:"  '(' WS? @@ WS? ')'"`
	Field *pField `parser:"| @@"`
}

type pField struct {
	Name    *pLit   `parser:"@@ WS?"`
	RangeOp string  `parser:"( @RangeOp WS?"`
	RangeV  *pLit   `parser:"  @@"`
	List    *pVOr   `parser:"| ':' WS? ( '(' WS? @@ WS? ')'"`
	One     *pValue `parser:"            | @@ ) )"`
}

// Value lists, as Kibana's OrListOfValues / AndListOfValues / NotListOfValues.
type pVOr struct {
	And []*pVAnd `parser:"@@ ( WS 'or' WS @@ )*"`
}

type pVAnd struct {
	Not []*pVNot `parser:"@@ ( WS 'and' WS @@ )*"`
}

type pVNot struct {
	Not *pVSub `parser:"  'not' WS @@"`
	Sub *pVSub `parser:"| @@"`
}

type pVSub struct {
	Group *pVOr   `parser:"  '(' WS? @@ WS? ')'"`
	Value *pValue `parser:"| @@"`
}

type pLit struct {
	Pos    lexer.Position
	Quoted *string `parser:"  @Quoted"`
	Word   *string `parser:"| @Word"`
}

type pValue struct {
	Lit *pLit `parser:"@@"`
}

var parser = participle.MustBuild[pQuery](
	participle.Lexer(kqlLexer),
	participle.CaseInsensitive("Word"),
	participle.UseLookahead(4),
)

// Parse parses one query of the subset.
func Parse(src string) (Expr, error) {
	q, err := parser.ParseString("", src)
	if err != nil {
		return nil, err
	}
	c := converter{src: src}
	e := c.or(q.Or)
	if c.err != nil {
		return nil, c.err
	}
	return e, nil
}

type converter struct {
	src string
	err error
}

func (c *converter) fail(pos lexer.Position, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%d:%d: %s", pos.Line, pos.Column, fmt.Sprintf(format, args...))
	}
}

func (c *converter) or(p *pOr) Expr {
	if len(p.And) == 1 {
		return c.and(p.And[0])
	}
	o := &Or{}
	for _, a := range p.And {
		o.Args = append(o.Args, c.and(a))
	}
	return o
}

func (c *converter) and(p *pAnd) Expr {
	if len(p.Not) == 1 {
		return c.not(p.Not[0])
	}
	a := &And{}
	for _, n := range p.Not {
		a.Args = append(a.Args, c.not(n))
	}
	return a
}

func (c *converter) not(p *pNot) Expr {
	if p.Not != nil {
		return &Not{Arg: c.sub(p.Not)}
	}
	return c.sub(p.Sub)
}

func (c *converter) sub(p *pSub) Expr {
	if p.Group != nil {
		return &Group{Inner: c.or(p.Group)}
	}
	f := p.Field
	name, ok := c.literal(f.Name)
	if !ok {
		return &Is{}
	}
	if name.HasWildcard() {
		c.fail(f.Name.Pos, "a wildcard field name is outside the subset")
	}
	field := name.Text()
	if f.RangeV != nil {
		v, _ := c.literal(f.RangeV)
		if v.HasWildcard() {
			c.fail(f.RangeV.Pos, "a wildcard in a range value")
		}
		return &Range{Field: field, Op: f.RangeOp, Value: v.Text()}
	}
	if f.One != nil {
		v, _ := c.literal(f.One.Lit)
		return &Is{Field: field, V: v}
	}
	return &Is{Field: field, V: c.vor(f.List), List: true}
}

func (c *converter) vor(p *pVOr) VExpr {
	if len(p.And) == 1 {
		return c.vand(p.And[0])
	}
	o := &VOr{}
	for _, a := range p.And {
		o.Args = append(o.Args, c.vand(a))
	}
	return o
}

func (c *converter) vand(p *pVAnd) VExpr {
	if len(p.Not) == 1 {
		return c.vnot(p.Not[0])
	}
	a := &VAnd{}
	for _, n := range p.Not {
		a.Args = append(a.Args, c.vnot(n))
	}
	return a
}

func (c *converter) vnot(p *pVNot) VExpr {
	if p.Not != nil {
		return &VNot{Arg: c.vsub(p.Not)}
	}
	return c.vsub(p.Sub)
}

func (c *converter) vsub(p *pVSub) VExpr {
	if p.Group != nil {
		return c.vor(p.Group)
	}
	v, _ := c.literal(p.Value.Lit)
	return v
}

// literal decodes a quoted or unquoted literal.
func (c *converter) literal(l *pLit) (Value, bool) {
	if l.Quoted != nil {
		s, err := decodeQuoted(*l.Quoted)
		if err != nil {
			c.fail(l.Pos, "%v", err)
			return Value{}, false
		}
		return Value{Quoted: true, Parts: []Part{{Text: s}}}, true
	}
	raw := *l.Word
	// Kibana's !Keyword look-ahead: an unescaped `not` followed by whitespace is the keyword, so
	// the literal would have ended before it.
	end := l.Pos.Offset + len(raw)
	if end < len(c.src) && strings.ContainsRune(" \t\r\n", rune(c.src[end])) && endsWithBareNot(raw) {
		c.fail(l.Pos, "unquoted literal %q ends in `not` before whitespace, which Kibana reads as the keyword", raw)
		return Value{}, false
	}
	parts, err := decodeUnquoted(raw)
	if err != nil {
		c.fail(l.Pos, "%v", err)
		return Value{}, false
	}
	return Value{Parts: parts}, true
}

// endsWithBareNot reports whether raw ends with "not" (any case) that is not part of an escape.
func endsWithBareNot(raw string) bool {
	n := len(raw)
	if n < 3 || !strings.EqualFold(raw[n-3:], "not") {
		return false
	}
	// Walk the escapes from the start to see where the last three bytes begin.
	i := 0
	for i < n-3 {
		if raw[i] == '\\' {
			i += escapeLen(raw[i:])
			continue
		}
		i++
	}
	return i == n-3
}

// escapeLen is the length of the unquoted escape at the start of s (which begins with `\`).
func escapeLen(s string) int {
	switch {
	case len(s) >= 6 && s[1] == 'u' && isHex(s[2:6]):
		return 6
	case len(s) >= 2 && strings.ContainsRune("trn", rune(s[1])):
		return 2
	case len(s) >= 4 && strings.EqualFold(s[1:4], "and"), len(s) >= 4 && strings.EqualFold(s[1:4], "not"):
		return 4
	case len(s) >= 3 && strings.EqualFold(s[1:3], "or"):
		return 3
	}
	return 2
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(s[i])) {
			return false
		}
	}
	return true
}

// decodeQuoted decodes a QuotedString token (with its quotes) as Kibana's grammar does.
func decodeQuoted(tok string) (string, error) {
	s := tok[1 : len(tok)-1]
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' || i+1 >= len(s) {
			if s[i] == '"' {
				return "", fmt.Errorf("unescaped quote inside %s", tok)
			}
			if s[i] == '\\' {
				// A trailing lone backslash: the grammar would have read `\"` as an escaped quote.
				return "", fmt.Errorf("quoted string %s ends in an escaped quote", tok)
			}
			b.WriteByte(s[i])
			i++
			continue
		}
		switch n := s[i+1]; {
		case n == 't':
			b.WriteByte('\t')
			i += 2
		case n == 'r':
			b.WriteByte('\r')
			i += 2
		case n == 'n':
			b.WriteByte('\n')
			i += 2
		case n == 'u' && i+6 <= len(s) && isHex(s[i+2:i+6]):
			v, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			b.WriteRune(rune(v))
			i += 6
		case n == '\\' || n == '"':
			b.WriteByte(n)
			i += 2
		default:
			b.WriteByte('\\')
			i++
		}
	}
	if !utf8.ValidString(b.String()) {
		return "", fmt.Errorf("quoted string %s is not valid UTF-8", tok)
	}
	return b.String(), nil
}

// decodeUnquoted decodes a Word token into literal parts and wildcards.
func decodeUnquoted(raw string) ([]Part, error) {
	var parts []Part
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, Part{Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); {
		ch := raw[i]
		switch {
		case ch == '*':
			flush()
			parts = append(parts, Part{Wild: true})
			i++
		case ch != '\\':
			lit.WriteByte(ch)
			i++
		default:
			n := escapeLen(raw[i:])
			esc := raw[i+1 : i+n]
			switch {
			case esc == "t":
				lit.WriteByte('\t')
			case esc == "r":
				lit.WriteByte('\r')
			case esc == "n":
				lit.WriteByte('\n')
			case len(esc) == 5 && esc[0] == 'u':
				v, _ := strconv.ParseUint(esc[1:], 16, 32)
				lit.WriteRune(rune(v))
			case len(esc) == 1 && strings.ContainsRune(`\():<>"*{}`, rune(esc[0])):
				lit.WriteString(esc)
			case strings.EqualFold(esc, "or"), strings.EqualFold(esc, "and"), strings.EqualFold(esc, "not"):
				lit.WriteString(esc)
			default:
				return nil, fmt.Errorf("invalid escape \\%s in %q", esc, raw)
			}
			i += n
		}
	}
	flush()
	if !utf8.ValidString(raw) {
		return nil, fmt.Errorf("unquoted literal %q is not valid UTF-8", raw)
	}
	return parts, nil
}

// String renders an expression back as KQL in the backend's canonical spelling (for messages and
// the printer test).
func String(e Expr) string {
	switch e := e.(type) {
	case *Or:
		return join(e.Args, " or ")
	case *And:
		return join(e.Args, " and ")
	case *Not:
		return "not " + String(e.Arg)
	case *Group:
		return "(" + String(e.Inner) + ")"
	case *Range:
		return e.Field + " " + e.Op + " " + e.Value
	case *Is:
		if e.List {
			return e.Field + ": (" + vString(e.V) + ")"
		}
		return e.Field + ": " + vString(e.V)
	}
	return fmt.Sprintf("%T", e)
}

func vString(v VExpr) string {
	switch v := v.(type) {
	case *VOr:
		parts := make([]string, len(v.Args))
		for i, a := range v.Args {
			parts[i] = vString(a)
		}
		return strings.Join(parts, " or ")
	case *VAnd:
		parts := make([]string, len(v.Args))
		for i, a := range v.Args {
			parts[i] = vString(a)
		}
		return strings.Join(parts, " and ")
	case *VNot:
		return "not " + vString(v.Arg)
	case Value:
		return valueString(v)
	}
	return fmt.Sprintf("%T", v)
}

func join(es []Expr, sep string) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = String(e)
	}
	return strings.Join(parts, sep)
}

func valueString(v Value) string {
	if v.Quoted {
		return strconv.Quote(v.Parts[0].Text)
	}
	var b strings.Builder
	for _, p := range v.Parts {
		if p.Wild {
			b.WriteByte('*')
			continue
		}
		for _, r := range p.Text {
			if strings.ContainsRune(`\():<>"*{}`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
