package splunk

import (
	"regexp"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/splunk/internal/splcheck"
	"github.com/entrasig/entrasig/translate"
)

// hostileValues are rule values that would change a search's structure if they escaped their
// quotes: quotes and backslashes, pipes, subsearch brackets, `=`, parentheses, macro backticks,
// line breaks, the boolean words, a leading `-`, a literal `*`, the empty string, non-ASCII.
var hostileValues = []string{
	`a"b`, `a\b`, `trail\`, `a*b`, "line1\nline2", "a\rb", "a\tb", "a|b", "| delete", "[search index=*]",
	"a]", "a=b", "(a)", "a)", "a`b", "`macro`", "", "Zoë 東京", "a AND b", "OR", "NOT", "-x", "a b",
	`" OR sourcetype=* "`, `\"`, `$tok$`, "a\\*b",
}

// TestHostileValuesStayInert proves each hostile value stays one value: the emitted query passes
// the checker, has exactly one comparison of the rule's field, and that comparison decodes back to
// exactly the value (search form), or its match() regex matches exactly the value (where form).
func TestHostileValuesStayInert(t *testing.T) {
	for _, v := range hostileValues {
		for _, isCased := range []bool{false, true} {
			m := mt(t, upn, translate.OpEq, str(v))
			m.Cased = isCased
			got, err := emit(t, Backend{}, query(m))
			if err != nil {
				t.Errorf("%q: %v", v, err)
				continue
			}
			ast, err := splcheck.Parse(got)
			if err != nil {
				t.Errorf("%q: parse: %v\n%s", v, err, got)
				continue
			}
			conj := ast.Search.Args[0].Args
			switch {
			case len(ast.Commands) == 0:
				if len(ast.Search.Args) != 1 || len(conj) != 3 || conj[2].Prim == nil || conj[2].Prim.Cmp == nil {
					t.Errorf("%q: want base + one comparison, got %s", v, got)
					continue
				}
				c := conj[2].Prim.Cmp
				if c.Field != "properties.userPrincipalName" || c.Value == nil || c.Value.Str == nil {
					t.Errorf("%q: unexpected comparison in %s", v, got)
					continue
				}
				dec, err := splcheck.SearchString(*c.Value.Str)
				if err != nil || dec != v {
					t.Errorf("%q: search value decodes to %q (%v) in %s", v, dec, err, got)
				}
			default:
				if len(conj) != 2 || len(ast.Commands) != 1 {
					t.Errorf("%q: want base | where, got %s", v, got)
					continue
				}
				w := ast.Commands[0].Where
				if len(w.Args) != 1 || len(w.Args[0].Args) != 1 {
					t.Errorf("%q: want one where predicate, got %s", v, got)
					continue
				}
				call := w.Args[0].Args[0].Cmp.Left.Terms[0].Call
				if call == nil || call.Name != "match" || len(call.Args) != 2 {
					t.Errorf("%q: want one match(), got %s", v, got)
					continue
				}
				lit := call.Args[1].Args[0].Args[0].Cmp.Left.Terms[0].Str
				pattern, err := splcheck.EvalString(*lit)
				if err != nil {
					t.Errorf("%q: %v", v, err)
					continue
				}
				rx, err := regexp.Compile(pattern) // our literal regexes are also valid RE2
				if err != nil {
					t.Errorf("%q: regex %q: %v", v, pattern, err)
					continue
				}
				if !rx.MatchString(v) || rx.MatchString(v+"x") || rx.MatchString("x"+v) || (v != "" && rx.MatchString(v+"\n")) {
					t.Errorf("%q: regex %q does not match exactly the value", v, pattern)
				}
				if isCased && v != strings.ToUpper(v) && rx.MatchString(strings.ToUpper(v)) {
					t.Errorf("%q: cased regex %q matches another case", v, pattern)
				}
				if !isCased && !rx.MatchString(strings.ToUpper(v)) {
					t.Errorf("%q: case-insensitive regex %q misses the upper-case value", v, pattern)
				}
			}
			if strings.Count(got, "`") != 0 {
				t.Errorf("%q: a backtick reached the query: %s", v, got)
			}
		}
	}
}

// TestHostileRegexStaysInert: a rule regex with quotes, pipes, brackets and backticks stays one
// string argument of match().
func TestHostileRegexStaysInert(t *testing.T) {
	for _, r := range []string{`"|[`, "a`b`", `\`, `(?i)x"]| where 1==1`, "a\nb", `\\"`} {
		got, err := emit(t, Backend{}, query(mt(t, "UserAgent", translate.OpRegex, re(r))))
		if err != nil {
			t.Errorf("%q: %v", r, err)
			continue
		}
		ast, err := splcheck.Parse(got)
		if err != nil || len(ast.Commands) != 1 {
			t.Errorf("%q: %v\n%s", r, err, got)
			continue
		}
		lit := ast.Commands[0].Where.Args[0].Args[0].Cmp.Left.Terms[0].Call.Args[1].Args[0].Args[0].Cmp.Left.Terms[0].Str
		dec, err := splcheck.EvalString(*lit)
		want := strings.ReplaceAll(strings.ReplaceAll(r, "\\`", `\x60`), "`", `\x60`)
		if err != nil || dec != want {
			t.Errorf("%q: regex decodes to %q (%v), want %q", r, dec, err, want)
		}
	}
}

func BenchmarkEmit(b *testing.B) {
	where := and(
		mt(b, "AppDisplayName", translate.OpEq, str("Azure Portal"), pat("Microsoft*")),
		or(mt(b, "ResultType", translate.OpEq, num("50126"), num("50053")), mt(b, "IPAddress", translate.OpCIDR, cidr("10.0.0.0/8"))),
		not(cased(mt(b, upn, translate.OpEq, pat("*@contoso.com")))),
	)
	q := query(where, 0, 1)
	be := Backend{}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := be.Emit(q); err != nil {
			b.Fatal(err)
		}
	}
}
