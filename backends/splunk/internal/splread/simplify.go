package splread

import (
	"regexp"
	"strings"

	"github.com/entrasig/entrasig/backends/internal/roundtrip"
)

// globPattern is the full-match regex of a search-command value: `*` matches any run of
// characters (the only wildcard of the search command), everything else literally, an ASCII letter
// also matching its other ASCII case and nothing else. Splunk documents search values as
// case-insensitive ("if you search for Error, any case of that term is returned, such as Error,
// error, and ERROR") and says nothing about characters beyond ASCII; assumed: only ASCII letters
// fold, each with its ASCII partner (never the Kelvin sign or the long s), and every other
// character matches only itself. The backend keeps values with non-ASCII letters out of the
// search command, so its output means the same if Splunk also folds them.
func globPattern(v string) string {
	var b strings.Builder
	b.WriteString("(?s)")
	for _, r := range v {
		switch {
		case r == '*':
			b.WriteString(".*")
		case 'a' <= r && r <= 'z':
			b.WriteString("[" + string(r-'a'+'A') + string(r) + "]")
		case 'A' <= r && r <= 'Z':
			b.WriteString("[" + string(r) + string(r-'A'+'a') + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	return b.String()
}

func globFold(v string) *regexp.Regexp {
	return regexp.MustCompile(`^(?:` + globPattern(v) + `)\z`)
}

// finish puts a read-back predicate in negation normal form, removes the domain guards that a
// sibling test implies (exact under two-valued atoms, which are false on a null field) and turns
// the guards that remain into plain atoms.
func finish(p roundtrip.Pred) roundtrip.Pred {
	p = nnf(p, false)
	for {
		q := simplify(p)
		if roundtrip.Format(q) == roundtrip.Format(p) {
			break
		}
		p = q
	}
	return unmark(p)
}

func nnf(p roundtrip.Pred, neg bool) roundtrip.Pred {
	switch p := p.(type) {
	case roundtrip.Const:
		return roundtrip.Const(bool(p) != neg)
	case *roundtrip.Not:
		return nnf(p.Arg, !neg)
	case *roundtrip.Atom:
		if neg {
			return &roundtrip.Not{Arg: p}
		}
		return p
	case *roundtrip.And:
		return junction(p.Args, !neg, neg)
	case *roundtrip.Or:
		return junction(p.Args, neg, neg)
	}
	return p
}

func junction(in []roundtrip.Pred, isAnd, neg bool) roundtrip.Pred {
	var args []roundtrip.Pred
	for _, a := range in {
		a = nnf(a, neg)
		switch a := a.(type) {
		case roundtrip.Const:
			if bool(a) == isAnd {
				continue
			}
			return a
		case *roundtrip.And:
			if isAnd {
				args = append(args, a.Args...)
				continue
			}
		case *roundtrip.Or:
			if !isAnd {
				args = append(args, a.Args...)
				continue
			}
		}
		args = append(args, a)
	}
	switch len(args) {
	case 0:
		return roundtrip.Const(isAnd)
	case 1:
		return args[0]
	}
	if isAnd {
		return &roundtrip.And{Args: args}
	}
	return &roundtrip.Or{Args: args}
}

// domain returns the guard an atom stands for (present or number), or nil.
func domain(p roundtrip.Pred) *roundtrip.Atom {
	if a, ok := p.(*roundtrip.Atom); ok && (a.Part == partPresent || a.Part == partNumber) {
		return a
	}
	return nil
}

// implies reports whether p (two-valued, in NNF) is true only when the guard d holds.
func implies(p roundtrip.Pred, d *roundtrip.Atom) bool {
	switch p := p.(type) {
	case *roundtrip.Atom:
		if d.Part == partNumber {
			return p.Field == d.Field && (p.Kind == roundtrip.KindCmp || p.Kind == roundtrip.KindNum)
		}
		switch p.Kind {
		case roundtrip.KindString, roundtrip.KindNum, roundtrip.KindBool, roundtrip.KindCmp, roundtrip.KindCIDR:
			return p.Field == d.Field
		case roundtrip.KindRef:
			return p.Field == d.Field || p.Ref == d.Field
		}
	case *roundtrip.Not:
		// not(null or empty) means a non-empty value
		if a, ok := p.Arg.(*roundtrip.Atom); ok && a.Kind == roundtrip.KindNull && d.Part == partPresent {
			return a.Field == d.Field
		}
	case *roundtrip.And:
		for _, a := range p.Args {
			if implies(a, d) {
				return true
			}
		}
	case *roundtrip.Or:
		for _, a := range p.Args {
			if !implies(a, d) {
				return false
			}
		}
		return len(p.Args) > 0
	}
	return false
}

func sameGuard(a, b *roundtrip.Atom) bool { return a.Part == b.Part && a.Field == b.Field }

// simplify applies, bottom-up: in an And, drop a guard another conjunct implies (g ∧ x = x when
// x ⊨ g); in an Or holding ¬g, drop g from And disjuncts (¬g ∨ (g ∧ q) = ¬g ∨ q) and drop ¬g when
// another disjunct ¬x has x ⊨ g (¬g ⊨ ¬x); in an And, drop an Or conjunct one of whose disjuncts
// is made of the And's other conjuncts (absorption: a ∧ (a ∨ b) = a).
func simplify(p roundtrip.Pred) roundtrip.Pred {
	switch p := p.(type) {
	case *roundtrip.And:
		args := make([]roundtrip.Pred, 0, len(p.Args))
		for _, a := range p.Args {
			args = append(args, simplify(a))
		}
		var out []roundtrip.Pred
		for i, a := range args {
			if g := domain(a); g != nil {
				drop := false
				for j, b := range args {
					if j != i && implies(b, g) && !(domain(b) != nil && sameGuard(domain(b), g) && j > i) {
						drop = true
					}
				}
				if drop {
					continue
				}
			}
			if o, ok := a.(*roundtrip.Or); ok && absorbed(o, args, i) {
				continue
			}
			out = append(out, a)
		}
		return nnf(&roundtrip.And{Args: dedup(out)}, false)
	case *roundtrip.Or:
		args := make([]roundtrip.Pred, 0, len(p.Args))
		for _, a := range p.Args {
			args = append(args, simplify(a))
		}
		var negGuards []*roundtrip.Atom
		for _, a := range args {
			if n, ok := a.(*roundtrip.Not); ok {
				if g := domain(n.Arg); g != nil {
					negGuards = append(negGuards, g)
				}
			}
		}
		var out []roundtrip.Pred
		for i, a := range args {
			if n, ok := a.(*roundtrip.Not); ok {
				if g := domain(n.Arg); g != nil {
					drop := false
					for j, b := range args {
						if nb, ok := b.(*roundtrip.Not); ok && j != i && implies(nb.Arg, g) && !(domain(nb.Arg) != nil && sameGuard(domain(nb.Arg), g) && j > i) {
							drop = true
						}
						// ¬g ⊨ null(f) for the presence guard
						if nb, ok := b.(*roundtrip.Atom); ok && j != i && nb.Kind == roundtrip.KindNull && nb.Field == g.Field && g.Part == partPresent {
							drop = true
						}
					}
					if drop {
						continue
					}
				}
			}
			if and, ok := a.(*roundtrip.And); ok && len(negGuards) > 0 {
				var keep []roundtrip.Pred
				for _, c := range and.Args {
					if g := domain(c); g != nil && hasGuard(negGuards, g) {
						continue
					}
					keep = append(keep, c)
				}
				a = nnf(&roundtrip.And{Args: keep}, false)
			}
			out = append(out, a)
		}
		return nnf(&roundtrip.Or{Args: dedup(out)}, false)
	}
	return p
}

func hasGuard(gs []*roundtrip.Atom, g *roundtrip.Atom) bool {
	for _, x := range gs {
		if sameGuard(x, g) {
			return true
		}
	}
	return false
}

// absorbed reports whether some disjunct of o is implied by the other conjuncts of args (every
// one of its conjuncts is, textually, one of them).
func absorbed(o *roundtrip.Or, args []roundtrip.Pred, self int) bool {
	have := map[string]bool{}
	for j, a := range args {
		if j == self {
			continue
		}
		for _, c := range conjuncts(a) {
			have[roundtrip.Format(c)] = true
		}
	}
	for _, d := range o.Args {
		all := true
		for _, c := range conjuncts(d) {
			if !have[roundtrip.Format(c)] {
				all = false
			}
		}
		if all {
			return true
		}
	}
	return false
}

func conjuncts(p roundtrip.Pred) []roundtrip.Pred {
	if a, ok := p.(*roundtrip.And); ok {
		return a.Args
	}
	return []roundtrip.Pred{p}
}

// unmark turns the guards left into atoms: "has a value" is a match of any string.
func unmark(p roundtrip.Pred) roundtrip.Pred {
	switch p := p.(type) {
	case *roundtrip.And:
		for i, a := range p.Args {
			p.Args[i] = unmark(a)
		}
	case *roundtrip.Or:
		for i, a := range p.Args {
			p.Args[i] = unmark(a)
		}
	case *roundtrip.Not:
		p.Arg = unmark(p.Arg)
	case *roundtrip.Atom:
		if p.Part == partPresent {
			return &roundtrip.Atom{Field: p.Field, Kind: roundtrip.KindString, Re: anyRe()}
		}
	}
	return p
}

// dedup drops operands equal to an earlier one (x ∧ x = x, x ∨ x = x).
func dedup(ps []roundtrip.Pred) []roundtrip.Pred {
	seen := map[string]bool{}
	var out []roundtrip.Pred
	for _, p := range ps {
		k := roundtrip.Format(p)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}
