// Package esqlread reads back the ES|QL the esql backend emits: it turns esqlcheck's participle
// tree into a small expression tree, rebuilds the query's meaning as a roundtrip.Meaning (or a
// roundtrip.CorrMeaning for an aggregating pipeline) and interprets the tree over Elastic
// documents with ES|QL's documented semantics (three-valued logic, case-sensitive ==, LIKE and
// RLIKE on the whole value, TO_LOWER, CIDR_MATCH, DATE_TRUNC, STATS). It works from the query text
// alone, never from the rule, and is used by the esql backend's tests only.
//
// The semantic facts it relies on, with their sources, are listed in the esql README ("How we
// know the output is right").
package esqlread

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/entrasig/entrasig/backends/esql/internal/esqlcheck"
)

// Expr is an ES|QL expression.
type Expr interface{ isExpr() }

type (
	// And, Or, Not are the boolean operators (three-valued).
	And struct{ Args []Expr }
	Or  struct{ Args []Expr }
	Not struct{ Arg Expr }
	// Cmp is a comparison: Op one of == != < <= > >=.
	Cmp struct {
		Op   string
		L, R Expr
	}
	// In is `L [NOT] IN (List)`.
	In struct {
		L    Expr
		List []Expr
		Neg  bool
	}
	// Like is `L [NOT] LIKE "pattern"` or, with Regex, RLIKE; Pattern is the decoded string.
	Like struct {
		L       Expr
		Pattern string
		Regex   bool
		Neg     bool
	}
	// IsNull is `Arg IS [NOT] NULL`.
	IsNull struct {
		Arg Expr
		Neg bool
	}
	// Call is a function call (Name upper-case); Star is COUNT(*).
	Call struct {
		Name string
		Args []Expr
		Star bool
	}
	// Plus is a + b + ...
	Plus struct{ Args []Expr }
	// Field is a column reference (backticks removed).
	Field struct{ Name string }
	// Lit is a literal.
	Lit struct {
		Kind LitKind
		Str  string
		Num  float64
		Int  bool // the number was written without a fraction or exponent
		Raw  string
		Bool bool
		Span time.Duration
	}
)

// LitKind is the kind of a literal.
type LitKind int

// Literal kinds.
const (
	LitNull LitKind = iota
	LitString
	LitNumber
	LitBool
	LitSpan
)

func (*And) isExpr()    {}
func (*Or) isExpr()     {}
func (*Not) isExpr()    {}
func (*Cmp) isExpr()    {}
func (*In) isExpr()     {}
func (*Like) isExpr()   {}
func (*IsNull) isExpr() {}
func (*Call) isExpr()   {}
func (*Plus) isExpr()   {}
func (*Field) isExpr()  {}
func (*Lit) isExpr()    {}

// Assign is `name = expr` of EVAL or STATS.
type Assign struct {
	Name string
	Expr Expr
}

// Command is one processing command: exactly one of Where, Eval, Stats is set.
type Command struct {
	Where   Expr
	Eval    []Assign
	Stats   []Assign
	By      []string
	IsStats bool
}

// Query is a parsed query.
type Query struct {
	Indices  []string
	Metadata []string
	Commands []Command
}

// Parse parses an emitted query with esqlcheck's grammar and converts the tree.
func Parse(text string) (*Query, error) {
	pq, err := esqlcheck.Parse(text)
	if err != nil {
		return nil, err
	}
	q := &Query{Indices: pq.Indices, Metadata: pq.Metadata}
	for _, c := range pq.Commands {
		var cmd Command
		switch {
		case c.Where != nil:
			e, err := expr(c.Where)
			if err != nil {
				return nil, err
			}
			cmd.Where = e
		case c.Eval != nil:
			for _, a := range c.Eval {
				e, err := expr(a.Expr)
				if err != nil {
					return nil, err
				}
				cmd.Eval = append(cmd.Eval, Assign{Name: esqlcheck.FieldName(a.Name.Parts), Expr: e})
			}
		case c.Stats != nil:
			cmd.IsStats = true
			for _, a := range c.Stats.Aggs {
				e, err := expr(a.Expr)
				if err != nil {
					return nil, err
				}
				cmd.Stats = append(cmd.Stats, Assign{Name: esqlcheck.FieldName(a.Name.Parts), Expr: e})
			}
			for _, f := range c.Stats.By {
				cmd.By = append(cmd.By, esqlcheck.FieldName(f.Parts))
			}
		default:
			return nil, fmt.Errorf("esqlread: empty command")
		}
		q.Commands = append(q.Commands, cmd)
	}
	return q, nil
}

func expr(e *esqlcheck.Expr) (Expr, error) {
	var ors []Expr
	for _, a := range e.And {
		var ands []Expr
		for _, n := range a.Not {
			x, err := notExpr(n)
			if err != nil {
				return nil, err
			}
			ands = append(ands, x)
		}
		if len(ands) == 1 {
			ors = append(ors, ands[0])
		} else {
			ors = append(ors, &And{Args: ands})
		}
	}
	if len(ors) == 1 {
		return ors[0], nil
	}
	return &Or{Args: ors}, nil
}

func notExpr(n *esqlcheck.NotExpr) (Expr, error) {
	if n.Not != nil {
		x, err := notExpr(n.Not)
		if err != nil {
			return nil, err
		}
		return &Not{Arg: x}, nil
	}
	p := n.Pred
	left, err := value(p.Left)
	if err != nil {
		return nil, err
	}
	if len(p.Plus) > 0 {
		args := []Expr{left}
		for _, v := range p.Plus {
			x, err := value(v)
			if err != nil {
				return nil, err
			}
			args = append(args, x)
		}
		left = &Plus{Args: args}
	}
	switch {
	case p.Op != "":
		r, err := value(p.Right)
		if err != nil {
			return nil, err
		}
		return &Cmp{Op: p.Op, L: left, R: r}, nil
	case p.In != nil:
		in := &In{L: left, Neg: p.NotIn}
		for _, v := range p.In {
			x, err := value(v)
			if err != nil {
				return nil, err
			}
			in.List = append(in.List, x)
		}
		return in, nil
	case p.Like != nil || p.RLike != nil:
		s := p.Like
		if s == nil {
			s = p.RLike
		}
		pat, err := esqlcheck.Unquote(s.Raw)
		if err != nil {
			return nil, err
		}
		return &Like{L: left, Pattern: pat, Regex: p.RLike != nil, Neg: p.NotIn}, nil
	case p.IsNull != nil:
		return &IsNull{Arg: left, Neg: p.IsNull.Not}, nil
	}
	return left, nil
}

func value(v *esqlcheck.Value) (Expr, error) {
	switch {
	case v.Call != nil:
		c := &Call{Name: strings.ToUpper(v.Call.Name), Star: v.Call.Star}
		for _, a := range v.Call.Args {
			x, err := expr(a)
			if err != nil {
				return nil, err
			}
			c.Args = append(c.Args, x)
		}
		return c, nil
	case v.Field != nil:
		return &Field{Name: esqlcheck.FieldName(v.Field.Parts)}, nil
	case v.Paren != nil:
		return expr(v.Paren)
	case v.Lit != nil:
		return literal(v.Lit)
	}
	return nil, fmt.Errorf("esqlread: empty value")
}

func literal(l *esqlcheck.Literal) (Expr, error) {
	switch {
	case l.Null:
		return &Lit{Kind: LitNull}, nil
	case l.Str != nil:
		s, err := esqlcheck.Unquote(l.Str.Raw)
		if err != nil {
			return nil, err
		}
		return &Lit{Kind: LitString, Str: s, Raw: l.Str.Raw}, nil
	case l.Num != nil:
		raw := strings.ReplaceAll(*l.Num, " ", "")
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return nil, fmt.Errorf("esqlread: number %q: %v", raw, err)
		}
		return &Lit{Kind: LitNumber, Num: f, Raw: raw, Int: !strings.ContainsAny(raw, ".eE")}, nil
	case l.Bool != nil:
		return &Lit{Kind: LitBool, Bool: strings.EqualFold(*l.Bool, "true")}, nil
	case l.Span != nil:
		n, err := strconv.ParseInt(l.Span.N, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("esqlread: time span %q: %v", l.Span.N, err)
		}
		var unit time.Duration
		switch strings.ToLower(l.Span.Unit) {
		case "millisecond", "milliseconds", "ms":
			unit = time.Millisecond
		case "second", "seconds", "sec", "s":
			unit = time.Second
		case "minute", "minutes", "min":
			unit = time.Minute
		case "hour", "hours", "h":
			unit = time.Hour
		default:
			// Calendar units (day, week, month, ...) are DATE_PERIODs: DATE_TRUNC rounds them to
			// calendar boundaries, not epoch-aligned fixed intervals.
			return nil, fmt.Errorf("esqlread: time span unit %q is a calendar period, not a fixed duration", l.Span.Unit)
		}
		return &Lit{Kind: LitSpan, Span: time.Duration(n) * unit}, nil
	}
	return nil, fmt.Errorf("esqlread: empty literal")
}
