// Package splunk is the Splunk SPL backend: it renders a translated sign-in query as a search over
// the Splunk Add-on for Microsoft Cloud Services' `azure:monitor:aad` events (raw Azure JSON paths
// such as `properties.userPrincipalName`), filtered by the sign-in `category`.
//
// Architecture: the search command is used wherever its semantics are Sigma's (case-insensitive
// `field="value"` with `*` wildcards, `field IN (...)`, CIDR values, numeric comparisons, `NOT` that
// also matches events without the field). Constructs it cannot express exactly (`|cased`, `?`,
// a literal `*`, the empty string, regexes, field references, numeric comparisons on text fields)
// go to a single `| where` with match()/cidrmatch()/lower()/isnull(): top-level conjuncts that the
// search command can express stay there, the rest are ANDed in the where. Under a NOT, where
// predicates are made two-valued (`isnotnull(f) AND ...`) because a comparison with a null field is
// null in eval and `NOT null` would drop the event, while Sigma's `not` keeps it.
//
// Correlations (correlation.go) become one search: the events (a rule's own search, or the union
// of several rules' candidates with exact per-rule tags), `bin _time`, and one `stats` always
// grouped by `_time` and the group-by columns, then `| where` on the aggregate.
//
// Owns: the emitter (this file, search.go, where.go, correlation.go) and escaping (escape.go, one
// function per lexical context). The SPL checker used by the tests is internal/splcheck.
package splunk

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Backend renders SPL. The zero value uses `sourcetype="azure:monitor:aad"` and no index.
type Backend struct {
	// Index, when set, is emitted first as `index=<Index>`.
	Index string
	// Macro, when set, replaces the sourcetype filter with the macro call `` `<Macro>` `` (for
	// example ESCU's azure_monitor_aad).
	Macro string
}

const target = "splunk"

// Name is the CLI target name.
func (Backend) Name() string { return target }

// Describe says what the target emits.
func (Backend) Describe() string {
	return `Splunk SPL over azure:monitor:aad events (Splunk Add-on for Microsoft Cloud Services), filtered by sign-in category`
}

// Validate checks the configuration: index and macro names are restricted to characters that
// cannot change the structure of the search.
func (b Backend) Validate() error {
	if b.Index != "" && !validIndex(b.Index) {
		return fmt.Errorf("splunk: invalid index name %q: use lower-case letters, digits, '_' and '-', not starting with '-'", b.Index)
	}
	if b.Macro != "" && !validMacro(b.Macro) {
		return fmt.Errorf("splunk: invalid macro name %q: use letters, digits and '_' (no arguments)", b.Macro)
	}
	return nil
}

func validIndex(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
		case r == '-' && i > 0:
		default:
			return false
		}
	}
	return s != "" && len(s) <= 80
}

func validMacro(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return s != "" && len(s) <= 100
}

// validCategory guards the category values taken from the schema (emitted unquoted).
func validCategory(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return s != ""
}

// base renders the leading filter (index, sourcetype or macro).
func (b Backend) base() []string {
	var out []string
	if b.Index != "" {
		out = append(out, "index="+b.Index)
	}
	if b.Macro != "" {
		out = append(out, "`"+b.Macro+"`")
	} else {
		out = append(out, `sourcetype="azure:monitor:aad"`)
	}
	return out
}

// legRender is one leg split into the conjuncts the search command takes and those for `| where`.
type legRender struct {
	search []node
	where  []node
}

func (l legRender) key() string {
	var b strings.Builder
	for _, n := range l.search {
		b.WriteString(n.s)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, n := range l.where {
		b.WriteString(n.s)
		b.WriteByte(0)
	}
	return b.String()
}

type group struct {
	tables []*translate.Table
	legs   []translate.Leg
	r      legRender
}

// Emit renders q. It is safe for concurrent use.
func (b Backend) Emit(q *translate.Query) (translate.Output, error) {
	if q == nil {
		return translate.Output{}, fmt.Errorf("splunk: nil query")
	}
	if err := b.Validate(); err != nil {
		return translate.Output{}, err
	}
	if q.Correlation != nil {
		return b.correlation(q)
	}
	s, err := b.ruleQuery(q)
	if err != nil {
		return translate.Output{}, err
	}
	return translate.Output{Query: s}, nil
}

// groupLegs renders every leg of q and groups the legs whose rendered predicate is identical, in
// Tables order of first appearance.
func groupLegs(q *translate.Query) ([]*group, error) {
	legs := q.Legs
	if len(legs) == 0 && q.Where != nil {
		for _, t := range q.Tables {
			legs = append(legs, translate.Leg{Table: t, Where: q.Where})
		}
	}
	if len(legs) == 0 {
		return nil, fmt.Errorf("splunk: query %q has no tables to search", q.Title)
	}
	var groups []*group
	byKey := map[string]*group{} // lookup only; output order comes from groups
	for _, leg := range legs {
		if leg.Table == nil || !validCategory(leg.Table.Category) {
			return nil, fmt.Errorf("splunk: leg without a valid category")
		}
		r, err := splitRender(leg.Where)
		if err != nil {
			return nil, err
		}
		k := r.key()
		g := byKey[k]
		if g == nil {
			g = &group{r: r}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.tables = append(g.tables, leg.Table)
		g.legs = append(g.legs, leg)
	}
	return groups, nil
}

// ruleQuery renders a plain (non-correlation) rule as one search.
func (b Backend) ruleQuery(q *translate.Query) (string, error) {
	groups, err := groupLegs(q)
	if err != nil {
		return "", err
	}
	parts := b.base()
	var where string
	switch {
	case len(groups) == 1:
		g := groups[0]
		parts = append(parts, searchCategory(g.tables))
		for _, n := range g.r.search {
			parts = append(parts, wrap(n, opAnd))
		}
		where = joinNodes(g.r.where, " AND ", opAnd)
	case allSearch(groups):
		var alts []node
		for _, g := range groups {
			conj := []node{{s: searchCategory(g.tables), op: opAtom}}
			conj = append(conj, g.r.search...)
			alts = append(alts, node{s: joinNodes(conj, " AND ", opAnd), op: opAndIf(len(conj))})
		}
		parts = append(parts, "("+joinNodes(alts, " OR ", opOr)+")")
	default:
		var all []*translate.Table
		var alts []node
		for _, g := range groups {
			all = append(all, g.tables...)
			alt, err := groupPredicate(g, false)
			if err != nil {
				return "", err
			}
			alts = append(alts, alt)
		}
		parts = append(parts, searchCategory(all))
		where = joinNodes(alts, " OR ", opOr)
	}
	out := strings.Join(parts, " ")
	if where != "" {
		out += " | where " + where
	}
	return out, nil
}

// groupPredicate is a group's whole predicate in eval form, under its category test. neg makes
// every leaf two-valued (see renderWhere).
func groupPredicate(g *group, neg bool) (node, error) {
	conj := []node{{s: whereCategory(g.tables), op: opAtom}}
	if c, ok := g.legs[0].Where.(*translate.Const); !ok || !c.Value {
		w, err := renderWhere(g.legs[0].Where, neg)
		if err != nil {
			return node{}, err
		}
		conj = append(conj, w)
	}
	return node{s: joinNodes(conj, " AND ", opAnd), op: opAndIf(len(conj))}, nil
}

func allSearch(groups []*group) bool {
	for _, g := range groups {
		if len(g.r.where) > 0 {
			return false
		}
	}
	return true
}

func opAndIf(n int) int {
	if n > 1 {
		return opAnd
	}
	return opAtom
}

// searchCategory is the mandatory category filter of the search command.
func searchCategory(ts []*translate.Table) string {
	if len(ts) == 1 {
		return "category=" + ts[0].Category
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Category
	}
	return "category IN (" + strings.Join(names, ", ") + ")"
}

// whereCategory is the category test inside `| where` (exact, case-sensitive: Azure writes the
// category values exactly so).
func whereCategory(ts []*translate.Table) string {
	if len(ts) == 1 {
		return `category=="` + ts[0].Category + `"`
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = `"` + t.Category + `"`
	}
	return "in(category, " + strings.Join(names, ", ") + ")"
}

// splitRender renders one leg: everything in the search command when possible, otherwise the
// top-level conjuncts the search command can express there and the rest in `| where`.
func splitRender(e translate.Expr) (legRender, error) {
	if c, ok := e.(*translate.Const); ok {
		if c.Value {
			return legRender{}, nil
		}
		return legRender{}, fmt.Errorf("splunk: a leg folded to false reached the backend")
	}
	n, ok, err := renderSearch(e)
	if err != nil {
		return legRender{}, err
	}
	if ok {
		if a, isAnd := e.(*translate.And); isAnd {
			// top-level conjuncts become separate terms of the search command
			var r legRender
			for _, arg := range a.Args {
				an, _, _ := renderSearch(arg)
				r.search = append(r.search, an)
			}
			return r, nil
		}
		return legRender{search: []node{n}}, nil
	}
	a, isAnd := e.(*translate.And)
	if !isAnd {
		w, err := renderWhere(e, false)
		if err != nil {
			return legRender{}, err
		}
		return legRender{where: []node{w}}, nil
	}
	var r legRender
	for _, arg := range a.Args {
		an, ok, err := renderSearch(arg)
		if err != nil {
			return legRender{}, err
		}
		if ok {
			r.search = append(r.search, an)
			continue
		}
		w, err := renderWhere(arg, false)
		if err != nil {
			return legRender{}, err
		}
		r.where = append(r.where, w)
	}
	return r, nil
}

// node is a rendered boolean expression and its top-level operator, for parenthesizing.
type node struct {
	s  string
	op int
}

const (
	opAtom = iota
	opAnd
	opOr
	opNot
)

// wrap parenthesizes a child whose operator differs from its parent's (and any compound operand
// of NOT).
func wrap(n node, parent int) string {
	switch {
	case n.op == opAtom:
		return n.s
	case parent == opNot:
		return "(" + n.s + ")"
	case n.op == opNot:
		return n.s
	case n.op != parent:
		return "(" + n.s + ")"
	}
	return n.s
}

func joinNodes(ns []node, sep string, parent int) string {
	if len(ns) == 1 {
		return ns[0].s
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = wrap(n, parent)
	}
	return strings.Join(parts, sep)
}

// number renders a numeric value canonically (`00429` -> `429`, `1.50` -> `1.5`).
func number(v translate.Value) string {
	return strconv.FormatFloat(v.Num, 'f', -1, 64)
}

// canonicalInt reports whether s is a decimal integer without sign or leading zeros, so that the
// string "50126" and the number 50126 are the same value.
func canonicalInt(s string) bool {
	if s == "0" {
		return true
	}
	if s == "" || len(s) > 18 || s[0] == '0' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isNumberKind(v translate.Value) bool {
	return v.Kind == rules.ValInt || v.Kind == rules.ValFloat
}

func unsupported(pos rules.Pos, construct, reason string) error {
	return &translate.UnsupportedError{Target: target, Pos: pos, Construct: construct, Reason: reason}
}

// splunkName returns the field's Splunk name or an UnsupportedError naming the field.
func splunkName(m *translate.Match, f *translate.Field) (string, error) {
	if f == nil {
		return "", fmt.Errorf("splunk: match without a field")
	}
	if f.Splunk.Name == "" {
		return "", unsupported(m.Pos, "field "+f.Name, "the Splunk add-on's azure:monitor:aad events have no equivalent field")
	}
	if strings.HasPrefix(f.Splunk.Name, "_") {
		return "", unsupported(m.Pos, "field "+f.Name, "Splunk keeps it as "+f.Splunk.Name+" (epoch seconds), which Sigma's string and number matches do not describe")
	}
	return f.Splunk.Name, nil
}
