package splunk

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// renderSearch renders e for the search command. ok is false when some node cannot be expressed
// there exactly (the caller then uses `| where`); err is set for what Splunk cannot express at all.
func renderSearch(e translate.Expr) (node, bool, error) {
	switch e := e.(type) {
	case *translate.And:
		return searchJoin(e.Args, " AND ", opAnd)
	case *translate.Or:
		return searchJoin(e.Args, " OR ", opOr)
	case *translate.Not:
		n, ok, err := renderSearch(e.Arg)
		if err != nil || !ok {
			return node{}, ok, err
		}
		// NOT in the search command also selects events without the field: Sigma's meaning.
		return node{s: "NOT " + wrap(n, opNot), op: opNot}, true, nil
	case *translate.Match:
		return searchMatch(e)
	case *translate.Keyword:
		return node{}, false, keywordUnsupported(e)
	case *translate.Const:
		return node{}, false, fmt.Errorf("splunk: constant inside an expression (translation should have folded it)")
	}
	return node{}, false, fmt.Errorf("splunk: unknown expression %T", e)
}

func keywordUnsupported(k *translate.Keyword) error {
	return unsupported(k.Pos, "keyword search",
		"Splunk matches keywords against indexed terms of the raw JSON text (escaped, keys included), not as substrings of field values; use a field match instead")
}

func searchJoin(args []translate.Expr, sep string, op int) (node, bool, error) {
	ns := make([]node, 0, len(args))
	allOK := true
	for _, a := range args {
		n, ok, err := renderSearch(a)
		if err != nil {
			return node{}, false, err
		}
		if !ok {
			allOK = false // keep going: a later node may be an error, which wins
			continue
		}
		ns = append(ns, n)
	}
	if !allOK {
		return node{}, false, nil
	}
	return node{s: joinNodes(ns, sep, op), op: op}, true, nil
}

// searchMatch renders one Match for the search command.
func searchMatch(m *translate.Match) (node, bool, error) {
	if m.TimePart != "" {
		return node{}, false, timeUnsupported(m)
	}
	name, err := splunkName(m, m.Field)
	if err != nil {
		return node{}, false, err
	}
	switch m.Op {
	case translate.OpNull, translate.OpExists:
		// Sigma's null is "absent, JSON null or the empty string". `f=*` in the search command says
		// nothing documented about an empty value, so both tests go to `| where` (coalesce), where
		// they are exact whether Splunk extracts "" as an empty value or not at all.
		if strings.Contains(name, "{}") {
			return node{}, false, unsupported(m.Pos, m.Op.String()+" on field "+m.Field.Name,
				"the add-on extracts the array's elements as a multivalue field ("+name+"); an empty array has no field, while the column's JSON text \"[]\" is a value")
		}
		return node{}, false, nil
	case translate.OpEq:
		if m.Cased || len(m.Values) == 0 {
			return node{}, false, nil
		}
		var fields []string
		byField := map[string][]string{} // lookup only; order from fields
		for _, v := range m.Values {
			f, text, ok := searchEqValue(m.Field, name, v)
			if !ok {
				return node{}, false, nil
			}
			if _, seen := byField[f]; !seen {
				fields = append(fields, f)
			}
			byField[f] = append(byField[f], text)
		}
		var terms []node
		for _, f := range fields {
			vs := byField[f]
			if len(vs) == 1 {
				terms = append(terms, node{s: f + "=" + vs[0], op: opAtom})
			} else {
				terms = append(terms, node{s: f + " IN (" + strings.Join(vs, ", ") + ")", op: opAtom})
			}
		}
		if len(terms) == 1 {
			return terms[0], true, nil
		}
		return node{s: joinNodes(terms, " OR ", opOr), op: opOr}, true, nil
	case translate.OpCIDR:
		if len(m.Values) == 0 {
			return node{}, false, fmt.Errorf("splunk: cidr match without values")
		}
		// The search command matches IPv4 and IPv6 CIDR notation against a field's value.
		terms := make([]node, len(m.Values))
		for i, v := range m.Values {
			terms[i] = node{s: name + "=" + v.Prefix.Masked().String(), op: opAtom}
		}
		if len(terms) == 1 {
			return terms[0], true, nil
		}
		return node{s: joinNodes(terms, " OR ", opOr), op: opOr}, true, nil
	case translate.OpLt, translate.OpLte, translate.OpGt, translate.OpGte:
		f := numericName(m.Field, name)
		if f == "" || len(m.Values) != 1 {
			return node{}, false, nil
		}
		return node{s: f + m.Op.Symbol() + number(m.Values[0]), op: opAtom}, true, nil
	case translate.OpRegex, translate.OpFieldRef:
		return node{}, false, nil
	}
	return node{}, false, fmt.Errorf("splunk: unknown operator %v", m.Op)
}

func timeUnsupported(m *translate.Match) error {
	return unsupported(m.Pos, "time modifier "+m.TimePart,
		"Splunk keeps the event time as _time (epoch seconds); the date-time part in Sigma's time zone is not rendered")
}

// numericName is the Splunk field that holds the value as a number, or "".
func numericName(f *translate.Field, name string) string {
	switch {
	case f.Splunk.Numeric:
		return name
	case f.Splunk.NumericName != "":
		return f.Splunk.NumericName
	}
	return ""
}

// searchEqValue renders one equality operand for the search command: the field to compare and the
// value text. ok is false when the value needs `| where`.
func searchEqValue(f *translate.Field, name string, v translate.Value) (string, string, bool) {
	switch {
	case isNumberKind(v):
		// A number on a numeric column is that number; on a text column it is its text as written
		// ("00429" is not 429), so the numeric twin serves only canonical integers.
		if n := numericName(f, name); n != "" && (numericType(f) || canonicalInt(v.Raw)) {
			return n, number(v), true
		}
		q, ok := searchQuoted(v.Raw)
		return name, `"` + q + `"`, ok && v.Raw != ""
	case v.Kind == rules.ValBool:
		if v.Bool {
			return name, "true", true
		}
		return name, "false", true
	}
	shape, lit := translate.Classify(v.Segs)
	if shape == translate.ShapeExact && f.Splunk.NumericName != "" && canonicalInt(lit) {
		return f.Splunk.NumericName, lit, true
	}
	switch shape {
	case translate.ShapeAny:
		return name, "*", true
	case translate.ShapeExact:
		if lit == "" {
			return "", "", false // the empty string: exact only in where
		}
	}
	if shape == translate.ShapeExact && splcheck.CIDRLike(lit) {
		// the search command reads a value in CIDR notation as an address range, quoted or not
		return "", "", false
	}
	var b strings.Builder
	b.WriteByte('"')
	for i, s := range v.Segs {
		switch s.Kind {
		case rules.SegStar:
			if i > 0 && i < len(v.Segs)-1 {
				// "Wildcard characters in the middle of a word or string might cause inconsistent
				// results" (Search Manual, Wildcards): an inner `*` goes to `| where`
				return "", "", false
			}
			b.WriteByte('*')
		case rules.SegLit:
			q, ok := searchQuoted(s.Text)
			if !ok {
				return "", "", false
			}
			b.WriteString(q)
		default: // `?` (no single-character wildcard in the search command) or a placeholder
			return "", "", false
		}
	}
	b.WriteByte('"')
	return name, b.String(), true
}

// numericType reports whether the canonical field holds numbers (a rule's number on it is a
// numeric value, not text).
func numericType(f *translate.Field) bool {
	return f.Type == translate.TypeLong || f.Type == translate.TypeReal
}
