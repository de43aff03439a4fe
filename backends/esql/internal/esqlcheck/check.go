// Package esqlcheck is entrasig's own validator for the ES|QL subset the esql backend emits (no
// vendor parser for ES|QL is reachable from Go). It parses a query with a participle grammar that
// mirrors Elasticsearch's ES|QL grammar for that subset and then checks names: every field must be
// a known Elastic field, every function must be on an allowlist with the right number of
// arguments, METADATA names must be metadata fields, and LIKE patterns must use only valid escapes.
//
// Subset: FROM <index pattern>[, ...] [METADATA <name>[, ...]], then `| WHERE <expr>` commands.
// Expressions: or / and / NOT (case-insensitive keywords), comparisons == != < <= > >=,
// [NOT] IN (list), [NOT] LIKE "pattern", [NOT] RLIKE "regex", IS [NOT] NULL, function calls,
// parentheses, string literals ("..." with \t \n \r \" \\ escapes, and """...""" raw), integer
// and decimal literals with an optional sign, true, false, null, and dotted field names whose
// parts may be backtick-quoted.
package esqlcheck

import (
	"fmt"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Query is a parsed query.
type Query struct {
	Pos      lexer.Position
	Indices  []string   `parser:"FromKw @Index (\",\" @Index)*"`
	Metadata []string   `parser:"(Metadata @Index (\",\" @Index)*)?"`
	Commands []*Command `parser:"(\"|\" @@)*"`
}

// Command is one processing command.
type Command struct {
	Pos   lexer.Position
	Where *Expr `parser:"\"WHERE\" @@"`
}

// Expr is an or-expression.
type Expr struct {
	And []*AndExpr `parser:"@@ (\"or\" @@)*"`
}

// AndExpr is an and-expression.
type AndExpr struct {
	Not []*NotExpr `parser:"@@ (\"and\" @@)*"`
}

// NotExpr is a NOT or a predicate.
type NotExpr struct {
	Not  *NotExpr   `parser:"  \"NOT\" @@"`
	Pred *Predicate `parser:"| @@"`
}

// Predicate is a value with an optional comparison, IN, LIKE, RLIKE or IS NULL test.
type Predicate struct {
	Left   *Value   `parser:"@@"`
	Op     string   `parser:"( @(\"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\")"`
	Right  *Value   `parser:"  @@"`
	NotIn  bool     `parser:"| ( @\"NOT\"?"`
	In     []*Value `parser:"    ( \"IN\" \"(\" @@ (\",\" @@)* \")\""`
	Like   *String  `parser:"    | \"LIKE\" @@"`
	RLike  *String  `parser:"    | \"RLIKE\" @@ ) )"`
	IsNull *IsNull  `parser:"| @@ )?"`
}

// IsNull is `IS [NOT] NULL`.
type IsNull struct {
	Not bool `parser:"\"IS\" @\"NOT\"? \"NULL\""`
}

// Value is a primary value.
type Value struct {
	Pos   lexer.Position
	Call  *Call    `parser:"  @@"`
	Lit   *Literal `parser:"| @@"`
	Field *Field   `parser:"| @@"`
	Paren *Expr    `parser:"| \"(\" @@ \")\""`
}

// Call is a function call.
type Call struct {
	Pos  lexer.Position
	Name string  `parser:"@Ident \"(\""`
	Args []*Expr `parser:"(@@ (\",\" @@)*)? \")\""`
}

// Literal is a constant.
type Literal struct {
	Str  *String `parser:"  @@"`
	Num  *string `parser:"| @(\"-\"? Number)"`
	Bool *string `parser:"| @(\"true\" | \"false\")"`
	Null bool    `parser:"| @\"null\""`
}

// String is a string literal (raw token text).
type String struct {
	Pos lexer.Position
	Raw string `parser:"@String"`
}

// Field is a dotted field name.
type Field struct {
	Pos   lexer.Position
	Parts []string `parser:"@(Ident | QuotedIdent) (\".\" @(Ident | QuotedIdent))*"`
}

// parser is built once and never mutated.
var parser = sync.OnceValue(func() *participle.Parser[Query] {
	lex := lexer.MustStateful(lexer.Rules{
		"Root": {
			{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
			{Name: "FromKw", Pattern: `(?i)FROM\b`, Action: lexer.Push("From")},
			{Name: "String", Pattern: `"""[^\r\n]*?"""|"(?:\\[tnr"\\]|[^\r\n"\\])*"`},
			{Name: "QuotedIdent", Pattern: "`(?:[^`]|``)+`"},
			{Name: "Number", Pattern: `(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`},
			{Name: "Ident", Pattern: `[a-zA-Z][a-zA-Z0-9_]*|[_@][a-zA-Z0-9_]+`},
			{Name: "Op", Pattern: `==|!=|<=|>=|<|>`},
			{Name: "Punct", Pattern: `[(),.|\-]`},
		},
		"From": {
			{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
			{Name: "Metadata", Pattern: `(?i)METADATA\b`},
			{Name: "Pipe", Pattern: `\|`, Action: lexer.Pop()},
			{Name: "Comma", Pattern: `,`},
			{Name: "Index", Pattern: `[a-zA-Z0-9_.*:\-]+`},
		},
	})
	return participle.MustBuild[Query](
		participle.Lexer(lex),
		participle.Elide("Whitespace"),
		participle.CaseInsensitive("Ident"),
		participle.UseLookahead(4),
	)
})

// Parse parses query text.
func Parse(query string) (*Query, error) {
	return parser().ParseString("", query)
}

// Functions lists the allowed functions (upper-case) with their minimum and maximum argument
// counts (-1: no maximum).
func Functions(name string) (min, max int, ok bool) {
	switch strings.ToUpper(name) {
	case "TO_LOWER", "TO_UPPER", "TO_IP", "TO_STRING", "TO_DOUBLE", "TO_LONG":
		return 1, 1, true
	case "CIDR_MATCH":
		return 2, -1, true
	case "COALESCE":
		return 1, -1, true
	case "STARTS_WITH", "ENDS_WITH", "DATE_EXTRACT":
		return 2, 2, true
	case "LOCATE":
		return 2, 3, true
	}
	return 0, 0, false
}

// MetadataField reports whether name may follow METADATA.
func MetadataField(name string) bool {
	switch name {
	case "_id", "_version", "_index", "_score", "_source", "_ignored", "_index_mode":
		return true
	}
	return false
}

// FieldTypes tells the checker about fields: for a dotted name (backticks removed) whether it
// exists and its Elasticsearch mapping type (keyword, constant_keyword, long, float, boolean, ip,
// date, ...; "" when unknown, which skips type checks).
type FieldTypes func(name string) (typ string, ok bool)

// Check parses query and checks names and the types of comparisons: a field compared with a
// literal must get a literal of its kind (number, true/false, string; an ip field only TO_IP(...)),
// `== null` is rejected (it is always null; IS NULL is meant), and LIKE / RLIKE need a string
// operand. It returns every problem found.
func Check(query string, fields FieldTypes) []error {
	q, err := Parse(query)
	if err != nil {
		return []error{err}
	}
	c := &checker{fields: fields, meta: map[string]bool{}}
	for _, ix := range q.Indices {
		if strings.ContainsAny(ix, " \"") || ix == "" {
			c.errf(q.Pos, "bad index pattern %q", ix)
		}
	}
	for _, m := range q.Metadata {
		if !MetadataField(m) {
			c.errf(q.Pos, "unknown METADATA field %q", m)
		}
		c.meta[m] = true
	}
	for _, cmd := range q.Commands {
		c.expr(cmd.Where)
	}
	return c.errs
}

type checker struct {
	fields FieldTypes
	meta   map[string]bool
	errs   []error
}

func (c *checker) errf(pos lexer.Position, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%d:%d: %s", pos.Line, pos.Column, fmt.Sprintf(format, args...)))
}

func (c *checker) expr(e *Expr) {
	for _, a := range e.And {
		for _, n := range a.Not {
			c.not(n)
		}
	}
}

func (c *checker) not(n *NotExpr) {
	if n.Not != nil {
		c.not(n.Not)
		return
	}
	p := n.Pred
	c.value(p.Left)
	if p.Right != nil {
		c.value(p.Right)
		c.compare(p.Left, p.Right)
		c.compare(p.Right, p.Left)
	}
	for _, v := range p.In {
		c.value(v)
		c.compare(p.Left, v)
	}
	if (p.Like != nil || p.RLike != nil) && !c.stringValued(p.Left) {
		c.errf(p.Left.Pos, "LIKE and RLIKE need a string operand")
	}
	if p.Like != nil {
		if s, err := Unquote(p.Like.Raw); err != nil {
			c.errf(p.Like.Pos, "%v", err)
		} else if err := checkLike(s); err != nil {
			c.errf(p.Like.Pos, "LIKE pattern %s: %v", p.Like.Raw, err)
		}
	}
	if p.RLike != nil {
		if _, err := Unquote(p.RLike.Raw); err != nil {
			c.errf(p.RLike.Pos, "%v", err)
		}
	}
}

func (c *checker) value(v *Value) {
	switch {
	case v.Call != nil:
		min, max, ok := Functions(v.Call.Name)
		if !ok {
			c.errf(v.Call.Pos, "unknown function %s", v.Call.Name)
		} else if n := len(v.Call.Args); n < min || max >= 0 && n > max {
			c.errf(v.Call.Pos, "%s takes %d..%d arguments, got %d", strings.ToUpper(v.Call.Name), min, max, n)
		}
		for _, a := range v.Call.Args {
			c.expr(a)
		}
	case v.Field != nil:
		name := FieldName(v.Field.Parts)
		if _, ok := c.fields(name); !ok && !c.meta[name] {
			c.errf(v.Field.Pos, "unknown field %s", name)
		}
	case v.Paren != nil:
		c.expr(v.Paren)
	case v.Lit != nil && v.Lit.Str != nil:
		if _, err := Unquote(v.Lit.Str.Raw); err != nil {
			c.errf(v.Lit.Str.Pos, "%v", err)
		}
	}
}

// fieldType returns the mapping type of a value that is a plain field reference.
func (c *checker) fieldType(v *Value) (string, bool) {
	if v.Field == nil {
		return "", false
	}
	typ, ok := c.fields(FieldName(v.Field.Parts))
	return typ, ok && typ != ""
}

// compare checks a field compared with a literal (or, for ip fields, anything but TO_IP).
func (c *checker) compare(field, other *Value) {
	typ, ok := c.fieldType(field)
	if !ok {
		return
	}
	lit := other.Lit
	if lit != nil && lit.Null {
		c.errf(other.Pos, "comparing with null is always null; use IS NULL")
		return
	}
	switch {
	case isNumeric(typ):
		if lit != nil && lit.Num == nil {
			c.errf(other.Pos, "%s is a %s field: compare it with a number", FieldName(field.Field.Parts), typ)
		}
	case typ == "boolean":
		if lit != nil && lit.Bool == nil {
			c.errf(other.Pos, "%s is a boolean field: compare it with true or false", FieldName(field.Field.Parts))
		}
	case typ == "ip":
		if lit != nil || other.Call != nil && !strings.EqualFold(other.Call.Name, "TO_IP") {
			c.errf(other.Pos, "%s is an ip field: compare it with TO_IP(\"...\")", FieldName(field.Field.Parts))
		}
	case isString(typ):
		if lit != nil && lit.Str == nil {
			c.errf(other.Pos, "%s is a %s field: compare it with a string", FieldName(field.Field.Parts), typ)
		}
	}
}

// stringValued reports whether v can be the operand of LIKE / RLIKE: a string field or a
// function returning a string.
func (c *checker) stringValued(v *Value) bool {
	switch {
	case v.Field != nil:
		typ, ok := c.fieldType(v)
		return !ok || isString(typ)
	case v.Call != nil:
		switch strings.ToUpper(v.Call.Name) {
		case "TO_LOWER", "TO_UPPER", "TO_STRING":
			return true
		}
		return false
	case v.Lit != nil:
		return v.Lit.Str != nil
	}
	return true
}

func isNumeric(t string) bool {
	switch t {
	case "long", "integer", "short", "byte", "float", "double", "half_float", "scaled_float", "unsigned_long":
		return true
	}
	return false
}

func isString(t string) bool {
	switch t {
	case "keyword", "constant_keyword", "wildcard", "text", "match_only_text":
		return true
	}
	return false
}

// FieldName joins field name parts, removing backtick quoting.
func FieldName(parts []string) string {
	out := make([]string, len(parts))
	for i, p := range parts {
		if strings.HasPrefix(p, "`") {
			p = strings.ReplaceAll(p[1:len(p)-1], "``", "`")
		}
		out[i] = p
	}
	return strings.Join(out, ".")
}

// Unquote returns the value of an ES|QL string literal token.
func Unquote(raw string) (string, error) {
	if strings.HasPrefix(raw, `"""`) && len(raw) >= 6 {
		return raw[3 : len(raw)-3], nil
	}
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", fmt.Errorf("bad string literal %s", raw)
	}
	var b strings.Builder
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("string literal %s ends in a backslash", raw)
		}
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\':
			b.WriteByte(s[i])
		default:
			return "", fmt.Errorf("string literal %s has an unknown escape \\%c", raw, s[i])
		}
	}
	return b.String(), nil
}

// checkLike applies ES|QL's rule for LIKE patterns: a backslash must be followed by `*`, `?` or
// another backslash.
func checkLike(p string) error {
	for i := 0; i < len(p); i++ {
		if p[i] != '\\' {
			continue
		}
		if i+1 == len(p) {
			return fmt.Errorf("ends in an escape character")
		}
		switch p[i+1] {
		case '*', '?', '\\':
			i++
		default:
			return fmt.Errorf("escape character is not followed by *, ? or \\")
		}
	}
	return nil
}
