// Package esqlcheck is entrasig's own validator for the ES|QL subset the esql backend emits (no
// vendor parser for ES|QL is reachable from Go). It parses a query with a participle grammar that
// mirrors Elasticsearch's ES|QL grammar for that subset and then checks names: every field must be
// a known Elastic field, every function must be on an allowlist with the right number of
// arguments, METADATA names must be metadata fields, and LIKE patterns must use only valid escapes.
//
// Subset: FROM <index pattern>[, ...] [METADATA <name>[, ...]], then `| WHERE <expr>`,
// `| EVAL <column> = <expr>[, ...]` and `| STATS <column> = <aggregate>[, ...] [BY <column>[, ...]]`
// commands. Columns are scoped as ES|QL scopes them: an EVAL column is usable to its right and in
// later commands; after a STATS only its aggregates and BY columns exist. Aggregates (COUNT, MIN,
// MAX, SUM, AVG, PERCENTILE) are allowed only as the whole value of a STATS column, scalar
// functions only outside that position.
// Expressions: or / and / NOT (case-insensitive keywords), comparisons == != < <= > >=, `+`,
// [NOT] IN (list), [NOT] LIKE "pattern", [NOT] RLIKE "regex", IS [NOT] NULL, function calls,
// parentheses, string literals ("..." with \t \n \r \" \\ escapes, and """...""" raw), integer
// and decimal literals with an optional sign, time spans (`10 minutes`, only as DATE_TRUNC's
// interval), true, false, null, and dotted field names whose parts may be backtick-quoted.
package esqlcheck

import (
	"fmt"
	"strconv"
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
	Where *Expr     `parser:"  \"WHERE\" @@"`
	Eval  []*Assign `parser:"| \"EVAL\" @@ (\",\" @@)*"`
	Stats *Stats    `parser:"| \"STATS\" @@"`
}

// Assign is `column = expression` (EVAL, STATS).
type Assign struct {
	Pos  lexer.Position
	Name *Field `parser:"@@ \"=\""`
	Expr *Expr  `parser:"@@"`
}

// Stats is the body of STATS: named aggregates and the grouping columns.
type Stats struct {
	Aggs []*Assign `parser:"@@ (\",\" @@)*"`
	By   []*Field  `parser:"(\"BY\" @@ (\",\" @@)*)?"`
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
	Plus   []*Value `parser:"(\"+\" @@)*"`
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
	Star bool    `parser:"( @\"*\""`
	Args []*Expr `parser:"| (@@ (\",\" @@)*)? ) \")\""`
}

// Span is a time span literal: an integer and a unit.
type Span struct {
	Pos  lexer.Position
	N    string `parser:"@Number"`
	Unit string `parser:"@(\"millisecond\" | \"milliseconds\" | \"ms\" | \"second\" | \"seconds\" | \"sec\" | \"s\" | \"minute\" | \"minutes\" | \"min\" | \"hour\" | \"hours\" | \"h\" | \"day\" | \"days\" | \"d\" | \"week\" | \"weeks\" | \"w\" | \"month\" | \"months\" | \"mo\" | \"quarter\" | \"quarters\" | \"q\" | \"year\" | \"years\" | \"yr\" | \"y\")"`
}

// Literal is a constant.
type Literal struct {
	Span *Span   `parser:"  @@"`
	Str  *String `parser:"| @@"`
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
			{Name: "Op", Pattern: `==|!=|<=|>=|<|>|=`},
			{Name: "Punct", Pattern: `[(),.|\-+*]`},
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
	case "STARTS_WITH", "ENDS_WITH", "DATE_EXTRACT", "DATE_TRUNC":
		return 2, 2, true
	case "CASE":
		return 2, -1, true
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
// operand. Columns must be defined before use (EVAL, STATS scoping) and functions must be used in
// their place (aggregates only as a STATS column's value). It returns every problem found.
func Check(query string, fields FieldTypes) []error {
	q, err := Parse(query)
	if err != nil {
		return []error{err}
	}
	c := &checker{fields: fields, meta: map[string]bool{}, defined: map[string]string{}}
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
		switch {
		case cmd.Where != nil:
			c.expr(cmd.Where)
		case cmd.Eval != nil:
			for _, a := range cmd.Eval {
				c.expr(a.Expr)
				c.define(FieldName(a.Name.Parts), c.exprType(a.Expr))
			}
		case cmd.Stats != nil:
			c.stats(cmd.Stats)
		}
	}
	return c.errs
}

type checker struct {
	fields FieldTypes
	meta   map[string]bool
	// defined holds the columns EVAL and STATS computed, with their types ("" unknown).
	defined map[string]string
	// grouped: a STATS has run, so only the columns in defined exist.
	grouped bool
	errs    []error
}

func (c *checker) errf(pos lexer.Position, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%d:%d: %s", pos.Line, pos.Column, fmt.Sprintf(format, args...)))
}

func (c *checker) define(name, typ string) { c.defined[name] = typ }

// lookup resolves a column name in the current scope.
func (c *checker) lookup(name string) (string, bool) {
	if typ, ok := c.defined[name]; ok {
		return typ, true
	}
	if c.grouped {
		return "", false
	}
	if typ, ok := c.fields(name); ok {
		return typ, true
	}
	return "", c.meta[name]
}

// stats checks a STATS command: every column is one aggregate over the input columns, BY names
// input columns; afterwards only the aggregates and the BY columns exist.
func (c *checker) stats(st *Stats) {
	out := map[string]string{}
	for _, a := range st.Aggs {
		call := soleCall(a.Expr)
		if call == nil || !isAggregate(call.Name) {
			c.errf(a.Pos, "STATS %s: the value must be one aggregate function call (COUNT, MIN, MAX, SUM, AVG, PERCENTILE)", FieldName(a.Name.Parts))
			c.expr(a.Expr)
			continue
		}
		out[FieldName(a.Name.Parts)] = c.aggregate(call)
	}
	for _, f := range st.By {
		name := FieldName(f.Parts)
		typ, ok := c.lookup(name)
		if !ok {
			c.errf(f.Pos, "unknown column %s", name)
		}
		out[name] = typ
	}
	c.defined = out
	c.grouped = true
}

// soleCall returns the call when e is exactly one function call.
func soleCall(e *Expr) *Call {
	if len(e.And) != 1 || len(e.And[0].Not) != 1 {
		return nil
	}
	p := e.And[0].Not[0].Pred
	if p == nil || p.Op != "" || p.In != nil || p.Like != nil || p.RLike != nil || p.IsNull != nil || len(p.Plus) > 0 || p.NotIn {
		return nil
	}
	return p.Left.Call
}

// Aggregates lists the allowed aggregate functions with their argument counts.
func Aggregates(name string) (min, max int, ok bool) {
	switch strings.ToUpper(name) {
	case "COUNT":
		return 0, 1, true
	case "MIN", "MAX", "SUM", "AVG":
		return 1, 1, true
	case "PERCENTILE":
		return 2, 2, true
	}
	return 0, 0, false
}

func isAggregate(name string) bool { _, _, ok := Aggregates(name); return ok }

// aggregate checks an aggregate call and returns its result type.
func (c *checker) aggregate(call *Call) string {
	name := strings.ToUpper(call.Name)
	min, max, _ := Aggregates(name)
	if call.Star {
		if name != "COUNT" {
			c.errf(call.Pos, "%s(*): only COUNT takes *", name)
		}
	} else if n := len(call.Args); n < min || n > max {
		c.errf(call.Pos, "%s takes %d..%d arguments, got %d", name, min, max, n)
	}
	for _, a := range call.Args {
		c.expr(a)
	}
	var argType string
	if len(call.Args) > 0 {
		argType = c.exprType(call.Args[0])
	}
	switch name {
	case "SUM", "AVG", "PERCENTILE":
		if argType != "" && !isNumeric(argType) {
			c.errf(call.Pos, "%s needs a number, got a %s column", name, argType)
		}
	}
	if name == "PERCENTILE" && len(call.Args) == 2 {
		if lit := soleLit(call.Args[1]); lit == nil || lit.Num == nil {
			c.errf(call.Pos, "PERCENTILE's percentile must be a number literal")
		} else if v, err := strconv.ParseFloat(*lit.Num, 64); err != nil || v < 0 || v > 100 {
			c.errf(call.Pos, "PERCENTILE's percentile must be within 0..100, got %s", *lit.Num)
		}
	}
	switch name {
	case "COUNT":
		return "long"
	case "SUM", "AVG", "PERCENTILE":
		return "double"
	}
	return argType // MIN, MAX
}

// soleLit returns the literal when e is exactly one literal.
func soleLit(e *Expr) *Literal {
	if len(e.And) != 1 || len(e.And[0].Not) != 1 {
		return nil
	}
	p := e.And[0].Not[0].Pred
	if p == nil || p.Op != "" || p.In != nil || p.Like != nil || p.RLike != nil || p.IsNull != nil || len(p.Plus) > 0 {
		return nil
	}
	return p.Left.Lit
}

// exprType is the type of an expression when it is evident ("" when unknown): boolean for
// predicates, the column's type for a column, date for DATE_TRUNC, long for + of longs.
func (c *checker) exprType(e *Expr) string {
	if len(e.And) != 1 || len(e.And[0].Not) != 1 {
		return "boolean"
	}
	n := e.And[0].Not[0]
	if n.Not != nil {
		return "boolean"
	}
	p := n.Pred
	if p.Op != "" || p.In != nil || p.Like != nil || p.RLike != nil || p.IsNull != nil {
		return "boolean"
	}
	if len(p.Plus) > 0 {
		return ""
	}
	return c.valueType(p.Left)
}

func (c *checker) valueType(v *Value) string {
	switch {
	case v.Field != nil:
		typ, _ := c.lookup(FieldName(v.Field.Parts))
		return typ
	case v.Paren != nil:
		return c.exprType(v.Paren)
	case v.Call != nil:
		switch strings.ToUpper(v.Call.Name) {
		case "DATE_TRUNC":
			return "date"
		case "TO_LOWER", "TO_UPPER", "TO_STRING":
			return "keyword"
		case "TO_DOUBLE":
			return "double"
		case "TO_LONG":
			return "long"
		case "TO_IP":
			return "ip"
		case "COALESCE", "STARTS_WITH", "ENDS_WITH", "CIDR_MATCH":
			if strings.EqualFold(v.Call.Name, "COALESCE") && len(v.Call.Args) > 0 {
				return c.exprType(v.Call.Args[0])
			}
			return "boolean"
		}
	case v.Lit != nil:
		switch {
		case v.Lit.Num != nil:
			return "double"
		case v.Lit.Str != nil:
			return "keyword"
		case v.Lit.Bool != nil:
			return "boolean"
		}
	}
	return ""
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
	if len(p.Plus) > 0 {
		for _, v := range append([]*Value{p.Left}, p.Plus...) {
			if v != p.Left {
				c.value(v)
			}
			if typ := c.valueType(v); typ != "" && !isNumeric(typ) {
				c.errf(v.Pos, "+ needs numbers, got a %s operand", typ)
			}
		}
	}
	if p.Right != nil {
		c.value(p.Right)
		if len(p.Plus) == 0 {
			c.compare(p.Left, p.Right)
		}
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
		name := strings.ToUpper(v.Call.Name)
		min, max, ok := Functions(name)
		switch {
		case isAggregate(name):
			c.errf(v.Call.Pos, "aggregate function %s outside a STATS column", name)
		case !ok:
			c.errf(v.Call.Pos, "unknown function %s", v.Call.Name)
		case v.Call.Star:
			c.errf(v.Call.Pos, "%s(*): only COUNT takes *", name)
		default:
			if n := len(v.Call.Args); n < min || max >= 0 && n > max {
				c.errf(v.Call.Pos, "%s takes %d..%d arguments, got %d", name, min, max, n)
			}
		}
		for i, a := range v.Call.Args {
			if name == "DATE_TRUNC" && i == 0 {
				if lit := soleLit(a); lit == nil || lit.Span == nil {
					c.errf(v.Call.Pos, "DATE_TRUNC's interval must be a time span literal such as 10 minutes")
				}
				continue
			}
			if name == "CASE" && (i%2 == 0 && i < len(v.Call.Args)-1) {
				if typ := c.exprType(a); typ != "" && typ != "boolean" {
					c.errf(v.Call.Pos, "CASE condition %d is a %s, not a boolean", i/2+1, typ)
				}
			}
			c.expr(a)
		}
	case v.Field != nil:
		name := FieldName(v.Field.Parts)
		if _, ok := c.lookup(name); !ok {
			if c.grouped {
				c.errf(v.Field.Pos, "unknown column %s (after STATS only its aggregates and BY columns exist)", name)
			} else {
				c.errf(v.Field.Pos, "unknown field %s", name)
			}
		}
	case v.Paren != nil:
		c.expr(v.Paren)
	case v.Lit != nil && v.Lit.Span != nil:
		c.errf(v.Lit.Span.Pos, "a time span is only allowed as DATE_TRUNC's interval")
	case v.Lit != nil && v.Lit.Str != nil:
		if _, err := Unquote(v.Lit.Str.Raw); err != nil {
			c.errf(v.Lit.Str.Pos, "%v", err)
		}
	}
}

// fieldType returns the type of a value that is a plain column reference.
func (c *checker) fieldType(v *Value) (string, bool) {
	if v.Field == nil {
		return "", false
	}
	typ, ok := c.lookup(FieldName(v.Field.Parts))
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
