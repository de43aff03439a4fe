package splunk

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// renderWhere renders e as an eval boolean expression for `| where`. neg is true below a NOT: there
// every leaf is made two-valued (false, never null, when its field is absent).
func renderWhere(e translate.Expr, neg bool) (node, error) {
	switch e := e.(type) {
	case *translate.And:
		return whereJoin(e.Args, " AND ", opAnd, neg)
	case *translate.Or:
		return whereJoin(e.Args, " OR ", opOr, neg)
	case *translate.Not:
		n, err := renderWhere(e.Arg, true)
		if err != nil {
			return node{}, err
		}
		return node{s: "NOT " + wrap(n, opNot), op: opNot}, nil
	case *translate.Match:
		return whereMatch(e, neg)
	case *translate.Keyword:
		return node{}, keywordUnsupported(e)
	case *translate.Const:
		return node{}, fmt.Errorf("splunk: constant inside an expression (translation should have folded it)")
	}
	return node{}, fmt.Errorf("splunk: unknown expression %T", e)
}

func whereJoin(args []translate.Expr, sep string, op int, neg bool) (node, error) {
	ns := make([]node, len(args))
	for i, a := range args {
		n, err := renderWhere(a, neg)
		if err != nil {
			return node{}, err
		}
		ns[i] = n
	}
	return node{s: joinNodes(ns, sep, op), op: op}, nil
}

// whereTerm is one comparison of a leaf with the guard that makes it two-valued.
type whereTerm struct {
	guard string // e.g. isnotnull('f'); terms sharing a guard are ORed under it
	cond  string
	op    int
}

func whereField(m *translate.Match, f *translate.Field, name string) (string, error) {
	if strings.Contains(name, "{}") {
		return "", unsupported(m.Pos, "field "+f.Name+" in a where expression",
			"it is a multivalue field ("+name+") and eval comparisons on multivalue fields do not mean \"any element matches\"")
	}
	q, err := evalField(name)
	if err != nil {
		return "", fmt.Errorf("splunk: %w", err)
	}
	return q, nil
}

// whereMatch renders one Match for `| where`.
func whereMatch(m *translate.Match, neg bool) (node, error) {
	if m.TimePart != "" {
		return node{}, timeUnsupported(m)
	}
	name, err := splunkName(m, m.Field)
	if err != nil {
		return node{}, err
	}
	F, err := whereField(m, m.Field, name)
	if err != nil {
		return node{}, err
	}
	var terms []whereTerm
	switch m.Op {
	case translate.OpNull:
		// null, absent or the empty string (two-valued: coalesce is never null here)
		return node{s: "coalesce(" + F + `, "")==""`, op: opAtom}, nil
	case translate.OpExists:
		return node{s: "NOT coalesce(" + F + `, "")==""`, op: opNot}, nil
	case translate.OpEq:
		for _, v := range m.Values {
			t, err := whereEq(m, v, name, F)
			if err != nil {
				return node{}, err
			}
			terms = append(terms, t)
		}
	case translate.OpRegex:
		for _, v := range m.Values {
			re, err := regexSafe(v.Regex)
			if err != nil {
				return node{}, unsupported(v.Pos, "re", err.Error())
			}
			flags := v.RegexFlags()
			if flags != "" {
				re = "(?" + flags + ")" + re
			}
			re = dollarEndOnly(re)
			lit, err := evalString(re)
			if err != nil {
				return node{}, unsupported(v.Pos, "re", err.Error())
			}
			terms = append(terms, whereTerm{guard: "isnotnull(" + F + ")", cond: "match(" + F + ", " + lit + ")"})
		}
	case translate.OpCIDR:
		for _, v := range m.Values {
			terms = append(terms, whereTerm{guard: "isnotnull(" + F + ")",
				cond: `cidrmatch("` + v.Prefix.Masked().String() + `", ` + F + ")"})
		}
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		if len(m.Values) != 1 {
			return node{}, fmt.Errorf("splunk: numeric comparison needs one value")
		}
		if n := numericName(m.Field, name); n != "" {
			nf, err := whereField(m, m.Field, n)
			if err != nil {
				return node{}, err
			}
			terms = append(terms, whereTerm{guard: "isnotnull(" + nf + ")", cond: nf + m.Op.Symbol() + number(m.Values[0])})
		} else {
			// A text field: compare its numeric reading; a value that is not a number never matches.
			tn := "tonumber(" + F + ")"
			terms = append(terms, whereTerm{guard: "isnotnull(" + tn + ")", cond: tn + m.Op.Symbol() + number(m.Values[0])})
		}
	case translate.OpFieldRef:
		if m.Ref == nil {
			return node{}, fmt.Errorf("splunk: fieldref without a referenced field")
		}
		if m.RefPrefix || m.RefSuffix {
			return node{}, unsupported(m.Pos, "fieldref with contains/startswith/endswith",
				"eval has no substring test against another field's value that is exact for every value")
		}
		rn, err := splunkName(m, m.Ref)
		if err != nil {
			return node{}, err
		}
		R, err := whereField(m, m.Ref, rn)
		if err != nil {
			return node{}, err
		}
		cond := "lower(" + F + ")==lower(" + R + ")"
		if m.Cased {
			cond = F + "==" + R
		}
		terms = append(terms, whereTerm{guard: "isnotnull(" + F + ") AND isnotnull(" + R + ")", cond: cond})
	default:
		return node{}, fmt.Errorf("splunk: unknown operator %v", m.Op)
	}
	if len(terms) == 0 {
		return node{}, fmt.Errorf("splunk: %v match without values", m.Op)
	}
	return combineTerms(terms, neg), nil
}

// combineTerms ORs the terms of one leaf; below a NOT each group of terms sharing a guard is ANDed
// with its guard so the leaf is never null.
func combineTerms(terms []whereTerm, neg bool) node {
	var guards []string
	byGuard := map[string][]node{} // lookup only; order from guards
	for _, t := range terms {
		g := t.guard
		if !neg {
			g = ""
		}
		if _, seen := byGuard[g]; !seen {
			guards = append(guards, g)
		}
		byGuard[g] = append(byGuard[g], node{s: t.cond, op: t.op})
	}
	var alts []node
	for _, g := range guards {
		cs := byGuard[g]
		inner := node{s: joinNodes(cs, " OR ", opOr), op: opAtom}
		if len(cs) > 1 {
			inner.op = opOr
		}
		if g == "" {
			alts = append(alts, inner)
			continue
		}
		alts = append(alts, node{s: g + " AND " + wrap(inner, opAnd), op: opAnd})
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return node{s: joinNodes(alts, " OR ", opOr), op: opOr}
}

// whereEq renders one equality operand.
func whereEq(m *translate.Match, v translate.Value, name, F string) (whereTerm, error) {
	guard := "isnotnull(" + F + ")"
	switch {
	case isNumberKind(v):
		if n := numericName(m.Field, name); n != "" && (numericType(m.Field) || canonicalInt(v.Raw)) {
			nf, err := whereField(m, m.Field, n)
			if err != nil {
				return whereTerm{}, err
			}
			return whereTerm{guard: "isnotnull(" + nf + ")", cond: nf + "==" + number(v)}, nil
		}
		return matchTerm(F, guard, []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}, m.Cased)
	case v.Kind == rules.ValBool:
		text := "false"
		if v.Bool {
			text = "true"
		}
		return matchTerm(F, guard, []rules.Segment{{Kind: rules.SegLit, Text: text}}, false)
	}
	shape, lit := translate.Classify(v.Segs)
	if shape == translate.ShapeExact && m.Field.Splunk.NumericName != "" && canonicalInt(lit) {
		nf, err := whereField(m, m.Field, m.Field.Splunk.NumericName)
		if err != nil {
			return whereTerm{}, err
		}
		return whereTerm{guard: "isnotnull(" + nf + ")", cond: nf + "==" + lit}, nil
	}
	if shape == translate.ShapeAny {
		return whereTerm{guard: guard, cond: "isnotnull(" + F + ")"}, nil
	}
	for _, s := range v.Segs {
		if s.Kind == rules.SegPlaceholder {
			return whereTerm{}, unsupported(v.Pos, "placeholder %"+s.Text+"%", "placeholders must be expanded before translation")
		}
	}
	return matchTerm(F, guard, v.Segs, m.Cased)
}

// matchTerm is an exact, anchored PCRE test of a Sigma pattern: `(?s)` so `.` also matches line
// breaks, `^...\z` (not `$`, which also matches before a final newline), and unless cased every
// letter with case variants written as the class of its translate.FoldSet (`[Kk]`, `[Éé]`), the
// classes translate.FoldPatternRegex writes. Not `(?i)`: PCRE2 in UTF mode folds k with the Kelvin
// sign and s with the long s, which Sigma's case-insensitivity (translate.FoldEq) does not.
func matchTerm(F, guard string, segs []rules.Segment, cased bool) (whereTerm, error) {
	var b strings.Builder
	b.WriteString("(?s)^")
	for _, s := range segs {
		switch s.Kind {
		case rules.SegLit:
			if cased {
				b.WriteString(regexLiteral(s.Text))
			} else {
				b.WriteString(regexFoldLiteral(s.Text))
			}
		case rules.SegStar:
			b.WriteString(".*")
		case rules.SegQuestion:
			b.WriteString(".")
		}
	}
	b.WriteString(`\z`)
	lit, err := evalString(b.String())
	if err != nil {
		return whereTerm{}, fmt.Errorf("splunk: %w", err)
	}
	return whereTerm{guard: guard, cond: "match(" + F + ", " + lit + ")"}, nil
}
