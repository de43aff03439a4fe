package roundtrip

import (
	"fmt"
	"regexp/syntax"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Meaning is a query's filter per sign-in table, indexed by translate.TableID: Const(false) for a
// table the query does not read.
type Meaning [4]Pred

// FromQuery is the meaning of a translated detection query: each Leg's predicate on its table,
// false on the others. Correlations have no single filter (nil, false).
func FromQuery(q *translate.Query) (Meaning, error) {
	var m Meaning
	for i := range m {
		m[i] = Const(false)
	}
	if q.Correlation != nil {
		return m, fmt.Errorf("roundtrip: %s is a correlation", q.Path)
	}
	for _, leg := range q.Legs {
		p, err := FromExpr(leg.Where)
		if err != nil {
			return m, err
		}
		m[leg.Table.ID] = p
	}
	return m, nil
}

// FromExpr is the Pred of an IR expression: a Match with several values is the Or of one Atom
// per value, `exists` is not-null, and every string test becomes a full-match regex.
func FromExpr(e translate.Expr) (Pred, error) {
	switch e := e.(type) {
	case *translate.And:
		args, err := fromList(e.Args)
		return &And{Args: args}, err
	case *translate.Or:
		args, err := fromList(e.Args)
		return &Or{Args: args}, err
	case *translate.Not:
		a, err := FromExpr(e.Arg)
		return &Not{Arg: a}, err
	case *translate.Const:
		return Const(e.Value), nil
	case *translate.Keyword:
		var args []Pred
		for _, v := range e.Values {
			args = append(args, &Atom{Kind: KindKeyword, Re: PatternRegex(v.Segs, e.Cased)})
		}
		return or(args), nil
	case *translate.Match:
		return fromMatch(e)
	}
	return nil, fmt.Errorf("roundtrip: unknown IR node %T", e)
}

func fromList(es []translate.Expr) ([]Pred, error) {
	out := make([]Pred, 0, len(es))
	for _, e := range es {
		p, err := FromExpr(e)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func or(args []Pred) Pred {
	if len(args) == 1 {
		return args[0]
	}
	return &Or{Args: args}
}

func fromMatch(m *translate.Match) (Pred, error) {
	name := m.Field.Name
	switch m.Op {
	case translate.OpNull:
		return &Atom{Field: name, Kind: KindNull}, nil
	case translate.OpExists:
		return &Not{Arg: &Atom{Field: name, Kind: KindNull}}, nil
	case translate.OpFieldRef:
		return &Atom{Field: name, Kind: KindRef, Ref: m.Ref.Name, Cased: m.Cased, RefPrefix: m.RefPrefix, RefSuffix: m.RefSuffix}, nil
	}
	var args []Pred
	for _, v := range m.Values {
		a, err := fromValue(m, v)
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	return or(args), nil
}

func fromValue(m *translate.Match, v translate.Value) (*Atom, error) {
	name := m.Field.Name
	if m.TimePart != "" {
		return &Atom{Field: name, Kind: KindTime, Part: m.TimePart, Op: m.Op, Num: v.Num}, nil
	}
	switch m.Op {
	case translate.OpEq:
		switch v.Kind {
		case rules.ValInt, rules.ValFloat:
			if m.Field.Type == translate.TypeLong || m.Field.Type == translate.TypeReal {
				return &Atom{Field: name, Kind: KindNum, Num: v.Num}, nil
			}
			return &Atom{Field: name, Kind: KindString, Re: LiteralRegex(v.Raw, false)}, nil
		case rules.ValBool:
			if m.Field.Type == translate.TypeBool {
				return &Atom{Field: name, Kind: KindBool, Bool: v.Bool}, nil
			}
			return &Atom{Field: name, Kind: KindString, Re: LiteralRegex(v.Raw, true)}, nil
		}
		return &Atom{Field: name, Kind: KindString, Re: PatternRegex(v.Segs, m.Cased)}, nil
	case translate.OpRegex:
		re, err := SearchRegex(v.Regex, v.RegexFlags())
		if err != nil {
			return nil, fmt.Errorf("roundtrip: regex %q: %w", v.Regex, err)
		}
		return &Atom{Field: name, Kind: KindString, Re: re}, nil
	case translate.OpCIDR:
		return &Atom{Field: name, Kind: KindCIDR, Prefix: v.Prefix.Masked()}, nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		return &Atom{Field: name, Kind: KindCmp, Op: m.Op, Num: v.Num}, nil
	}
	return nil, fmt.Errorf("roundtrip: unknown op %v", m.Op)
}

// Normalize puts p in a canonical shape that backends' documented boolean rewrites do not change:
// negation pushed down to atoms (De Morgan), nested And/Or flattened, constants folded, and the
// positive string atoms of one field under an Or (negated ones under an And) merged into one
// regex alternation, so `f in ("a","b")`, `f == "a" or f == "b"` and `f matches "a|b"` agree.
func Normalize(p Pred) Pred { return norm(p, false) }

func norm(p Pred, neg bool) Pred {
	switch p := p.(type) {
	case Const:
		return Const(bool(p) != neg)
	case *Not:
		return norm(p.Arg, !neg)
	case *Atom:
		if neg {
			return &Not{Arg: p}
		}
		return p
	case *And:
		return junction(p.Args, !neg, neg)
	case *Or:
		return junction(p.Args, neg, neg)
	}
	panic(fmt.Sprintf("roundtrip: unknown Pred %T", p))
}

// junction normalizes args (each negated when neg) joined by and (isAnd) or or.
func junction(in []Pred, isAnd, neg bool) Pred {
	var args []Pred
	for _, a := range in {
		a = norm(a, neg)
		switch a := a.(type) {
		case Const:
			if bool(a) == isAnd {
				continue // neutral element
			}
			return a // absorbing element
		case *And:
			if isAnd {
				args = append(args, a.Args...)
				continue
			}
		case *Or:
			if !isAnd {
				args = append(args, a.Args...)
				continue
			}
		}
		args = append(args, a)
	}
	args = mergeStrings(args, isAnd)
	switch len(args) {
	case 0:
		return Const(isAnd)
	case 1:
		return args[0]
	}
	if isAnd {
		return &And{Args: args}
	}
	return &Or{Args: args}
}

// mergeStrings merges, under an Or, the positive KindString atoms of each field into one atom
// (alternation), and under an And the negated ones into one negated atom; the merged atom takes
// the place of the field's first one.
func mergeStrings(args []Pred, isAnd bool) []Pred {
	strAtom := func(p Pred) *Atom {
		if isAnd {
			if n, ok := p.(*Not); ok {
				p = n.Arg
			} else {
				return nil
			}
		}
		if a, ok := p.(*Atom); ok && a.Kind == KindString {
			return a
		}
		return nil
	}
	first := map[string]int{}
	var out []Pred
	for _, p := range args {
		a := strAtom(p)
		if a == nil {
			out = append(out, p)
			continue
		}
		i, ok := first[a.Field]
		if !ok {
			first[a.Field] = len(out)
			out = append(out, p)
			continue
		}
		prev := strAtom(out[i])
		merged := &Atom{Field: a.Field, Kind: KindString,
			Re: &syntax.Regexp{Op: syntax.OpAlternate, Sub: []*syntax.Regexp{prev.Re, a.Re}}}
		if isAnd {
			out[i] = &Not{Arg: merged}
		} else {
			out[i] = merged
		}
	}
	return out
}
