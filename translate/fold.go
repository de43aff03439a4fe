package translate

import (
	"strconv"
	"strings"

	"github.com/entrasig/entrasig/rules"
)

// fold replaces every Match on a field the table lacks by the constant Sigma gives a missing
// field: `null` is true, everything else (equality, exists, regex, comparisons, a field reference
// with either side absent) is false. Negation is kept, so `neq` and `exists: false` become true.
// The input is not modified.
func fold(e Expr, t TableID) Expr {
	switch e := e.(type) {
	case *And:
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = fold(a, t)
		}
		return &And{Args: args}
	case *Or:
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = fold(a, t)
		}
		return &Or{Args: args}
	case *Not:
		return &Not{Arg: fold(e.Arg, t)}
	case *Match:
		if !e.Field.Tables.Has(t) {
			return &Const{Value: e.Op == OpNull}
		}
		if e.Ref != nil && !e.Ref.Tables.Has(t) {
			return &Const{Value: false}
		}
	}
	return e
}

// simplify flattens nested And/Or, drops neutral constants, collapses absorbing ones and
// single-child nodes, and removes double negation. It never reorders children and does not modify
// its input.
func simplify(e Expr) Expr {
	switch e := e.(type) {
	case *And, *Or:
		_, isAnd := e.(*And)
		var in []Expr
		if isAnd {
			in = e.(*And).Args
		} else {
			in = e.(*Or).Args
		}
		var args []Expr
		for _, a := range in {
			a = simplify(a)
			if c, ok := a.(*Const); ok {
				if c.Value == isAnd {
					continue // true in And, false in Or: neutral
				}
				return &Const{Value: !isAnd} // false in And, true in Or: absorbing
			}
			if isAnd {
				if inner, ok := a.(*And); ok {
					args = append(args, inner.Args...)
					continue
				}
			} else if inner, ok := a.(*Or); ok {
				args = append(args, inner.Args...)
				continue
			}
			args = append(args, a)
		}
		switch len(args) {
		case 0:
			return &Const{Value: isAnd}
		case 1:
			return args[0]
		}
		if isAnd {
			return &And{Args: args}
		}
		return &Or{Args: args}
	case *Not:
		a := simplify(e.Arg)
		switch a := a.(type) {
		case *Const:
			return &Const{Value: !a.Value}
		case *Not:
			return a.Arg
		}
		return &Not{Arg: a}
	}
	return e
}

// Format renders an expression on one line, canonically: and(...), or(...), not(...), true,
// false; a Match as op(Field, values) with `/cased` after a case-sensitive op, time parts as
// hour(Field), regex flags after the pattern (/i, /m, /s), field references as fieldref(A, *B*);
// a Keyword as keyword(values). String patterns print literal text Go-quoted with bare * and ?
// wildcards (*"azure"*), numbers and booleans bare, so value kinds stay visible.
func Format(e Expr) string {
	var b strings.Builder
	format(&b, e)
	return b.String()
}

func format(b *strings.Builder, e Expr) {
	list := func(name string, args []Expr) {
		b.WriteString(name)
		b.WriteByte('(')
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			format(b, a)
		}
		b.WriteByte(')')
	}
	switch e := e.(type) {
	case *And:
		list("and", e.Args)
	case *Or:
		list("or", e.Args)
	case *Not:
		list("not", []Expr{e.Arg})
	case *Const:
		b.WriteString(strconv.FormatBool(e.Value))
	case *Keyword:
		b.WriteString("keyword")
		if e.Cased {
			b.WriteString("/cased")
		}
		b.WriteByte('(')
		for i, v := range e.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			formatValue(b, OpEq, v)
		}
		b.WriteByte(')')
	case *Match:
		b.WriteString(e.Op.String())
		if e.Cased {
			b.WriteString("/cased")
		}
		b.WriteByte('(')
		if e.TimePart != "" {
			b.WriteString(e.TimePart + "(" + e.Field.Name + ")")
		} else {
			b.WriteString(e.Field.Name)
		}
		if e.Op == OpFieldRef {
			b.WriteString(", ")
			if e.RefPrefix {
				b.WriteByte('*')
			}
			if e.Ref != nil {
				b.WriteString(e.Ref.Name)
			}
			if e.RefSuffix {
				b.WriteByte('*')
			}
		}
		for _, v := range e.Values {
			b.WriteString(", ")
			formatValue(b, e.Op, v)
		}
		b.WriteByte(')')
	case nil:
		b.WriteString("<nil>")
	default:
		b.WriteString("<?>")
	}
}

func formatValue(b *strings.Builder, op Op, v Value) {
	switch op {
	case OpRegex:
		b.WriteString(strconv.Quote(v.Regex))
		flags := v.RegexFlags()
		if flags != "" {
			b.WriteString("/" + flags)
		}
		return
	case OpCIDR:
		b.WriteString(v.Prefix.String())
		return
	case OpLt, OpLte, OpGt, OpGte:
		b.WriteString(v.Raw)
		return
	}
	if v.Kind != rules.ValString {
		b.WriteString(v.Raw)
		return
	}
	if len(v.Segs) == 0 {
		b.WriteString(`""`)
		return
	}
	for _, s := range v.Segs {
		switch s.Kind {
		case rules.SegStar:
			b.WriteByte('*')
		case rules.SegQuestion:
			b.WriteByte('?')
		case rules.SegLit:
			b.WriteString(strconv.Quote(s.Text))
		default:
			b.WriteString("%" + s.Text + "%")
		}
	}
}

// GroupLegs groups the legs of q whose folded predicates are identical (by Format), in table
// order of each group's first leg. Backends that select tables by a category value emit one
// `category IN (...)` group per distinct predicate.
func GroupLegs(q *Query) [][]Leg {
	var groups [][]Leg
	var keys []string
	for _, leg := range q.Legs {
		k := Format(leg.Where)
		found := false
		for i := range keys {
			if keys[i] == k {
				groups[i] = append(groups[i], leg)
				found = true
				break
			}
		}
		if !found {
			keys = append(keys, k)
			groups = append(groups, []Leg{leg})
		}
	}
	return groups
}
