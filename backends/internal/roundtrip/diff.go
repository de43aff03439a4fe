package roundtrip

import (
	"fmt"
	"strconv"

	"github.com/entrasig/entrasig/translate"
)

// Diff compares the meaning of the IR (want) with the meaning read back from a backend's output
// (got), table by table, after Normalize. It returns "" when they agree, else a description of
// the first difference: the table, the two normalized predicates, and for string atoms a witness
// value that one side accepts and the other rejects.
func Diff(want, got Meaning) string {
	for i := range want {
		w, g := Normalize(orFalse(want[i])), Normalize(orFalse(got[i]))
		if d := diff(w, g); d != "" {
			name := translate.SignIn().Table(translate.TableID(i)).Name
			return fmt.Sprintf("%s: %s\n  want %s\n  got  %s", name, d, Format(w), Format(g))
		}
	}
	return ""
}

func orFalse(p Pred) Pred {
	if p == nil {
		return Const(false)
	}
	return p
}

// diff compares two normalized predicates; And/Or children are matched as multisets.
func diff(w, g Pred) string {
	switch w := w.(type) {
	case Const:
		if gc, ok := g.(Const); ok && gc == w {
			return ""
		}
	case *Not:
		if gn, ok := g.(*Not); ok {
			return diff(w.Arg, gn.Arg)
		}
	case *Atom:
		if ga, ok := g.(*Atom); ok {
			return atomDiff(w, ga)
		}
	case *And:
		if ga, ok := g.(*And); ok {
			return listDiff("and", w.Args, ga.Args)
		}
	case *Or:
		if ga, ok := g.(*Or); ok {
			return listDiff("or", w.Args, ga.Args)
		}
	}
	return fmt.Sprintf("structure differs: want %s, got %s", Format(w), Format(g))
}

func listDiff(op string, w, g []Pred) string {
	if len(w) != len(g) {
		return fmt.Sprintf("%s has %d operands, want %d", op, len(g), len(w))
	}
	used := make([]bool, len(g))
	for _, x := range w {
		found := false
		var first string
		for j, y := range g {
			if used[j] {
				continue
			}
			d := diff(x, y)
			if d == "" {
				used[j], found = true, true
				break
			}
			if first == "" || sameHead(x, y) {
				first = d
			}
		}
		if !found {
			return fmt.Sprintf("no operand of the %s matches %s (%s)", op, Format(x), first)
		}
	}
	return ""
}

// sameHead says whether two predicates test the same field with the same kind of atom, so the
// difference between them is the informative one.
func sameHead(x, y Pred) bool {
	if n, ok := x.(*Not); ok {
		x = n.Arg
		if m, ok := y.(*Not); ok {
			y = m.Arg
		}
	}
	a, ok1 := x.(*Atom)
	b, ok2 := y.(*Atom)
	return ok1 && ok2 && a.Field == b.Field && a.Kind == b.Kind
}

func atomDiff(w, g *Atom) string {
	if w.Field != g.Field || w.Kind != g.Kind {
		return fmt.Sprintf("%s differs from %s", g, w)
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
	switch w.Kind {
	case KindString, KindKeyword:
		eq, witness, inWant, err := Equivalent(w.Re, g.Re)
		if err != nil {
			return fmt.Sprintf("%s vs %s: %v", w, g, err)
		}
		if !eq {
			side := "the output accepts"
			if inWant {
				side = "the output rejects"
			}
			return fmt.Sprintf("%s: %s %q and the rule does not agree (output /%s/, rule /%s/)", w.Field, side, witness, g.Re, w.Re)
		}
	case KindNum:
		if w.Num != g.Num {
			return fmt.Sprintf("%s: number %s, want %s", w.Field, num(g.Num), num(w.Num))
		}
	case KindBool:
		if w.Bool != g.Bool {
			return fmt.Sprintf("%s: bool %t, want %t", w.Field, g.Bool, w.Bool)
		}
	case KindCmp, KindTime:
		if w.Op != g.Op || w.Num != g.Num || w.Part != g.Part {
			return fmt.Sprintf("%s differs from %s", g, w)
		}
	case KindCIDR:
		if w.Prefix.Masked() != g.Prefix.Masked() {
			return fmt.Sprintf("%s: prefix %s, want %s", w.Field, g.Prefix, w.Prefix)
		}
	case KindRef:
		if *w != *g {
			return fmt.Sprintf("%s differs from %s", g, w)
		}
	}
	return ""
}
