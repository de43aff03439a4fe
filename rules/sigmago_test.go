package rules

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	sigma "github.com/bradleyjkemp/sigma-go"
	"gopkg.in/yaml.v3"
)

// sigmaGoString renders sigma-go's condition AST in CondString's canonical form.
func sigmaGoString(e sigma.SearchExpr) string {
	var b strings.Builder
	var walk func(e sigma.SearchExpr)
	list := func(args []sigma.SearchExpr, op string, isAnd bool) {
		var flat []sigma.SearchExpr
		var add func(a sigma.SearchExpr)
		add = func(a sigma.SearchExpr) {
			switch n := a.(type) {
			case sigma.And:
				if isAnd || len(n) == 1 {
					for _, x := range n {
						add(x)
					}
					return
				}
			case sigma.Or:
				if !isAnd || len(n) == 1 {
					for _, x := range n {
						add(x)
					}
					return
				}
			}
			flat = append(flat, a)
		}
		for _, a := range args {
			add(a)
		}
		if len(flat) == 1 {
			walk(flat[0])
			return
		}
		b.WriteByte('(')
		for i, a := range flat {
			if i > 0 {
				b.WriteString(op)
			}
			walk(a)
		}
		b.WriteByte(')')
	}
	walk = func(e sigma.SearchExpr) {
		switch n := e.(type) {
		case sigma.And:
			list(n, " and ", true)
		case sigma.Or:
			list(n, " or ", false)
		case sigma.Not:
			b.WriteString("not ")
			walk(n.Expr)
		case sigma.SearchIdentifier:
			b.WriteString(n.Name)
		case sigma.OneOfIdentifier:
			b.WriteString("1 of " + n.Ident.Name)
		case sigma.AllOfIdentifier:
			b.WriteString("all of " + n.Ident.Name)
		case sigma.OneOfPattern:
			b.WriteString("1 of " + n.Pattern)
		case sigma.AllOfPattern:
			b.WriteString("all of " + n.Pattern)
		case sigma.OneOfThem:
			b.WriteString("1 of them")
		case sigma.AllOfThem:
			b.WriteString("all of them")
		default:
			b.WriteString("<?>")
		}
	}
	walk(e)
	return b.String()
}

// corpusConditions returns every detection condition string of the given files, in order.
func corpusConditions(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("%s: %v", p, err)
				}
				break
			}
			det, _ := mapGet(n.Content[0], "detection")
			c, _ := mapGet(det, "condition")
			if c == nil {
				continue
			}
			if c.Kind == yaml.SequenceNode {
				for _, it := range c.Content {
					out = append(out, it.Value)
				}
			} else {
				out = append(out, c.Value)
			}
		}
	}
	return out
}

// TestSigmaGoAgreement parses every current SigmaHQ condition with our grammar and with
// bradleyjkemp/sigma-go v0.6.6. Where sigma-go accepts a condition, both ASTs must print the
// same. sigma-go's lexer only allows letters and underscores before the first `*` of a pattern
// and letters, digits and underscores in identifiers, so it rejects conditions such as
// `1 of selection_1_*` or names with dots; those are counted, and each must be one we accept.
func TestSigmaGoAgreement(t *testing.T) {
	dir := corpusDir(t)
	conds := corpusConditions(t, corpusFiles(t, dir, currentCorpus...))
	if len(conds) != 3780 {
		t.Errorf("found %d conditions, want 3780", len(conds))
	}
	agree, rejected := 0, 0
	var rejectedSamples []string
	for _, c := range conds {
		ours, cerr := parseCondition(c, offsetAt)
		if cerr != nil {
			t.Errorf("we reject corpus condition %q: %s", c, cerr.msg)
			continue
		}
		theirs, err := sigma.ParseCondition(c)
		if err != nil {
			rejected++
			if len(rejectedSamples) < 3 {
				rejectedSamples = append(rejectedSamples, c)
			}
			continue
		}
		if theirs.Aggregation != nil {
			t.Errorf("sigma-go found an aggregation in %q", c)
			continue
		}
		if a, b := CondString(ours), sigmaGoString(theirs.Search); a != b {
			t.Errorf("condition %q:\n ours     %s\n sigma-go %s", c, a, b)
			continue
		}
		agree++
	}
	// The number sigma-go rejects in this corpus snapshot: all are valid Sigma whose patterns
	// have a digit before the `*` (`all of selection_1_*`, `all of selection_exploit_2_*`).
	const wantRejected = 12
	if rejected != wantRejected {
		t.Errorf("sigma-go rejects %d corpus conditions, want %d (samples: %q)", rejected, wantRejected, rejectedSamples)
	}
	if agree+rejected != len(conds) {
		t.Errorf("agree %d + rejected %d != %d conditions", agree, rejected, len(conds))
	}
	t.Logf("%d conditions: %d agree with sigma-go, %d rejected by sigma-go (e.g. %q)", len(conds), agree, rejected, rejectedSamples)
}

// Precedence and grouping agree with sigma-go on hand-written conditions.
func TestSigmaGoPrecedence(t *testing.T) {
	for _, c := range []string{
		"a or b and c", "a and b or c", "not a and b", "not (a and b) or c", "a and not b or not c and d",
		"(a or b) and (c or d)", "1 of sel* and not 1 of filter*", "all of them or not 1 of them",
		"a and (b and (c and d))", "not not a", "((a or b)) or c",
	} {
		ours, cerr := parseCondition(c, offsetAt)
		if cerr != nil {
			t.Fatalf("%q: %s", c, cerr.msg)
		}
		theirs, err := sigma.ParseCondition(c)
		if err != nil {
			t.Fatalf("sigma-go rejects %q: %v", c, err)
		}
		if a, b := CondString(ours), sigmaGoString(theirs.Search); a != b {
			t.Errorf("condition %q:\n ours     %s\n sigma-go %s", c, a, b)
		}
	}
}
