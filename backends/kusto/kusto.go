// Package kusto is entrasig's Microsoft Sentinel backend: it renders a translated sign-in query
// (translate.Query) as Kusto Query Language over the Entra ID sign-in tables, keeping Sigma's
// meaning exactly or returning a *translate.UnsupportedError that names the construct.
//
// Query shape. One routed table: `SigninLogs` then one `| where` (absent when the predicate is
// true), its top-level and/or operands one per line. Several routed tables: `union isfuzzy=true`
// of parenthesized legs, each leg first normalizing the columns whose Kusto type differs between
// the tables (dynamic in SigninLogs, JSON text elsewhere: LocationDetails,
// ConditionalAccessPolicies, DeviceDetail, Status, MfaDetail) with `| extend C = todynamic(C)`,
// because a union otherwise splits such a column into C_dynamic and C_string. With
// Backend.Function set and all four tables routed, the query is `Function | where ...` over the
// unfolded predicate; the function is assumed to union the four tables with those five columns
// already normalized to dynamic (Microsoft ships no such function; see the README).
//
// Semantics (verified against the Kusto reference on learn.microsoft.com, see the README):
//   - `==`, `in` are case-sensitive; `=~`, `in~`, contains, startswith, endswith are not (the _cs
//     forms are). `has` is a term match and never used. Case-insensitive operators fold ASCII only,
//     so a case-insensitive value holding a non-ASCII letter with case becomes an anchored RE2
//     regex with (?i), which folds Unicode.
//   - Strings are never null in Kusto (absent and empty are the same value): `null` is
//     isempty(), the empty string is == "", `*` alone is isnotnull() (always true on a string column).
//   - `where` drops null, and not(null) is null, so every predicate that can be null (conversions,
//     numeric comparisons, ipv4_is_in_range on a non-IPv4 value, datetime_part) is wrapped in
//     coalesce(P, false) under an odd number of `not`s.
//   - Keyword searches are unsupported: Sentinel rows carry no raw event text, `search`/`has`
//     match terms, and `where * contains` sees only the columns' string forms.
//
// Correlations (corr.go): `let` thresholds and nested correlations, the event set (one union leg
// per table holding the OR of the referenced rules' predicates, projected to string group-by
// columns and per-rule tags), one `summarize` over epoch-aligned bin() buckets and the group-by
// columns with the type's aggregate and StartTime/EndTime, and the conditions in a `where`.
package kusto

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/entrasig/entrasig/translate"
)

// Backend renders Sentinel KQL. The zero value emits unions for multi-table rules.
type Backend struct {
	// Function names a Sentinel workspace function to query instead of a union when a rule routes
	// to all four sign-in tables (combinedsigninlogs). It must be a plain identifier and must
	// return the four tables' rows with the per-table-typed columns normalized to dynamic.
	Function string
}

const target = "kusto"

// Name is the CLI target name.
func (Backend) Name() string { return target }

// Describe says what the target emits.
func (Backend) Describe() string {
	return "Microsoft Sentinel KQL over the Entra ID sign-in tables (SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs)"
}

// Emit renders q. It is safe for concurrent use.
func (b Backend) Emit(q *translate.Query) (translate.Output, error) {
	if q == nil {
		return translate.Output{}, errors.New("kusto: nil query")
	}
	if q.Correlation != nil {
		e := &emitter{topPath: q.Path}
		text, err := e.correlation(q)
		if err != nil {
			return translate.Output{}, err
		}
		return translate.Output{Query: text, Warnings: e.warnings}, nil
	}
	e := &emitter{}
	text, err := e.query(b, q)
	if err != nil {
		return translate.Output{}, err
	}
	return translate.Output{Query: text, Warnings: e.warnings}, nil
}

// normColumns returns, in schema order, the columns that are dynamic in some table and text in
// another: a union must normalize them.
var normColumns = sync.OnceValue(func() []string {
	var out []string
	for _, f := range translate.SignIn().Fields() {
		if len(f.Path) > 0 {
			continue
		}
		dyn, other := false, false
		for _, t := range translate.SignIn().Tables() {
			if !f.Tables.Has(t.ID) {
				continue
			}
			if f.KustoType[t.ID] == "dynamic" {
				dyn = true
			} else {
				other = true
			}
		}
		if dyn && other {
			out = append(out, f.Column)
		}
	}
	return out
})

func isNormColumn(col string) bool {
	for _, c := range normColumns() {
		if c == col {
			return true
		}
	}
	return false
}

func allFour(tables []*translate.Table) bool {
	var seen [4]bool
	for _, t := range tables {
		if t != nil && int(t.ID) >= 0 && int(t.ID) < 4 {
			seen[t.ID] = true
		}
	}
	return seen[0] && seen[1] && seen[2] && seen[3]
}

// scope is how columns are typed where a predicate is evaluated.
type scope struct {
	table translate.TableID
	// normalized: the per-table-typed columns are dynamic here (union legs after todynamic, or
	// the workspace function).
	normalized bool
	// function: the workspace function, which has every column of every table.
	function bool
	// bools: the predicate is a value (a correlation's per-rule tag), not a where filter, so
	// every predicate that may be null is made two-valued with coalesce(p, false).
	bools bool
}

type emitter struct {
	warnings []translate.Warning
	// topPath is the file of the correlation being emitted: warnings about rules of other files
	// carry their path.
	topPath string
}

func (e *emitter) warn(w translate.Warning) {
	for _, x := range e.warnings {
		if x == w {
			return
		}
	}
	e.warnings = append(e.warnings, w)
}

// Validate checks the configuration before any rule runs: the workspace function must be a plain
// identifier, so it cannot change the structure of the query.
func (b Backend) Validate() error {
	if b.Function != "" && !isPlainIdent(b.Function) {
		return fmt.Errorf("kusto: function name %q is not a plain identifier (letters, digits and '_', not starting with a digit)", b.Function)
	}
	return nil
}

func (e *emitter) query(b Backend, q *translate.Query) (string, error) {
	if b.Function != "" && allFour(q.Tables) {
		if !isPlainIdent(b.Function) {
			return "", fmt.Errorf("kusto: function name %q is not a plain identifier", b.Function)
		}
		if q.Where == nil {
			return "", errors.New("kusto: query has no predicate")
		}
		w, err := e.where(q.Where, scope{normalized: true, function: true}, "")
		if err != nil {
			return "", err
		}
		return b.Function + w, nil
	}
	switch len(q.Legs) {
	case 0:
		return "", errors.New("kusto: query has no table to search")
	case 1:
		leg := q.Legs[0]
		w, err := e.where(leg.Where, scope{table: leg.Table.ID}, "")
		if err != nil {
			return "", err
		}
		return ident(leg.Table.Name) + w, nil
	}
	var s strings.Builder
	s.WriteString("union isfuzzy=true")
	for i, leg := range q.Legs {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteString("\n    (")
		s.WriteString(ident(leg.Table.Name))
		var ext []string
		for _, c := range normColumns() {
			f := translate.SignIn().Field(c)
			if f != nil && f.Tables.Has(leg.Table.ID) {
				ext = append(ext, ident(c)+" = todynamic("+ident(c)+")")
			}
		}
		if len(ext) > 0 {
			s.WriteString("\n    | extend ")
			s.WriteString(strings.Join(ext, ", "))
		}
		w, err := e.where(leg.Where, scope{table: leg.Table.ID, normalized: true}, "    ")
		if err != nil {
			return "", err
		}
		s.WriteString(w)
		s.WriteByte(')')
	}
	return s.String(), nil
}

// where renders "\n<indent>| where ..." for x, or "" when x is the constant true. Top-level and/or
// operands go one per line.
func (e *emitter) where(x translate.Expr, sc scope, indent string) (string, error) {
	if x == nil {
		return "", errors.New("kusto: leg has no predicate")
	}
	if c, ok := x.(*translate.Const); ok && c.Value {
		return "", nil
	}
	f, err := e.expr(x, sc, false)
	if err != nil {
		return "", err
	}
	var s strings.Builder
	s.WriteString("\n" + indent + "| where ")
	if len(f.parts) < 2 {
		s.WriteString(f.text)
		return s.String(), nil
	}
	op := "and"
	if f.kind == kOr {
		op = "or"
	}
	for i, p := range f.parts {
		if i > 0 {
			s.WriteString("\n" + indent + "    " + op + " ")
		}
		s.WriteString(p)
	}
	return s.String(), nil
}
