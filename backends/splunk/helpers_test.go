package splunk

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// Test helpers build IR by hand (canonical sign-in fields from the real schema).

func fld(t testing.TB, name string) *translate.Field {
	t.Helper()
	f := translate.SignIn().Field(name)
	if f == nil {
		t.Fatalf("no field %s in the schema", name)
	}
	return f
}

// pat parses a Sigma string value: `*` and `?` are wildcards, `\*`, `\?`, `\\` escape, any other
// backslash is literal.
func pat(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Segs: rules.ParseSegments(s, false)}
}

// str is a literal string value (no wildcard parsing).
func str(s string) translate.Value {
	segs := []rules.Segment{}
	if s != "" {
		segs = []rules.Segment{{Kind: rules.SegLit, Text: s}}
	}
	return translate.Value{Kind: rules.ValString, Raw: s, Segs: segs}
}

func num(raw string) translate.Value {
	n, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		panic(err)
	}
	return translate.Value{Kind: rules.ValInt, Raw: raw, Num: n, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func boolean(b bool) translate.Value {
	raw := strconv.FormatBool(b)
	return translate.Value{Kind: rules.ValBool, Raw: raw, Bool: b, Segs: []rules.Segment{{Kind: rules.SegLit, Text: raw}}}
}

func cidr(s string) translate.Value {
	return translate.Value{Kind: rules.ValString, Raw: s, Prefix: netip.MustParsePrefix(s)}
}

func re(s string) translate.Value { return translate.Value{Kind: rules.ValString, Raw: s, Regex: s} }

func and(args ...translate.Expr) translate.Expr { return &translate.And{Args: args} }
func or(args ...translate.Expr) translate.Expr  { return &translate.Or{Args: args} }
func not(arg translate.Expr) translate.Expr     { return &translate.Not{Arg: arg} }

// query builds a query over the given tables (default: SigninLogs) with the same predicate in every leg.
func query(where translate.Expr, ids ...translate.TableID) *translate.Query {
	if len(ids) == 0 {
		ids = []translate.TableID{translate.TableSignin}
	}
	q := &translate.Query{Title: "t", Where: where}
	for _, id := range ids {
		tb := translate.SignIn().Table(id)
		q.Tables = append(q.Tables, tb)
		q.Legs = append(q.Legs, translate.Leg{Table: tb, Where: where})
	}
	return q
}

// emit renders q with b and checks every successful output with the SPL checker.
func emit(t testing.TB, b Backend, q *translate.Query) (string, error) {
	t.Helper()
	out, err := b.Emit(q)
	if err != nil {
		return "", err
	}
	if cerr := splcheck.Check(out.Query, splcheck.SignInFields()); cerr != nil {
		t.Errorf("emitted query fails the checker: %v\n%s", cerr, out.Query)
	}
	again, err2 := b.Emit(q)
	if err2 != nil || again.Query != out.Query {
		t.Errorf("second Emit differs: %q vs %q (%v)", again.Query, out.Query, err2)
	}
	return out.Query, nil
}
