package rules

import (
	"fmt"
	"strings"
	"testing"
)

func offsetAt(off int) Pos { return Pos{1, off + 1} }

func TestConditionGrammar(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a`, `a`},
		{`a and b`, `(a and b)`},
		{`a or b`, `(a or b)`},
		{`a and b or c`, `((a and b) or c)`},
		{`a or b and c`, `(a or (b and c))`},
		{`a and b and c`, `(a and b and c)`},
		{`a and (b and c)`, `(a and b and c)`},
		{`(a or b) or (c or d)`, `(a or b or c or d)`},
		{`not a and b`, `(not a and b)`},
		{`not (a and b)`, `not (a and b)`},
		{`not not a`, `not not a`},
		{`a or not b and c`, `(a or (not b and c))`},
		{`not 1 of sel*`, `not 1 of sel*`},
		{`1 of sel* and not 1 of filter*`, `(1 of sel* and not 1 of filter*)`},
		{`all of them`, `all of them`},
		{`1 of them or any of x*`, `(1 of them or 1 of x*)`},
		{`all of sel and not all of fil_*_x`, `(all of sel and not all of fil_*_x)`},
		{`((a))`, `a`},
		{`(a and b) and not (c or d)`, `(a and b and not (c or d))`},
		{"a\tand\nb", `(a and b)`},
		{`selection_and or or_x`, `(selection_and or or_x)`},
		{`filter_main_mdadm.conf`, `filter_main_mdadm.conf`},
		{`all`, `all`},
		{`all and any`, `(all and any)`},
		{`1 of selection_1_*`, `1 of selection_1_*`},
		{`sel-1 and 1`, `(sel-1 and 1)`},
	}
	for _, tt := range tests {
		c, err := parseCondition(tt.in, offsetAt)
		if err != nil {
			t.Errorf("parseCondition(%q): unexpected error at %d: %s", tt.in, err.off, err.msg)
			continue
		}
		if got := CondString(c); got != tt.want {
			t.Errorf("parseCondition(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestConditionPositionsInAST(t *testing.T) {
	c, err := parseCondition(`sel and not (a or 1 of f*)`, offsetAt)
	if err != nil {
		t.Fatal(err.msg)
	}
	var b strings.Builder
	var walk func(Cond)
	walk = func(c Cond) {
		fmt.Fprintf(&b, "%T@%s ", c, c.CondPos())
		switch n := c.(type) {
		case *CondAnd:
			for _, a := range n.Args {
				walk(a)
			}
		case *CondOr:
			for _, a := range n.Args {
				walk(a)
			}
		case *CondNot:
			walk(n.Arg)
		}
	}
	walk(c)
	want := "*rules.CondAnd@1:1 *rules.CondIdent@1:1 *rules.CondNot@1:9 *rules.CondOr@1:14 *rules.CondIdent@1:14 *rules.CondOf@1:19 "
	if b.String() != want {
		t.Errorf("positions:\n got %s\nwant %s", b.String(), want)
	}
}

func TestConditionErrors(t *testing.T) {
	long := strings.Repeat("a and ", 100) + "a"
	tests := []struct {
		in   string
		off  int
		want string
	}{
		{`sel and`, 7, `condition: unexpected end of condition, expected an identifier, "not", "1 of", "all of" or "("`},
		{`sel and and x`, 8, `condition: unexpected "and", expected an identifier, "not", "1 of", "all of" or "("`},
		{`(sel`, 4, `condition: unexpected end of condition, expected ")"`},
		{`(sel x`, 5, `condition: unexpected "x", expected "and", "or" or ")"`},
		{`sel)`, 3, `condition: unexpected ")", expected "and" or "or"`},
		{`sel x`, 4, `condition: unexpected "x", expected "and" or "or"`},
		{`()`, 1, `condition: unexpected ")", expected an identifier, "not", "1 of", "all of" or "("`},
		{`sel AND x`, 4, `condition: "AND" must be written in lowercase: "and"`},
		{`Not x`, 0, `condition: "Not" must be written in lowercase: "not"`},
		{`ALL OF them`, 0, `condition: "ALL" must be written in lowercase: "all"`},
		{`2 of sel*`, 2, `condition: unexpected "of" after "2", expected "1 of", "any of" or "all of" (there is no "N of")`},
		{`x and 3 of sel*`, 8, `condition: unexpected "of" after "3", expected "1 of", "any of" or "all of" (there is no "N of")`},
		{`1 of`, 4, `condition: unexpected end of condition, expected a search identifier pattern or "them"`},
		{`1 of (a)`, 5, `condition: unexpected "(", expected a search identifier pattern or "them"`},
		{`them`, 0, `condition: unexpected "them", it must follow "1 of" or "all of"`},
		{`not`, 3, `condition: unexpected end of condition, expected an identifier, "not", "1 of", "all of" or "("`},
		{`sel*`, -1, ``}, // a pattern without "of" parses as an identifier and fails in resolve
		{``, 0, `condition: empty`},
		{"  \n ", 0, `condition: empty`},
		{"\u00a0", -1, ``},   // other Unicode space is an identifier, as in "(\u00a0)" (found by FuzzCondition)
		{"(\u0085)", -1, ``}, // NEL inside parentheses: an identifier too
		{`sel | count() > 5`, 4, "condition: the pipe aggregation `| count() > 5` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (event_count, value_count, ...)"},
		{`a | near b`, 2, "condition: `| near` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (type temporal)"},
		{long, 0, ``}, // 201 tokens: fine
		{strings.Repeat("a and ", 256) + "a", 1536, `condition: more than 512 tokens`},
		{strings.Repeat("(", 32) + "a" + strings.Repeat(")", 32), -1, ``},
		{strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, `condition: parentheses nested deeper than 32 levels`},
		{strings.Repeat("x", 4097), 0, `condition: 4097 bytes long, more than the limit of 4096`},
	}
	for _, tt := range tests {
		_, err := parseCondition(tt.in, offsetAt)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("parseCondition(%q): unexpected error %s", clip(tt.in, 40), err.msg)
		case tt.want == "":
		case err == nil:
			t.Errorf("parseCondition(%q): no error, want %s", clip(tt.in, 40), tt.want)
		case err.off != tt.off || err.msg != tt.want:
			t.Errorf("parseCondition(%q):\n got %d %s\nwant %d %s", clip(tt.in, 40), err.off, err.msg, tt.off, tt.want)
		}
	}
}

// Guards: a 1 MiB condition and 10,000 nested parentheses fail without deep recursion.
func TestConditionGuardsHostile(t *testing.T) {
	big := strings.Repeat("a and ", (1<<20)/6)
	if _, err := parseCondition(big, offsetAt); err == nil || !strings.Contains(err.msg, "more than the limit of 4096") {
		t.Errorf("1 MiB condition: got %v", err)
	}
	nested := strings.Repeat("(", 10000) + "a" + strings.Repeat(")", 10000)
	if _, err := parseCondition(nested, offsetAt); err == nil || !strings.Contains(err.msg, "limit of 4096") {
		t.Errorf("10,000 nested parentheses: got %v", err)
	}
	nested = strings.Repeat("(", 2000) + "a" + strings.Repeat(")", 2000)
	if _, err := parseCondition(nested, offsetAt); err == nil || err.msg != "condition: parentheses nested deeper than 32 levels" {
		t.Errorf("2,000 nested parentheses: got %v", err)
	}
	nots := strings.Repeat("not ", 1000) + "a"
	if _, err := parseCondition(nots, offsetAt); err == nil || err.msg != "condition: more than 512 tokens" {
		t.Errorf("1,000 nots: got %v", err)
	}
	// Through the loader: a file of just under 1 MiB whose condition is huge, and one with
	// 10,000 nested parentheses.
	src := rule("sel:\n    a: x\ncondition: " + strings.Repeat("sel or ", (1<<20-400)/7) + "sel")
	if len(src) > MaxFileSize {
		t.Fatalf("test file too large: %d", len(src))
	}
	f := load(src)
	if got := diags(f); len(got) != 1 || got[0] != "t.yml:10:16: condition: 1048176 bytes long, more than the limit of 4096" {
		t.Errorf("huge condition: %q", got)
	}
	f = load(rule("sel:\n    a: x\ncondition: " + strings.Repeat("(", 10000) + "sel" + strings.Repeat(")", 10000)))
	if got := diags(f); len(got) != 1 || got[0] != "t.yml:10:16: condition: 20003 bytes long, more than the limit of 4096" {
		t.Errorf("nested parentheses: %q", got)
	}
}

func TestConditionInRule(t *testing.T) {
	tests := []struct {
		det  string
		want []string
	}{
		{"sel:\n    a: x\ncondition: sel and", []string{`t.yml:10:23: condition: unexpected end of condition, expected an identifier, "not", "1 of", "all of" or "("`}},
		{"sel:\n    a: x\ncondition: sel AND sel", []string{`t.yml:10:20: condition: "AND" must be written in lowercase: "and"`}},
		{"sel:\n    a: x\ncondition: selection", []string{`t.yml:10:16: condition: undefined search identifier "selection"`}},
		{"selection:\n    a: x\ncondition: selektion", []string{`t.yml:10:16: condition: undefined search identifier "selektion" (did you mean "selection"?)`}},
		{"sel:\n    a: x\ncondition: sel*", []string{`t.yml:10:16: condition: "sel*" is a pattern: write "1 of sel*" or "all of sel*"`}},
		{"sel:\n    a: x\ncondition: 1 of filter*", []string{`t.yml:10:16: condition: pattern "filter*" matches no search identifier`}},
		{"_sel:\n    a: x\ncondition: 1 of them", []string{`t.yml:10:16: condition: "them" matches no search identifier (names starting with _ are excluded)`}},
		{"sel:\n    a: x\ncondition: ''", []string{`t.yml:10:17: condition: empty`}},
		// Only the grammar's white space makes a condition empty; U+00A0 is an identifier
		// (found by FuzzCondition: "(\u00a0)" parsed, but its printed form "\u00a0" did not).
		{"sel:\n    a: x\ncondition: \"\\u00a0\"", []string{`t.yml:10:17: condition: undefined search identifier "\u00a0"`}},
		{"\"\\u00a0\":\n    a: x\ncondition: \"\\u00a0\"", nil},
		{"sel:\n    a: x\ncondition: 42", []string{`t.yml:10:16: condition must be a string (or a list of strings), got integer 42`}},
		{"sel:\n    a: x\ncondition: []", []string{`t.yml:10:16: condition: empty list`}},
		{"sel:\n    a: x\nconditon: sel", []string{`t.yml:10:5: unknown key "conditon" in detection: did you mean "condition"?`}},
		{"sel:\n    a: x\nCondition: sel\ncondition: sel", []string{`t.yml:10:5: warning: search "Condition" is not used by the condition`, `t.yml:10:5: warning: search "Condition" looks like a misspelled "condition"`}},
		{"sel:\n    a: x", []string{`t.yml:7:1: detection has no condition (required)`}},
		{"sel:\n    a: x\nother:\n    b: y\ncondition: sel", []string{`t.yml:10:5: warning: search "other" is not used by the condition`}},
		{"sel:\n    a: x\ncondition: sel\ntimeframe: 5m", []string{`t.yml:11:5: detection.timeframe is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (timespan)`}},
		{"sel:\n    a: x\nselection:\n    b: y\ncondition: 1 of sel", []string{
			`t.yml:10:5: warning: search "selection" is not used by the condition`,
			`t.yml:12:16: warning: condition: pattern "sel" selects sel; pySigma would select sel, selection (it matches patterns as prefixes and skips names starting with _)`,
		}},
		{"sel:\n    a: x\ncondition: sel | count() > 5", []string{"t.yml:10:20: condition: the pipe aggregation `| count() > 5` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (event_count, value_count, ...)"}},
	}
	for _, tt := range tests {
		wantDiags(t, rule(tt.det), tt.want...)
	}
}

// Positions inside the condition are re-based onto the YAML file for every scalar style.
func TestConditionPositionRebasing(t *testing.T) {
	tests := []struct {
		name, det, want string
	}{
		{"plain", "sel:\n    a: x\ncondition: sel and nope", `t.yml:10:24: condition: undefined search identifier "nope"`},
		{"plain multi-line", "sel:\n    a: x\ncondition: sel and\n  not nope", `t.yml:11:11: condition: undefined search identifier "nope"`},
		{"single-quoted", "sel:\n    a: x\ncondition: 'sel and ''x'' nope'", `t.yml:10:31: condition: unexpected "nope", expected "and" or "or"`},
		{"double-quoted", "sel:\n    a: x\ncondition: \"sel and \\\"q\\\" nope\"", `t.yml:10:31: condition: unexpected "nope", expected "and" or "or"`},
		{"double-quoted escape newline", "sel:\n    a: x\ncondition: \"sel and\\n  nope\"", `t.yml:10:28: condition: undefined search identifier "nope"`},
		{"double-quoted unicode escape", "sel:\n    a: x\ncondition: \"\\u0073el and nope\"", `t.yml:10:30: condition: undefined search identifier "nope"`},
		{"literal block", "sel:\n    a: x\ncondition: |\n    sel and\n      not nope", `t.yml:12:15: condition: undefined search identifier "nope"`},
		{"folded block", "sel:\n    a: x\ncondition: >\n    sel and\n    not nope", `t.yml:12:13: condition: undefined search identifier "nope"`},
		{"list item", "sel:\n    a: x\ncondition:\n    - sel\n    - sel or nope", `t.yml:12:18: condition: undefined search identifier "nope"`},
		{"non-ASCII before", "séléction:\n    a: x\ncondition: séléction or nope", `t.yml:10:29: condition: undefined search identifier "nope"`},
	}
	for _, tt := range tests {
		f := load(rule(tt.det))
		got := strings.Join(diags(f), "\n")
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	// CRLF line ends and a byte order mark do not shift columns.
	crlf := strings.ReplaceAll(rule("sel:\n    a: x\ncondition: sel and nope"), "\n", "\r\n")
	bom := "\ufeff" + "title: [x]\n" + strings.TrimPrefix(rule("sel:\n    a: x\ncondition: sel and nope"), "title: Test\n")
	for name, src := range map[string]string{"crlf": crlf, "bom": bom} {
		f := load(src)
		for _, d := range f.AllDiagnostics() {
			if d.Source == "" || d.Source[d.Pos.Col-1:][:1] != map[bool]string{true: "[", false: "n"}[d.Pos.Line == 1] {
				t.Errorf("%s: %s points at %q", name, d.Error(), d.Source)
			}
		}
		if len(f.AllDiagnostics()) == 0 {
			t.Errorf("%s: no diagnostics", name)
		}
	}
}

func TestConditionResolveNames(t *testing.T) {
	f := wantDiags(t, rule(`sel_b:
    a: x
_sel_hidden:
    a: y
sel_a:
    a: z
filter:
    b: 1
condition:
    - 1 of sel_*
    - all of them
    - 1 of *_a
    - 1 of _sel*
    - all of sel_b`),
		`t.yml:20:11: warning: condition: pattern "_sel*" selects _sel_hidden; pySigma would select nothing (it matches patterns as prefixes and skips names starting with _)`)
	det := f.Docs[0].Rule.Detection
	var got []string
	for _, c := range det.Conditions {
		of := c.(*CondOf)
		got = append(got, of.Pattern+"="+strings.Join(of.Names, ","))
	}
	want := "sel_*=sel_b,sel_a | them=sel_b,sel_a,filter | *_a=sel_a | _sel*=_sel_hidden | sel_b=sel_b"
	if strings.Join(got, " | ") != want {
		t.Errorf("names:\n got %s\nwant %s", strings.Join(got, " | "), want)
	}
	if len(det.ConditionPos) != 5 || det.ConditionPos[0] != (Pos{17, 11}) {
		t.Errorf("ConditionPos = %v", det.ConditionPos)
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		p, n string
		want bool
	}{
		{"sel*", "sel", true},
		{"sel*", "selection_1", true},
		{"sel*", "xsel", false},
		{"*sel", "my_sel", true},
		{"*sel", "my_sel_x", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "a_b_b_c", true},
		{"a*b*c", "a_c_b", false},
		{"*", "anything", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"a**b", "ab", true},
		{"ab*ab", "ab", false},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.p, tt.n); got != tt.want {
			t.Errorf("matchPattern(%q, %q) = %v", tt.p, tt.n, got)
		}
	}
}

// FormatCond prints the fewest parentheses precedence allows; its text parses back to the same
// tree (the fuzz target FuzzCondition checks that on arbitrary input).
func TestFormatCond(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a`, `a`},
		{`a and (b or c)`, `a and (b or c)`},
		{`(a and b) or c`, `a and b or c`},
		{`a or (b and c)`, `a or b and c`},
		{`(a or b) and (c or d)`, `(a or b) and (c or d)`},
		{`a and (b and c)`, `a and b and c`},
		{`not (a and b)`, `not (a and b)`},
		{`not (a or b)`, `not (a or b)`},
		{`not a and b`, `not a and b`},
		{`not not a`, `not not a`},
		{`not (not (a))`, `not not a`},
		{`not (not a or not (b and not c))`, `not (not a or not (b and not c))`},
		{`1 of sel_*`, `1 of sel_*`},
		{`any of sel_*`, `1 of sel_*`},
		{`all of them`, `all of them`},
		{`1 of them and not all of filter*`, `1 of them and not all of filter*`},
		{`not(1 of x*)`, `not 1 of x*`},
		{"((a))\tand\n(b)", `a and b`},
		{`a and(b or c)and d`, `a and (b or c) and d`},
		// Identifiers are any run of characters but white space and parentheses, except the
		// reserved words; `all`, `any` and `1` are identifiers unless `of` follows.
		{`filter_main_mdadm.conf or sel-1`, `filter_main_mdadm.conf or sel-1`},
		{`séléction and 選択 and ключ`, `séléction and 選択 and ключ`},
		{`all and any and 1`, `all and any and 1`},
		{`a.b:c,d[0]{x}$"q"'r' or and_x`, `a.b:c,d[0]{x}$"q"'r' or and_x`},
		{`1 of *.conf and all of *`, `1 of *.conf and all of *`},
		{"a\u00a0b and c\u200b", "a\u00a0b and c\u200b"},
		{"(\u00a0)", "\u00a0"}, // printed alone, it must still parse (found by FuzzCondition)
	}
	for _, tt := range tests {
		c, err := parseCondition(tt.in, offsetAt)
		if err != nil {
			t.Errorf("parseCondition(%q): %s", tt.in, err.msg)
			continue
		}
		if got := FormatCond(c); got != tt.want {
			t.Errorf("FormatCond(parse(%q)) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := parseCondition(tt.want, offsetAt)
		if err != nil || !condEqual(c, back) {
			t.Errorf("%q does not parse back to the tree of %q", tt.want, tt.in)
		}
	}
	// Trees built by hand: an operand of the same operator keeps its parentheses.
	a, b, c := &CondIdent{Name: "a"}, &CondIdent{Name: "b"}, &CondIdent{Name: "c"}
	for _, tt := range []struct {
		c    Cond
		want string
	}{
		{&CondOr{Args: []Cond{a, &CondOr{Args: []Cond{b, c}}}}, `a or (b or c)`},
		{&CondAnd{Args: []Cond{&CondAnd{Args: []Cond{a, b}}, c}}, `(a and b) and c`},
		{&CondNot{Arg: &CondNot{Arg: &CondOf{Quant: QuantAll, Pattern: "them"}}}, `not not all of them`},
		{&CondAnd{Args: []Cond{a}}, `a`},
		{&CondOr{}, `()`},
		{nil, `<nil>`},
	} {
		if got := FormatCond(tt.c); got != tt.want {
			t.Errorf("FormatCond(%s) = %q, want %q", CondString(tt.c), got, tt.want)
		}
	}
}
