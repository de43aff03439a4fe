package kibana

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Hand-built IR for the unit tests, over the real sign-in schema.

func field(name string) *translate.Field {
	f := translate.SignIn().Field(name)
	if f == nil {
		panic("no schema field " + name)
	}
	return f
}

// pat parses a Sigma-style string value: `*` and `?` are wildcards, a backslash escapes `*`, `?`
// and `\` (a lone backslash before anything else is literal, as Sigma defines).
func pat(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Segs: rules.ParseSegments(s, false), Pos: rules.Pos{Line: 9, Col: 9}}
}

func num(raw string) translate.Value {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		panic(err)
	}
	return translate.Value{Kind: rules.ValInt, Raw: raw, Num: n,
		Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}, Pos: rules.Pos{Line: 9, Col: 9}}
}

func boolean(b bool) translate.Value {
	return translate.Value{Kind: rules.ValBool, Raw: strconv.FormatBool(b), Bool: b,
		Segs: []rules.Segment{{Kind: rules.SegLit, Text: strconv.FormatBool(b)}}}
}

func cidr(p string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: p, Prefix: netip.MustParsePrefix(p)}
}

var matchPos = rules.Pos{Line: 7, Col: 5}

func eq(f string, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: field(f), Op: translate.OpEq, Values: vals, Pos: matchPos}
}

func eqCased(f string, vals ...translate.Value) *translate.Match {
	m := eq(f, vals...)
	m.Cased = true
	return m
}

func mop(f string, o translate.Op, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: field(f), Op: o, Values: vals, Pos: matchPos}
}

func and(args ...translate.Expr) translate.Expr { return &translate.And{Args: args} }
func or(args ...translate.Expr) translate.Expr  { return &translate.Or{Args: args} }
func not(arg translate.Expr) translate.Expr     { return &translate.Not{Arg: arg} }

// single is a query routed to SigninLogs alone.
func single(where translate.Expr) *translate.Query {
	t := translate.SignIn().Table(translate.TableSignin)
	return &translate.Query{Path: "r.yml", Tables: []*translate.Table{t}, Where: where,
		Legs: []translate.Leg{{Table: t, Where: where}}}
}

// legs is a query routed to all four tables with the given per-table predicates (nil: the table
// folds to false and has no leg).
func legs(where translate.Expr, per [4]translate.Expr) *translate.Query {
	q := &translate.Query{Path: "r.yml", Tables: translate.SignIn().Tables(), Where: where}
	for i, w := range per {
		if w != nil {
			q.Legs = append(q.Legs, translate.Leg{Table: translate.SignIn().Tables()[i], Where: w})
		}
	}
	return q
}

func emit(t testing.TB, q *translate.Query) (translate.Output, error) {
	t.Helper()
	return Backend{}.Emit(q)
}
