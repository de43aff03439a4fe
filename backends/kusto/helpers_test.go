package kusto

import (
	"math"
	"net/netip"
	"strconv"
	"testing"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

var pos = rules.Pos{Line: 7, Col: 5}

func fld(t testing.TB, name string) *translate.Field {
	t.Helper()
	f := translate.SignIn().Field(name)
	if f == nil {
		t.Fatalf("schema has no field %s", name)
	}
	return f
}

func tbl(id translate.TableID) *translate.Table { return translate.SignIn().Table(id) }

// pat builds a string value from Sigma-like text: `*` and `?` are wildcards, `\` escapes the next
// character.
func pat(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Segs: rules.ParseSegments(s, false), Pos: pos}
}

func num(raw string) translate.Value {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		n = math.NaN()
	}
	k := rules.ValInt
	if _, err := strconv.ParseInt(raw, 10, 64); err != nil {
		k = rules.ValFloat
	}
	return translate.Value{Kind: k, Raw: raw, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}, Num: n, Pos: pos}
}

func boolean(b bool) translate.Value {
	raw := strconv.FormatBool(b)
	return translate.Value{Kind: rules.ValBool, Raw: raw, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}, Bool: b, Pos: pos}
}

func re(expr string, flags string) translate.Value {
	v := translate.Value{Kind: rules.ValString, Raw: expr, Regex: expr, Pos: pos}
	for _, f := range flags {
		switch f {
		case 'i':
			v.IgnoreCase = true
		case 'm':
			v.Multiline = true
		case 's':
			v.DotAll = true
		}
	}
	return v
}

func cidr(p string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: p, Prefix: netip.MustParsePrefix(p), Pos: pos}
}

func eq(f *translate.Field, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: f, Op: translate.OpEq, Values: vals, Pos: pos}
}

func cased(m *translate.Match) *translate.Match { m.Cased = true; return m }

func op(f *translate.Field, o translate.Op, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: f, Op: o, Values: vals, Pos: pos}
}

func not(x translate.Expr) translate.Expr     { return &translate.Not{Arg: x} }
func and(xs ...translate.Expr) translate.Expr { return &translate.And{Args: xs} }
func or(xs ...translate.Expr) translate.Expr  { return &translate.Or{Args: xs} }

// on builds a query routed to the given tables with the same predicate in every leg.
func on(where translate.Expr, ids ...translate.TableID) *translate.Query {
	q := &translate.Query{Path: "rules/test.yml", Title: "test", Where: where}
	for _, id := range ids {
		q.Tables = append(q.Tables, tbl(id))
		q.Legs = append(q.Legs, translate.Leg{Table: tbl(id), Where: where})
	}
	return q
}

// single is a SigninLogs-only query.
func single(where translate.Expr) *translate.Query { return on(where, translate.TableSignin) }
