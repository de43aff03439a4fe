package esql

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/esql/internal/esqlcheck"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

func field(t testing.TB, name string) *translate.Field {
	t.Helper()
	f := translate.SignIn().Field(name)
	if f == nil {
		t.Fatalf("no field %s", name)
	}
	return f
}

// str is a string value parsed with Sigma's wildcard rules (`*`, `?`, `\` escapes).
func str(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Segs: rules.ParseSegments(s, false)}
}

func num(raw string, v float64) translate.Value {
	return translate.Value{Kind: rules.ValInt, Raw: raw, Num: v, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func boolean(v bool) translate.Value {
	raw := "false"
	if v {
		raw = "true"
	}
	return translate.Value{Kind: rules.ValBool, Raw: raw, Bool: v, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func re(s string) translate.Value { return translate.Value{Kind: rules.ValString, Raw: s, Regex: s} }

func cidr(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Prefix: netip.MustParsePrefix(s)}
}

func eq(t testing.TB, name string, vals ...translate.Value) *translate.Match {
	return &translate.Match{Field: field(t, name), Op: translate.OpEq, Values: vals}
}

// query routes where to the given tables (indexes into Tables()), one leg each.
func query(where translate.Expr, tables ...translate.TableID) *translate.Query {
	all := translate.SignIn().Tables()
	q := &translate.Query{Path: "t.yml", Where: where}
	for _, id := range tables {
		q.Tables = append(q.Tables, all[id])
		q.Legs = append(q.Legs, translate.Leg{Table: all[id], Where: where})
	}
	return q
}

func signin(where translate.Expr) *translate.Query { return query(where, translate.TableSignin) }

// knownFields is the checker's field set: the schema's Elastic names (with their mapping types) and
// keyword twins plus the routing fields.
func knownFields(name string) (string, bool) {
	switch name {
	case datasetField:
		return "constant_keyword", true
	case categoryField:
		return "keyword", true
	}
	for _, f := range translate.SignIn().Fields() {
		if f.Elastic.Name == name {
			return f.Elastic.Type, true
		}
		if f.Elastic.StringName == name {
			return "keyword", true
		}
	}
	return "", false
}

// mustCheck fails the test when text does not parse and check.
func mustCheck(t testing.TB, text string) {
	t.Helper()
	if errs := esqlcheck.Check(text, knownFields); len(errs) > 0 {
		t.Errorf("query does not check: %v\n%s", errs, text)
	}
}

// whereOf strips the fixed FROM line and "| WHERE " prefix for compact expectations.
func whereOf(t testing.TB, text string) string {
	t.Helper()
	const head = "FROM logs-azure.signinlogs-* METADATA _id, _version, _index\n| WHERE data_stream.dataset == \"azure.signinlogs\"\n    and "
	if !strings.HasPrefix(text, head) {
		t.Fatalf("unexpected head:\n%s", text)
	}
	return text[len(head):]
}
