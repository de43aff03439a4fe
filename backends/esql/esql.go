// Package esql is entrasig's Elastic ES|QL backend: it renders a translated sign-in query as
// `FROM logs-azure.signinlogs-* METADATA _id, _version, _index | WHERE ...` over the fields of
// Elastic's Azure Logs integration (data stream azure.signinlogs), or returns a
// *translate.UnsupportedError for what ES|QL cannot express with Sigma's meaning.
//
// Decisions (verified against Elasticsearch's ES|QL grammar, docs and sources; see README.md):
//   - Case-insensitive Sigma matches compare TO_LOWER(field) with the literal lower-cased by
//     strings.ToLower when every cased character of the literal is ASCII; literals without any
//     case-folding character use the plain form; literals with non-ASCII cased characters use
//     RLIKE with explicit case-folding classes, because Elasticsearch rewrites TO_LOWER comparisons
//     into case-insensitive Lucene queries whose folding is ASCII-only. ES|QL's `=~` was disabled
//     and is not in the grammar, so it is not used.
//   - ES|QL logic is three-valued: a comparison with a null field is null, and NOT null drops the
//     row, while Sigma treats a missing field as "does not match". Every NOT whose operand can be
//     null is written NOT COALESCE(operand, false). Without a NOT, null and false filter alike.
//   - Regexes are re-emitted from Go's parse tree in Lucene syntax for RLIKE (regex.go).
//   - Fields the integration keeps as `flattened` are rejected: ES|QL cannot filter on them.
//   - The category filter is always emitted, also for all four kinds (as an IN of the four):
//     AD FS sign-ins share the data stream.
//   - Correlations (correlation.go) are one aggregating query without METADATA: the rules' routed
//     predicates ORed, DATE_TRUNC epoch-aligned buckets, STATS ... BY, a WHERE on the aggregate;
//     distinct counts use an exact two-stage STATS instead of the approximate COUNT_DISTINCT.
package esql

import (
	"fmt"
	"strings"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Backend renders ES|QL. It is stateless.
type Backend struct{}

// Name is the target name.
func (Backend) Name() string { return "esql" }

// Describe is the one-line description for `entrasig targets`.
func (Backend) Describe() string {
	return "Elastic ES|QL over the Azure Logs integration (FROM logs-azure.signinlogs-* | WHERE ...)"
}

const (
	indexPattern  = "logs-azure.signinlogs-*"
	metadata      = "_id, _version, _index"
	datasetField  = "data_stream.dataset"
	dataset       = "azure.signinlogs"
	categoryField = "azure.signinlogs.category"
	lineWidth     = 100
	contIndent    = "    "
)

// Emit renders q.
func (Backend) Emit(q *translate.Query) (translate.Output, error) {
	if q == nil {
		return translate.Output{}, fmt.Errorf("esql: nil query")
	}
	if q.Correlation != nil {
		return emitCorrelation(q)
	}
	pred, err := rulePred(q)
	if err != nil {
		return translate.Output{}, err
	}
	conj := appendConj([]node{datasetAtom()}, pred)
	var b strings.Builder
	b.WriteString("FROM " + indexPattern + " METADATA " + metadata + "\n| WHERE ")
	for i, c := range conj {
		if i > 0 {
			b.WriteString("\n" + contIndent + "and ")
		}
		b.WriteString(operand(c, opAnd, contIndent))
	}
	return translate.Output{Query: b.String(), Warnings: refWarnings(q)}, nil
}

// refWarnings warns for each case-insensitive field reference: TO_LOWER(a) == TO_LOWER(b) compares
// Java lower cases, which differ from Sigma's case folding for a few characters (U+017F LONG S
// lower-cases to itself but folds to s; U+03D1 and other variant letters likewise; U+0130 lower-cases
// to two characters), and no ES|QL expression compares two fields by case folding.
func refWarnings(q *translate.Query) []translate.Warning {
	var out []translate.Warning
	seen := map[rules.Pos]bool{}
	var walk func(e translate.Expr)
	walk = func(e translate.Expr) {
		switch x := e.(type) {
		case *translate.And:
			for _, a := range x.Args {
				walk(a)
			}
		case *translate.Or:
			for _, a := range x.Args {
				walk(a)
			}
		case *translate.Not:
			walk(x.Arg)
		case *translate.Match:
			if x.Op == translate.OpFieldRef && !x.Cased && x.Field != nil && stringName(x.Field) != "" && !seen[x.Pos] {
				seen[x.Pos] = true
				out = append(out, translate.Warning{Pos: x.Pos, Msg: "fieldref: ES|QL compares TO_LOWER of both fields, which differs from case-insensitive matching for a few characters (Java lowercases the Kelvin sign U+212A to k and U+0130 to two characters, and folds some Greek variant letters differently)"})
			}
		}
	}
	for _, leg := range q.Legs {
		walk(leg.Where)
	}
	return out
}

// datasetAtom is the data stream filter every query starts with.
func datasetAtom() node {
	return atom{text: ident(datasetField) + " == " + quoteString(dataset), total: true}
}

// rulePred is the predicate of a plain query with its category routing: the category filter and
// the predicate when every routed kind renders the same, else an or of (categories and predicate)
// legs, grouped by their rendered predicate in table order.
func rulePred(q *translate.Query) (node, error) {
	if len(q.Legs) == 0 {
		return nil, fmt.Errorf("esql: query %q has no legs", q.Path)
	}
	type group struct {
		tables []*translate.Table
		pred   node
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, leg := range q.Legs {
		n, err := build(leg.Where)
		if err != nil {
			return nil, err
		}
		key := flat(n)
		g := byKey[key]
		if g == nil {
			g = &group{pred: n}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.tables = append(g.tables, leg.Table)
	}
	if len(groups) == 1 {
		// The category filter is kept even for all four kinds: the data stream also receives AD FS
		// sign-ins (category ADFSSignInLogs, see the integration's test-adfs-signin pipeline test),
		// which no Sentinel sign-in table holds.
		g := groups[0]
		return and(appendConj([]node{categoryAtom(g.tables)}, g.pred)), nil
	}
	var alts []node
	for _, g := range groups {
		alts = append(alts, and(appendConj([]node{categoryAtom(g.tables)}, g.pred)))
	}
	return or(alts), nil
}

// appendConj appends pred to a conjunction: the args of an And, nothing for Const true.
func appendConj(conj []node, pred node) []node {
	switch p := pred.(type) {
	case andN:
		return append(conj, p.args...)
	case atom:
		if p.text == "true" {
			return conj
		}
	}
	return append(conj, pred)
}

func categoryAtom(tables []*translate.Table) node {
	if len(tables) == 1 {
		return atom{text: ident(categoryField) + " == " + quoteString(tables[0].Category), total: true}
	}
	cats := make([]string, len(tables))
	for i, t := range tables {
		cats[i] = quoteString(t.Category)
	}
	return atom{text: ident(categoryField) + " IN (" + strings.Join(cats, ", ") + ")", total: true}
}

// node is the rendering tree: and/or/not over atomic predicates.
type node interface{ isNode() }

type andN struct{ args []node }
type orN struct{ args []node }
type notN struct{ arg node }

// atom is an atomic predicate. total: it is never null. neg: the text of its negation, if it has a
// direct one (IS NULL <-> IS NOT NULL).
type atom struct {
	text  string
	total bool
	neg   string
}

func (andN) isNode() {}
func (orN) isNode()  {}
func (notN) isNode() {}
func (atom) isNode() {}

func and(args []node) node {
	var out []node
	for _, a := range args {
		if x, ok := a.(andN); ok {
			out = append(out, x.args...)
		} else {
			out = append(out, a)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return andN{out}
}

func or(args []node) node {
	var out []node
	for _, a := range args {
		if x, ok := a.(orN); ok {
			out = append(out, x.args...)
		} else {
			out = append(out, a)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return orN{out}
}

func not(n node) node {
	if a, ok := n.(atom); ok && a.neg != "" {
		return atom{text: a.neg, total: true, neg: a.text}
	}
	return notN{n}
}

// total reports whether n can never evaluate to null.
func total(n node) bool {
	switch x := n.(type) {
	case atom:
		return x.total
	case notN:
		return true // rendered with COALESCE unless its operand is total
	case andN:
		for _, a := range x.args {
			if !total(a) {
				return false
			}
		}
		return true
	case orN:
		for _, a := range x.args {
			if !total(a) {
				return false
			}
		}
		return true
	}
	return false
}

// build lowers an IR expression to the rendering tree.
// buildAll builds the operands of an and/or (which has at least one).
func buildAll(exprs []translate.Expr, op string) ([]node, error) {
	if len(exprs) == 0 {
		return nil, fmt.Errorf("esql: empty %s", op)
	}
	args := make([]node, 0, len(exprs))
	for _, a := range exprs {
		n, err := build(a)
		if err != nil {
			return nil, err
		}
		args = append(args, n)
	}
	return args, nil
}

func build(e translate.Expr) (node, error) {
	switch x := e.(type) {
	case *translate.Const:
		if x.Value {
			return atom{text: "true", total: true, neg: "false"}, nil
		}
		return atom{text: "false", total: true, neg: "true"}, nil
	case *translate.And:
		args, err := buildAll(x.Args, "and")
		if err != nil {
			return nil, err
		}
		return and(args), nil
	case *translate.Or:
		args, err := buildAll(x.Args, "or")
		if err != nil {
			return nil, err
		}
		return or(args), nil
	case *translate.Not:
		if x.Arg == nil {
			return nil, fmt.Errorf("esql: not without an operand")
		}
		n, err := build(x.Arg)
		if err != nil {
			return nil, err
		}
		return not(n), nil
	case *translate.Match:
		return match(x)
	case *translate.Keyword:
		return nil, &translate.UnsupportedError{Target: "esql", Pos: x.Pos, Construct: "keyword search",
			Reason: "ES|QL has no search over every field of an event (MATCH and QSTR are full-text queries on analyzed fields, not substring matches); name the field to search"}
	case nil:
		return nil, fmt.Errorf("esql: nil expression")
	}
	return nil, fmt.Errorf("esql: unknown expression %T", e)
}

type opKind int

const (
	opNone opKind = iota
	opAnd
	opOr
)

// flat renders n on one line as a whole predicate.
func flat(n node) string { return flatIn(n, opNone) }

func flatIn(n node, parent opKind) string {
	switch x := n.(type) {
	case atom:
		return x.text
	case notN:
		inner := flat(x.arg)
		if total(x.arg) {
			return "NOT (" + inner + ")"
		}
		return "NOT COALESCE(" + inner + ", false)"
	case andN:
		parts := make([]string, len(x.args))
		for i, a := range x.args {
			parts[i] = flatIn(a, opAnd)
		}
		s := strings.Join(parts, " and ")
		if parent != opNone && parent != opAnd {
			s = "(" + s + ")"
		}
		return s
	case orN:
		parts := make([]string, len(x.args))
		for i, a := range x.args {
			parts[i] = flatIn(a, opOr)
		}
		s := strings.Join(parts, " or ")
		if parent != opNone && parent != opOr {
			s = "(" + s + ")"
		}
		return s
	}
	return ""
}

// operand renders n as an operand of parent, starting at a column after ind; it breaks and/or
// over lines (one operand per line, indented by two more spaces) when the flat form is too long.
func operand(n node, parent opKind, ind string) string {
	s := flatIn(n, parent)
	if len(ind)+4+len(s) <= lineWidth || !strings.Contains(s, " ") {
		return s
	}
	inner := ind + "  "
	switch x := n.(type) {
	case andN:
		return "(\n" + inner + body(x.args, "and", opAnd, inner) + "\n" + ind + ")"
	case orN:
		return "(\n" + inner + body(x.args, "or", opOr, inner) + "\n" + ind + ")"
	case notN:
		if args, kind, word := split(x.arg); args != nil {
			if total(x.arg) {
				return "NOT (\n" + inner + body(args, word, kind, inner) + "\n" + ind + ")"
			}
			return "NOT COALESCE(\n" + inner + "(\n" + inner + "  " + body(args, word, kind, inner+"  ") + "\n" + inner + "),\n" + inner + "false\n" + ind + ")"
		}
	}
	return s
}

func split(n node) ([]node, opKind, string) {
	switch x := n.(type) {
	case andN:
		return x.args, opAnd, "and"
	case orN:
		return x.args, opOr, "or"
	}
	return nil, opNone, ""
}

func body(args []node, word string, kind opKind, ind string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteString("\n" + ind + word + " ")
		}
		b.WriteString(operand(a, kind, ind))
	}
	return b.String()
}
