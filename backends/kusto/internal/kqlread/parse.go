// Package kqlread reads back the Kusto Query Language the kusto backend emits: a participle/v2
// grammar for that subset (Parse), its meaning over canonical sign-in fields (Read,
// ReadCorrelation, for the round-trip proof of package roundtrip) and an interpreter of the parsed
// query over sign-in events with Kusto's documented semantics (Eval). It is used by the kusto
// backend's tests only.
//
// Subset: `let NAME = <number or tabular expression>;` statements, then a tabular expression: a
// table or let name, or `union [isfuzzy=true] (T), (T), ...`, followed by `| where`, `| extend`,
// `| project`, `| summarize ... [by ...]` and `| sort by ...` operators. Scalar expressions: `or`,
// `and`, comparisons (== != =~ !~ < <= > >=), string operators (contains, startswith, endswith,
// their _cs forms, has, has_cs), `matches regex`, `in` / `in~` / `!in` / `!in~` lists, `+` and `-`,
// property access (`X.key`, `X['key']`), function calls, parentheses and literals: strings ("..."
// and '...' with the escapes \\ \" \' \n \t \r \uXXXX; verbatim @"..." and @'...' with a doubled
// quote), integers and decimals (optionally negative), booleans, timespans (10m, 1h, 1d, 30s,
// 5ms) and datetime(...).
package kqlread

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar (participle structs). They are converted to the AST below right after parsing.

type gScript struct {
	Lets []*gLet `parser:"@@*"`
	Body *gTab   `parser:"@@ ';'?"`
}

type gLet struct {
	Name string `parser:"'let' @Ident '='"`
	Num  *gNum  `parser:"( @@"`
	Tab  *gTab  `parser:"| @@ ) ';'"`
}

type gNum struct {
	Neg bool   `parser:"@'-'?"`
	Num string `parser:"@Number"`
}

type gTab struct {
	Union *gUnion `parser:"( @@"`
	Name  string  `parser:"| @Ident )"`
	Ops   []*gOp  `parser:"( '|' @@ )*"`
}

type gUnion struct {
	Fuzzy *string `parser:"'union' ( 'isfuzzy' '=' @('true' | 'false') )?"`
	Legs  []*gTab `parser:"'(' @@ ')' ( ',' '(' @@ ')' )*"`
}

type gOp struct {
	Where     *gExpr     `parser:"  'where' @@"`
	Extend    []*gAssign `parser:"| 'extend' @@ ( ',' @@ )*"`
	Project   []*gAssign `parser:"| 'project' @@ ( ',' @@ )*"`
	Summarize *gSumm     `parser:"| 'summarize' @@"`
	Sort      []*gSort   `parser:"| 'sort' 'by' @@ ( ',' @@ )*"`
}

type gSumm struct {
	Aggs []*gAssign `parser:"@@ ( ',' @@ )*"`
	By   []*gAssign `parser:"( 'by' @@ ( ',' @@ )* )?"`
}

type gAssign struct {
	Name *gName `parser:"( @@ '=' )?"`
	X    *gExpr `parser:"@@"`
}

type gName struct {
	Plain   string `parser:"  @Ident"`
	Bracket string `parser:"| @Bracket"`
}

type gSort struct {
	X   *gExpr `parser:"@@"`
	Dir string `parser:"@( 'asc' | 'desc' )?"`
}

type gExpr struct {
	Terms []*gAnd `parser:"@@ ( 'or' @@ )*"`
}

type gAnd struct {
	Terms []*gCmp `parser:"@@ ( 'and' @@ )*"`
}

type gCmp struct {
	Left  *gAdd    `parser:"@@"`
	Op    string   `parser:"( @( '==' | '!=' | '=~' | '!~' | '<=' | '>=' | '<' | '>' | 'contains' | 'contains_cs' | 'startswith' | 'startswith_cs' | 'endswith' | 'endswith_cs' | 'has' | 'has_cs' | 'matches' )"`
	Regex bool     `parser:"  @'regex'?"`
	Right *gAdd    `parser:"  @@"`
	InOp  string   `parser:"| @( 'in~' | '!in~' | 'in' | '!in' ) '('"`
	List  []*gExpr `parser:"  ( @@ ( ',' @@ )* )? ')' )?"`
}

type gAdd struct {
	Left *gPost    `parser:"@@"`
	Rest []*gArith `parser:"@@*"`
}

type gArith struct {
	Op string `parser:"@( '+' | '-' )"`
	X  *gPost `parser:"@@"`
}

type gPost struct {
	X       *gPrim     `parser:"@@"`
	Members []*gMember `parser:"@@*"`
}

type gMember struct {
	Dot     string `parser:"  '.' @Ident"`
	Bracket string `parser:"| @Bracket"`
}

type gPrim struct {
	Str      *string `parser:"  @String"`
	Span     *string `parser:"| @Timespan"`
	Num      *gNum   `parser:"| @@"`
	DateTime *string `parser:"| @DateTime"`
	Bool     *string `parser:"| @( 'true' | 'false' )"`
	Call     *gCall  `parser:"| @@"`
	Ident    *string `parser:"| @Ident"`
	Bracket  *string `parser:"| @Bracket"`
	Paren    *gExpr  `parser:"| '(' @@ ')'"`
}

type gCall struct {
	Fn   string   `parser:"@Ident '('"`
	Args []*gExpr `parser:"( @@ ( ',' @@ )* )? ')'"`
}

var parser = sync.OnceValue(func() *participle.Parser[gScript] {
	lex := lexer.MustSimple([]lexer.SimpleRule{
		{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
		{Name: "String", Pattern: `@"(?:[^"]|"")*"|@'(?:[^']|'')*'|"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*'`},
		{Name: "Bracket", Pattern: `\[\s*(?:'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")\s*\]`},
		{Name: "DateTime", Pattern: `datetime\([^()]*\)`},
		{Name: "Timespan", Pattern: `[0-9]+(?:\.[0-9]+)?(?:microseconds|ms|s|m|h|d)\b`},
		{Name: "Number", Pattern: `[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`},
		{Name: "Op", Pattern: `!in~|in~|!in\b|=~|!~|==|!=|<=|>=`},
		{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
		{Name: "Punct", Pattern: `[-+*/<>=(),.;|]`},
	})
	return participle.MustBuild[gScript](
		participle.Lexer(lex),
		participle.Elide("Whitespace"),
		participle.UseLookahead(4),
	)
})

// AST.

// Script is a parsed query: its let statements and its body.
type Script struct {
	Lets []*Let
	Body *Tabular
}

// Let binds a name to a number (Scalar) or a tabular expression (Tab).
type Let struct {
	Name   string
	Scalar Expr
	Tab    *Tabular
}

// Tabular is a source (a table or let name, or a union) followed by operators.
type Tabular struct {
	Source string     // a table or let name; "" for a union
	Union  []*Tabular // the union's legs
	Fuzzy  bool       // union isfuzzy=true
	Ops    []Op
}

// Op is one tabular operator: *Where, *Extend, *Project, *Summarize or *Sort.
type Op interface{ isOp() }

type (
	// Where filters rows.
	Where struct{ Pred Expr }
	// Extend adds or replaces columns.
	Extend struct{ Cols []Assign }
	// Project keeps (and computes) only the listed columns.
	Project struct{ Cols []Assign }
	// Summarize groups rows by By and computes Aggs per group.
	Summarize struct{ Aggs, By []Assign }
	// Sort orders rows.
	Sort struct{ Keys []SortKey }
)

func (*Where) isOp()     {}
func (*Extend) isOp()    {}
func (*Project) isOp()   {}
func (*Summarize) isOp() {}
func (*Sort) isOp()      {}

// Assign is `Name = X`; a bare column reference has its own name.
type Assign struct {
	Name string
	X    Expr
}

// SortKey is one sort key.
type SortKey struct {
	X    Expr
	Desc bool
}

// Expr is a scalar expression: *Lit, *Col, *Member, *Call, *Binary or *In.
type Expr interface{ isExpr() }

type (
	// Lit is a literal value.
	Lit struct{ V Value }
	// Col is a column or let-scalar reference.
	Col struct{ Name string }
	// Member is a property access X.Key or X['Key'].
	Member struct {
		X   Expr
		Key string
	}
	// Call is a function call.
	Call struct {
		Fn   string
		Args []Expr
	}
	// Binary is `L Op R`: and, or, a comparison or string operator ("matches regex" for the
	// regex), + or -.
	Binary struct {
		Op   string
		L, R Expr
	}
	// In is `L Op (List...)`, Op one of in, in~, !in, !in~.
	In struct {
		Op   string
		L    Expr
		List []Expr
	}
)

func (*Lit) isExpr()    {}
func (*Col) isExpr()    {}
func (*Member) isExpr() {}
func (*Call) isExpr()   {}
func (*Binary) isExpr() {}
func (*In) isExpr()     {}

// Parse parses a query of the subset.
func Parse(text string) (*Script, error) {
	g, err := parser().ParseString("", text)
	if err != nil {
		return nil, err
	}
	s := &Script{}
	for _, l := range g.Lets {
		let := &Let{Name: l.Name}
		if l.Num != nil {
			v, err := number(l.Num)
			if err != nil {
				return nil, err
			}
			let.Scalar = &Lit{V: v}
		} else {
			if let.Tab, err = tabular(l.Tab); err != nil {
				return nil, err
			}
		}
		s.Lets = append(s.Lets, let)
	}
	if s.Body, err = tabular(g.Body); err != nil {
		return nil, err
	}
	return s, nil
}

func tabular(g *gTab) (*Tabular, error) {
	t := &Tabular{Source: g.Name}
	if g.Union != nil {
		t.Fuzzy = g.Union.Fuzzy != nil && *g.Union.Fuzzy == "true"
		for _, l := range g.Union.Legs {
			leg, err := tabular(l)
			if err != nil {
				return nil, err
			}
			t.Union = append(t.Union, leg)
		}
	}
	for _, o := range g.Ops {
		var op Op
		var err error
		switch {
		case o.Where != nil:
			var x Expr
			x, err = expr(o.Where)
			op = &Where{Pred: x}
		case o.Extend != nil:
			var cols []Assign
			cols, err = assigns(o.Extend)
			op = &Extend{Cols: cols}
		case o.Project != nil:
			var cols []Assign
			cols, err = assigns(o.Project)
			op = &Project{Cols: cols}
		case o.Summarize != nil:
			s := &Summarize{}
			if s.Aggs, err = assigns(o.Summarize.Aggs); err == nil {
				s.By, err = assigns(o.Summarize.By)
			}
			op = s
		case o.Sort != nil:
			s := &Sort{}
			for _, k := range o.Sort {
				x, e := expr(k.X)
				if e != nil {
					return nil, e
				}
				s.Keys = append(s.Keys, SortKey{X: x, Desc: k.Dir == "desc"})
			}
			op = s
		}
		if err != nil {
			return nil, err
		}
		t.Ops = append(t.Ops, op)
	}
	return t, nil
}

func assigns(gs []*gAssign) ([]Assign, error) {
	var out []Assign
	for _, g := range gs {
		x, err := expr(g.X)
		if err != nil {
			return nil, err
		}
		a := Assign{X: x}
		switch {
		case g.Name != nil && g.Name.Bracket != "":
			if a.Name, err = bracket(g.Name.Bracket); err != nil {
				return nil, err
			}
		case g.Name != nil:
			a.Name = g.Name.Plain
		default:
			c, ok := x.(*Col)
			if !ok {
				return nil, fmt.Errorf("kqlread: an unnamed column must be a column reference")
			}
			a.Name = c.Name
		}
		out = append(out, a)
	}
	return out, nil
}

func expr(g *gExpr) (Expr, error) {
	var x Expr
	for i, t := range g.Terms {
		y, err := andExpr(t)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			x = y
		} else {
			x = &Binary{Op: "or", L: x, R: y}
		}
	}
	return x, nil
}

func andExpr(g *gAnd) (Expr, error) {
	var x Expr
	for i, t := range g.Terms {
		y, err := cmpExpr(t)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			x = y
		} else {
			x = &Binary{Op: "and", L: x, R: y}
		}
	}
	return x, nil
}

func cmpExpr(g *gCmp) (Expr, error) {
	l, err := addExpr(g.Left)
	if err != nil {
		return nil, err
	}
	switch {
	case g.Op != "":
		op := g.Op
		if (op == "matches") != g.Regex {
			return nil, fmt.Errorf("kqlread: `matches` must be followed by `regex`")
		}
		if op == "matches" {
			op = "matches regex"
		}
		r, err := addExpr(g.Right)
		if err != nil {
			return nil, err
		}
		return &Binary{Op: op, L: l, R: r}, nil
	case g.InOp != "":
		in := &In{Op: g.InOp, L: l}
		for _, e := range g.List {
			x, err := expr(e)
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, x)
		}
		return in, nil
	}
	return l, nil
}

func addExpr(g *gAdd) (Expr, error) {
	x, err := postExpr(g.Left)
	if err != nil {
		return nil, err
	}
	for _, r := range g.Rest {
		y, err := postExpr(r.X)
		if err != nil {
			return nil, err
		}
		x = &Binary{Op: r.Op, L: x, R: y}
	}
	return x, nil
}

func postExpr(g *gPost) (Expr, error) {
	x, err := primExpr(g.X)
	if err != nil {
		return nil, err
	}
	for _, m := range g.Members {
		key := m.Dot
		if m.Bracket != "" {
			if key, err = bracket(m.Bracket); err != nil {
				return nil, err
			}
		}
		x = &Member{X: x, Key: key}
	}
	return x, nil
}

func primExpr(g *gPrim) (Expr, error) {
	switch {
	case g.Str != nil:
		s, err := Unquote(*g.Str)
		if err != nil {
			return nil, err
		}
		return &Lit{V: Str(s)}, nil
	case g.Span != nil:
		d, err := parseSpan(*g.Span)
		if err != nil {
			return nil, err
		}
		return &Lit{V: Value{Kind: KTimespan, Span: d}}, nil
	case g.Num != nil:
		v, err := number(g.Num)
		if err != nil {
			return nil, err
		}
		return &Lit{V: v}, nil
	case g.DateTime != nil:
		inner := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(*g.DateTime, "datetime("), ")"))
		for _, layout := range []string{"2006-01-02", "2006-01-02 15:04:05", time.RFC3339Nano} {
			if t, err := time.Parse(layout, inner); err == nil {
				return &Lit{V: Value{Kind: KDatetime, Time: t.UTC()}}, nil
			}
		}
		return nil, fmt.Errorf("kqlread: datetime literal %q", *g.DateTime)
	case g.Bool != nil:
		return &Lit{V: Value{Kind: KBool, Bool: *g.Bool == "true"}}, nil
	case g.Call != nil:
		c := &Call{Fn: g.Call.Fn}
		for _, a := range g.Call.Args {
			x, err := expr(a)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, x)
		}
		return c, nil
	case g.Ident != nil:
		if *g.Ident == "null" {
			return nil, fmt.Errorf("kqlread: a bare null is not a Kusto literal (use a typed null such as real(null))")
		}
		return &Col{Name: *g.Ident}, nil
	case g.Bracket != nil:
		name, err := bracket(*g.Bracket)
		if err != nil {
			return nil, err
		}
		return &Col{Name: name}, nil
	case g.Paren != nil:
		return expr(g.Paren)
	}
	return nil, fmt.Errorf("kqlread: empty expression")
}

func number(g *gNum) (Value, error) {
	s := g.Num
	if g.Neg {
		s = "-" + s
	}
	if !strings.ContainsAny(s, ".eE") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return Value{}, fmt.Errorf("kqlread: integer literal %s: %w", s, err)
		}
		return Value{Kind: KLong, Long: n}, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Value{}, fmt.Errorf("kqlread: real literal %s: %w", s, err)
	}
	return Value{Kind: KReal, Real: f}, nil
}

func parseSpan(s string) (time.Duration, error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, err
	}
	unit := map[string]time.Duration{"microseconds": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"m": time.Minute, "h": time.Hour, "d": 24 * time.Hour}[s[i:]]
	return time.Duration(n * float64(unit)), nil
}

// bracket decodes a bracketed name ['name'] or ["name"].
func bracket(tok string) (string, error) {
	inner := strings.TrimSpace(tok[1 : len(tok)-1])
	return Unquote(inner)
}

// Unquote decodes one Kusto string literal token: "..." or '...' with the escapes \\ \" \' \n \t
// \r and \uXXXX (string data type reference; Kusto.Language's lexer), or a verbatim @"..." /
// @'...' in which a backslash stands for itself and the quote is doubled. Any other escape is an
// error: the backend never emits one.
func Unquote(tok string) (string, error) {
	if len(tok) < 2 {
		return "", fmt.Errorf("kqlread: bad string literal %q", tok)
	}
	if tok[0] == '@' {
		q := tok[1:2]
		body := tok[2 : len(tok)-1]
		if strings.Contains(strings.ReplaceAll(body, q+q, ""), q) {
			return "", fmt.Errorf("kqlread: undoubled quote in verbatim literal %q", tok)
		}
		return strings.ReplaceAll(body, q+q, q), nil
	}
	q := tok[0]
	body := tok[1 : len(tok)-1]
	var b strings.Builder
	for i := 0; i < len(body); {
		c := body[i]
		if c == q {
			return "", fmt.Errorf("kqlread: unescaped quote in %q", tok)
		}
		if c != '\\' {
			r, n := utf8.DecodeRuneInString(body[i:])
			if r == utf8.RuneError && n == 1 {
				return "", fmt.Errorf("kqlread: invalid UTF-8 in %q", tok)
			}
			if r < 0x20 || r == 0x7f {
				return "", fmt.Errorf("kqlread: raw control character %U in %q", r, tok)
			}
			b.WriteString(body[i : i+n])
			i += n
			continue
		}
		if i+1 >= len(body) {
			return "", fmt.Errorf("kqlread: trailing backslash in %q", tok)
		}
		switch e := body[i+1]; e {
		case '\\', '"', '\'':
			b.WriteByte(e)
			i += 2
		case 'n':
			b.WriteByte('\n')
			i += 2
		case 't':
			b.WriteByte('\t')
			i += 2
		case 'r':
			b.WriteByte('\r')
			i += 2
		case 'u':
			if i+6 > len(body) {
				return "", fmt.Errorf("kqlread: short \\u escape in %q", tok)
			}
			n, err := strconv.ParseUint(body[i+2:i+6], 16, 32)
			if err != nil {
				return "", fmt.Errorf("kqlread: bad \\u escape in %q", tok)
			}
			b.WriteRune(rune(n))
			i += 6
		default:
			return "", fmt.Errorf("kqlread: unknown escape \\%c in %q", e, tok)
		}
	}
	return b.String(), nil
}
