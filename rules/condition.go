package rules

// Condition parsing: a participle/v2 grammar over a small token stream, guarded against hostile
// input before any recursive work, producing the positioned Cond AST of model.go.
//
// Decisions (Sigma v2.1 leaves these open; pySigma is the reference implementation):
//   - Operators and quantifiers are lowercase only, as in pySigma. `AND`, `Or`, ... are reported
//     with a message naming the lowercase form instead of being read as identifiers.
//   - `and`, `or`, `not`, `of` and `them` are reserved. `1`, `any` and `all` are quantifiers only
//     when `of` follows, so a search may be called `all`.
//   - An identifier is any run of characters other than white space and parentheses, compared
//     exactly with the search names (SigmaHQ uses names such as `filter_main_mdadm.conf`).
//   - `x of pattern`: `*` matches any run of characters, the rest must match exactly (the whole
//     name). Like `them`, a pattern skips identifiers starting with `_` unless the pattern itself
//     starts with `_`. A pattern that matches nothing is an error. pySigma matches a pattern
//     as a prefix (`1 of sel` also selects `selection`) and always skips `_` names; where that
//     selects different searches, a warning says so.
//   - A `|` anywhere in a condition is the Sigma v1 aggregation syntax and is rejected with a
//     message pointing to correlations.

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// Guards applied to every condition before parsing.
const (
	MaxConditionLen    = 4096 // bytes
	MaxConditionDepth  = 32   // nested parentheses
	MaxConditionTokens = 512
	MaxConditions      = 100  // items of a condition list
	MaxSearches        = 1000 // search identifiers per detection
)

// Grammar (precedence from loosest to tightest: or, and, not, x of, parentheses).
type gOr struct {
	Pos  lexer.Position
	Args []*gAnd `parser:"@@ ( 'or' @@ )*"`
}

type gAnd struct {
	Pos  lexer.Position
	Args []*gUnary `parser:"@@ ( 'and' @@ )*"`
}

type gUnary struct {
	Pos   lexer.Position
	Not   *gUnary `parser:"(  'not' @@"`
	Of    *gOf    `parser:" | @@"`
	Ident *string `parser:" | @Word"`
	Sub   *gOr    `parser:" | '(' @@ ')' )"`
}

type gOf struct {
	Pos    lexer.Position
	Quant  string `parser:"@Quant"`
	Target string `parser:"'of' @( Word | 'them' )"`
}

// condSpace is the white space that separates condition tokens (the lexer's Space).
const condSpace = " \t\r\n\f\v"

// condLexer tokenizes a condition. Keyword and Quant never match here: Word tokens are retyped
// after lexing (see lexCondition), which keeps keywords exact words (`selection_and` is a Word).
var condLexer = sync.OnceValue(func() *lexer.StatefulDefinition {
	return lexer.MustSimple([]lexer.SimpleRule{
		{Name: "Space", Pattern: `[ \t\r\n\f\v]+`},
		{Name: "Paren", Pattern: `[()]`},
		{Name: "Keyword", Pattern: `[^\x00-\x{10FFFF}]`},
		{Name: "Quant", Pattern: `[^\x00-\x{10FFFF}]`},
		{Name: "Word", Pattern: `[^ \t\r\n\f\v()]+`},
	})
})

var condParser = sync.OnceValue(func() *participle.Parser[gOr] {
	return participle.MustBuild[gOr](participle.Lexer(condLexer()))
})

type condToken struct {
	typ  string // "Word", "Keyword", "Quant", "Paren"
	text string
	off  int // byte offset in the condition
}

// condError is one condition problem at a byte offset of the condition text.
type condError struct {
	off int
	msg string
}

// sliceLexer feeds prepared tokens to participle.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	t := s.toks[s.i]
	if s.i < len(s.toks)-1 {
		s.i++
	}
	return t, nil
}

func isReserved(w string) bool {
	switch w {
	case "and", "or", "not", "of", "them":
		return true
	}
	return false
}

// lexCondition splits text into tokens and applies the cheap guards (token count, nesting
// depth, v1 syntax, keyword case). It never recurses.
func lexCondition(text string) ([]condToken, *condError) {
	if i := strings.IndexByte(text, '|'); i >= 0 {
		rest := strings.TrimSpace(text[i+1:])
		if strings.HasPrefix(rest, "near") {
			return nil, &condError{i, "condition: `| near` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (type temporal)"}
		}
		return nil, &condError{i, "condition: the pipe aggregation `" + clip(strings.TrimSpace(text[i:]), 40) + "` is Sigma v1 syntax, removed in Sigma v2: rewrite it as a correlation rule (event_count, value_count, ...)"}
	}
	lx, err := condLexer().LexString("", text)
	if err != nil {
		return nil, &condError{0, "condition: " + err.Error()}
	}
	syms := condLexer().Symbols()
	space, paren := syms["Space"], syms["Paren"]
	var toks []condToken
	depth := 0
	for {
		t, err := lx.Next()
		if err != nil {
			off := 0
			if pe, ok := err.(participle.Error); ok {
				off = pe.Position().Offset
			}
			return nil, &condError{off, "condition: " + err.Error()}
		}
		if t.EOF() {
			break
		}
		switch t.Type {
		case space:
			continue
		case paren:
			if t.Value == "(" {
				depth++
				if depth > MaxConditionDepth {
					return nil, &condError{t.Pos.Offset, fmt.Sprintf("condition: parentheses nested deeper than %d levels", MaxConditionDepth)}
				}
			} else {
				depth--
			}
			toks = append(toks, condToken{"Paren", t.Value, t.Pos.Offset})
		default:
			toks = append(toks, condToken{"Word", t.Value, t.Pos.Offset})
		}
		if len(toks) > MaxConditionTokens {
			return nil, &condError{t.Pos.Offset, fmt.Sprintf("condition: more than %d tokens", MaxConditionTokens)}
		}
	}
	for k := range toks {
		t := &toks[k]
		if t.typ != "Word" {
			continue
		}
		w := t.text
		switch {
		case isReserved(w):
			t.typ = "Keyword"
		case w == "1" || w == "any" || w == "all":
			if k+1 < len(toks) && toks[k+1].text == "of" {
				t.typ = "Quant"
			}
		case isReserved(strings.ToLower(w)) || ((strings.EqualFold(w, "any") || strings.EqualFold(w, "all")) && k+1 < len(toks) && strings.EqualFold(toks[k+1].text, "of")):
			return nil, &condError{t.off, fmt.Sprintf("condition: %q must be written in lowercase: %q", w, strings.ToLower(w))}
		}
	}
	return toks, nil
}

// parseCondition parses a condition into an AST. at maps a byte offset of text to a file
// position. Identifiers are not resolved here (see resolveCond).
func parseCondition(text string, at func(int) Pos) (Cond, *condError) {
	if len(text) > MaxConditionLen {
		return nil, &condError{0, fmt.Sprintf("condition: %d bytes long, more than the limit of %d", len(text), MaxConditionLen)}
	}
	// Only the lexer's white space makes a condition empty: a condition of other Unicode space
	// (U+00A0, ...) is an identifier, as it is inside parentheses.
	if strings.Trim(text, condSpace) == "" {
		return nil, &condError{0, "condition: empty"}
	}
	toks, cerr := lexCondition(text)
	if cerr != nil {
		return nil, cerr
	}
	syms := condLexer().Symbols()
	ptoks := make([]lexer.Token, 0, len(toks)+1)
	for _, t := range toks {
		ptoks = append(ptoks, lexer.Token{Type: syms[t.typ], Value: t.text, Pos: lexer.Position{Offset: t.off, Line: 1, Column: t.off + 1}})
	}
	ptoks = append(ptoks, lexer.Token{Type: lexer.EOF, Pos: lexer.Position{Offset: len(text), Line: 1, Column: len(text) + 1}})
	pl, err := lexer.Upgrade(&sliceLexer{toks: ptoks})
	if err != nil {
		return nil, &condError{0, "condition: " + err.Error()}
	}
	g, err := condParser().ParseFromLexer(pl)
	if err != nil {
		off := len(text)
		if pe, ok := err.(participle.Error); ok {
			off = pe.Position().Offset
		}
		return nil, &condError{off, syntaxMessage(toks, off)}
	}
	return buildOr(g, at), nil
}

// syntaxMessage explains a parse error at byte offset off from what the grammar allows after the
// previous token (the grammar is LL(1), so the previous token decides).
func syntaxMessage(toks []condToken, off int) string {
	idx := len(toks)
	for k, t := range toks {
		if t.off >= off {
			idx = k
			break
		}
	}
	got := "end of condition"
	if idx < len(toks) {
		got = fmt.Sprintf("%q", toks[idx].text)
	}
	operand := `an identifier, "not", "1 of", "all of" or "("`
	var want string
	var prev *condToken
	if idx > 0 {
		prev = &toks[idx-1]
	}
	switch {
	case prev == nil || prev.text == "(" || prev.typ == "Keyword" && (prev.text == "and" || prev.text == "or" || prev.text == "not"):
		want = operand
		if idx < len(toks) && toks[idx].text == "them" {
			return `condition: unexpected "them", it must follow "1 of" or "all of"`
		}
		if idx < len(toks) && strings.Contains(toks[idx].text, "*") && toks[idx].typ == "Word" {
			return fmt.Sprintf("condition: unexpected pattern %s, a wildcard pattern needs \"1 of\" or \"all of\"", got)
		}
		if idx < len(toks) && toks[idx].text == "of" && prev != nil && prev.typ == "Word" {
			return fmt.Sprintf("condition: unexpected \"of\" after %q, expected \"1 of\", \"any of\" or \"all of\" (there is no \"N of\")", prev.text)
		}
	case prev.typ == "Quant":
		want = `"of"`
	case prev.text == "of":
		want = `a search identifier pattern or "them"`
	default: // after an operand or ")"
		if idx < len(toks) && toks[idx].text == "of" && prev.typ == "Word" {
			return fmt.Sprintf("condition: unexpected \"of\" after %q, expected \"1 of\", \"any of\" or \"all of\" (there is no \"N of\")", prev.text)
		}
		depth := 0
		for _, t := range toks[:idx] {
			switch t.text {
			case "(":
				depth++
			case ")":
				depth--
			}
		}
		switch {
		case depth > 0 && idx == len(toks):
			want = `")"`
		case depth > 0:
			want = `"and", "or" or ")"`
		default:
			want = `"and" or "or"`
		}
	}
	return fmt.Sprintf("condition: unexpected %s, expected %s", got, want)
}

func buildOr(g *gOr, at func(int) Pos) Cond {
	if len(g.Args) == 1 {
		return buildAnd(g.Args[0], at)
	}
	out := &CondOr{Pos: at(g.Pos.Offset)}
	for _, a := range g.Args {
		c := buildAnd(a, at)
		if o, ok := c.(*CondOr); ok {
			out.Args = append(out.Args, o.Args...)
		} else {
			out.Args = append(out.Args, c)
		}
	}
	return out
}

func buildAnd(g *gAnd, at func(int) Pos) Cond {
	if len(g.Args) == 1 {
		return buildUnary(g.Args[0], at)
	}
	out := &CondAnd{Pos: at(g.Pos.Offset)}
	for _, a := range g.Args {
		c := buildUnary(a, at)
		if o, ok := c.(*CondAnd); ok {
			out.Args = append(out.Args, o.Args...)
		} else {
			out.Args = append(out.Args, c)
		}
	}
	return out
}

func buildUnary(g *gUnary, at func(int) Pos) Cond {
	switch {
	case g.Not != nil:
		return &CondNot{Pos: at(g.Pos.Offset), Arg: buildUnary(g.Not, at)}
	case g.Of != nil:
		q := QuantOne
		if g.Of.Quant == "all" {
			q = QuantAll
		}
		return &CondOf{Pos: at(g.Of.Pos.Offset), Quant: q, Pattern: g.Of.Target}
	case g.Ident != nil:
		return &CondIdent{Pos: at(g.Pos.Offset), Name: *g.Ident}
	default:
		return buildOr(g.Sub, at)
	}
}

// matchPattern reports whether name matches a search identifier pattern (`*` = any run).
func matchPattern(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, last)
}

// patternNames lists the searches a pattern (or "them") selects, in YAML order.
func patternNames(pattern string, searches []*Search) []string {
	var out []string
	for _, s := range searches {
		if strings.HasPrefix(s.Name, "_") && !strings.HasPrefix(pattern, "_") {
			continue
		}
		if pattern == "them" || matchPattern(pattern, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

// resolveCond checks every identifier and pattern of c against the searches, fills CondOf.Names,
// and marks used searches. Errors are positioned at the identifier.
// pySigmaNames lists what pySigma selects for a pattern: it matches the pattern as a regular
// expression anchored only at the start (so `sel` also selects `selection`) and always skips
// names starting with `_`.
func pySigmaNames(pattern string, searches []*Search) []string {
	var out []string
	for _, s := range searches {
		if strings.HasPrefix(s.Name, "_") {
			continue
		}
		if pattern == "them" || matchPattern(pattern+"*", s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

func resolveCond(c Cond, searches []*Search, used map[string]bool, full func() bool, report func(Pos, string)) {
	switch n := c.(type) {
	case *CondAnd:
		for _, a := range n.Args {
			resolveCond(a, searches, used, full, report)
		}
	case *CondOr:
		for _, a := range n.Args {
			resolveCond(a, searches, used, full, report)
		}
	case *CondNot:
		resolveCond(n.Arg, searches, used, full, report)
	case *CondIdent:
		if strings.Contains(n.Name, "*") {
			report(n.Pos, fmt.Sprintf("condition: %q is a pattern: write \"1 of %s\" or \"all of %s\"", n.Name, n.Name, n.Name))
			return
		}
		for _, s := range searches {
			if s.Name == n.Name {
				used[n.Name] = true
				return
			}
		}
		if full() {
			report(n.Pos, "condition: undefined search identifier")
			return
		}
		names := make([]string, len(searches))
		for i, s := range searches {
			names[i] = s.Name
		}
		report(n.Pos, "condition: undefined search identifier "+quoteSuggest(n.Name, names))
	case *CondOf:
		n.Names = patternNames(n.Pattern, searches)
		if len(n.Names) == 0 {
			what := fmt.Sprintf("pattern %q matches no search identifier", n.Pattern)
			if n.Pattern == "them" {
				what = "\"them\" matches no search identifier (names starting with _ are excluded)"
			}
			report(n.Pos, "condition: "+what)
		}
		for _, name := range n.Names {
			used[name] = true
		}
		if py := pySigmaNames(n.Pattern, searches); len(n.Names) > 0 && strings.Join(py, "\x00") != strings.Join(n.Names, "\x00") {
			report(n.Pos, fmt.Sprintf("warning: condition: pattern %q selects %s; pySigma would select %s (it matches patterns as prefixes and skips names starting with _)",
				n.Pattern, nameList(n.Names), nameList(py)))
		}
	}
}

func nameList(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	q := make([]string, 0, 4)
	for i, n := range names {
		if i == 3 {
			q = append(q, fmt.Sprintf("and %d more", len(names)-3))
			break
		}
		q = append(q, n)
	}
	return strings.Join(q, ", ")
}

// CondString renders a condition in a canonical, fully parenthesized form: `(a and b)`,
// `(a or b)`, `not a`, `1 of sel*`, `all of them`. Patterns are printed as written.
func CondString(c Cond) string {
	var b strings.Builder
	writeCond(&b, c)
	return b.String()
}

func writeCond(b *strings.Builder, c Cond) {
	switch n := c.(type) {
	case *CondAnd:
		writeList(b, n.Args, " and ")
	case *CondOr:
		writeList(b, n.Args, " or ")
	case *CondNot:
		b.WriteString("not ")
		writeCond(b, n.Arg)
	case *CondIdent:
		b.WriteString(n.Name)
	case *CondOf:
		if n.Quant == QuantAll {
			b.WriteString("all of ")
		} else {
			b.WriteString("1 of ")
		}
		b.WriteString(n.Pattern)
	case nil:
		b.WriteString("<nil>")
	}
}

func writeList(b *strings.Builder, args []Cond, op string) {
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(op)
		}
		writeCond(b, a)
	}
	b.WriteByte(')')
}

// FormatCond renders a condition as condition text with the fewest parentheses precedence
// allows (`a and (b or c)`, `not (a and b)`, `1 of sel*`, `all of them`; `any of` becomes
// `1 of`), one space between tokens and none inside parentheses. For a condition the parser
// produced, parsing the text gives back an equal tree (positions aside) and formatting that tree
// gives the same text. The text has no more tokens and no deeper parentheses than the condition
// it was parsed from, so it passes those guards; it can be longer by one byte per parenthesis
// (a space the original left out, as in `a and(b or c)`).
func FormatCond(c Cond) string {
	var b strings.Builder
	formatCond(&b, c, precOr)
	return b.String()
}

// Binding strength of each condition node, loosest first.
const (
	precOr = iota + 1
	precAnd
	precUnary // not, x of, identifiers
)

func condPrec(c Cond) int {
	switch c.(type) {
	case *CondOr:
		return precOr
	case *CondAnd:
		return precAnd
	}
	return precUnary
}

// formatCond writes c where an operand binding at least as tightly as need is expected, adding
// parentheses otherwise.
func formatCond(b *strings.Builder, c Cond, need int) {
	if condPrec(c) < need {
		b.WriteByte('(')
		formatCond(b, c, precOr)
		b.WriteByte(')')
		return
	}
	switch n := c.(type) {
	case *CondOr:
		formatList(b, n.Args, " or ", precAnd)
	case *CondAnd:
		formatList(b, n.Args, " and ", precUnary)
	case *CondNot:
		b.WriteString("not ")
		formatCond(b, n.Arg, precUnary)
	default:
		writeCond(b, c) // identifiers, x of, nil
	}
}

// formatList writes the operands of one and/or. An operand of the same operator (only in trees
// built by hand: the parser flattens them) is parenthesized, which keeps the grouping visible.
func formatList(b *strings.Builder, args []Cond, op string, need int) {
	if len(args) == 0 {
		b.WriteString("()")
		return
	}
	for i, a := range args {
		if i > 0 {
			b.WriteString(op)
		}
		formatCond(b, a, need)
	}
}

// quoteSuggest renders %q of name plus a did-you-mean from candidates (closest by edit
// distance, at most a third of the name's length away, ties broken alphabetically).
func quoteSuggest(name string, candidates []string) string {
	s := fmt.Sprintf("%q", name)
	if m := closest(name, candidates); m != "" {
		s += fmt.Sprintf(" (did you mean %q?)", m)
	}
	return s
}

func closest(name string, candidates []string) string {
	best, bestD := "", -1
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	limit := len(name)/3 + 1
	if limit > 3 {
		limit = 3
	}
	nr := utf8.RuneCountInString(name)
	for _, c := range sorted {
		if c == name {
			continue
		}
		if diff := utf8.RuneCountInString(c) - nr; diff > limit || -diff > limit {
			continue // the edit distance is at least the length difference
		}
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance in runes (inputs here are short; long inputs are
// compared only by length to stay linear).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if len(ra) > len(rb) {
			return len(ra) - len(rb) + 64
		}
		return len(rb) - len(ra) + 64
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "..."
}
