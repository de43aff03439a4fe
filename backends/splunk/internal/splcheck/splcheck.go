// Package splcheck parses and checks the subset of Splunk SPL that the splunk backend emits: a
// search command (field=value, field IN (...), NOT/AND/OR, parentheses, quoted and unquoted
// values, macros) followed by `| where` eval expressions and, for correlations, `| eval`
// assignments, `| fillnull`, `| bin _time span=...` and `| stats ... by _time ...`. No public SPL
// parser exists, so this grammar is our own and deliberately narrow: anything outside the subset
// is an error, which is what the backend's tests want (a value that escaped its quotes shows up as
// a parse error).
//
// Check also verifies the base of a sign-in search (the azure:monitor:aad sourcetype or a macro,
// and a category filter on every path), that every field is a known Splunk field or one an earlier
// eval or stats created, and the shape of a correlation pipeline (bin before stats, `_time` in
// the stats `by` list, only the exact aggregates the backend uses).
package splcheck

import (
	"fmt"
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/entrasig/entrasig/translate"
)

// Query is a parsed search: the search command's expression and the piped commands.
type Query struct {
	Search   *SOr       `parser:"@@"`
	Commands []*Command `parser:"( '|' @@ )*"`
}

// Command is one piped command of the subset.
type Command struct {
	Where    *EOr      `parser:"  'where' @@"`
	Eval     []*Assign `parser:"| 'eval' @@ ( ',' @@ )*"`
	Fillnull *Fillnull `parser:"| 'fillnull' @@"`
	Bin      *Bin      `parser:"| 'bin' @@"`
	Stats    *Stats    `parser:"| 'stats' @@"`
}

// Assign is one `name=expression` of eval.
type Assign struct {
	Name  string `parser:"@Word '='"`
	Value *EOr   `parser:"@@"`
}

// Fillnull is `fillnull value="..." field...`.
type Fillnull struct {
	Value  string   `parser:"'value' '=' @(String | Word)"`
	Fields []string `parser:"@Word+"`
}

// Bin is `bin field span=<span>`.
type Bin struct {
	Field string `parser:"@Word"`
	Span  string `parser:"'span' '=' @Word"`
}

// Stats is `stats agg... by field...`.
type Stats struct {
	Aggs []*Agg   `parser:"@@+"`
	By   []string `parser:"( 'by' @Word+ )?"`
}

// Agg is one aggregate of stats: `func(field) AS name` or `count AS name`.
type Agg struct {
	Func string  `parser:"@Word"`
	Arg  *string `parser:"( '(' @Word ')' )?"`
	As   string  `parser:"( 'AS' @Word )?"`
}

// SOr is an OR of search-command conjunctions.
type SOr struct {
	Args []*SAnd `parser:"@@ ( 'OR' @@ )*"`
}

// SAnd is an AND (explicit or implied by juxtaposition) of search terms.
type SAnd struct {
	Args []*SUnary `parser:"@@ ( 'AND'? @@ )*"`
}

// SUnary is a possibly negated search term.
type SUnary struct {
	Not  *SUnary   `parser:"  'NOT' @@"`
	Prim *SPrimary `parser:"| @@"`
}

// SPrimary is a group, a macro call or a comparison.
type SPrimary struct {
	Group *SOr   `parser:"  '(' @@ ')'"`
	Macro string `parser:"| @Macro"`
	Cmp   *SCmp  `parser:"| @@"`
}

// SCmp is `field op value` or `field IN (values)`.
type SCmp struct {
	Field string    `parser:"@Word"`
	Op    string    `parser:"( @Op"`
	Value *SValue   `parser:"  @@"`
	In    []*SValue `parser:"| 'IN' '(' @@ ( ',' @@ )* ')' )"`
}

// SValue is a quoted or bare value of the search command.
type SValue struct {
	Str  *string `parser:"  @String"`
	Word *string `parser:"| @Word"`
}

// EOr is an eval OR.
type EOr struct {
	Args []*EAnd `parser:"@@ ( 'OR' @@ )*"`
}

// EAnd is an eval AND.
type EAnd struct {
	Args []*ENot `parser:"@@ ( 'AND' @@ )*"`
}

// ENot is an eval NOT or comparison.
type ENot struct {
	Not *ENot `parser:"  'NOT' @@"`
	Cmp *ECmp `parser:"| @@"`
}

// ECmp is an operand or a comparison of two operands.
type ECmp struct {
	Left  *ESum  `parser:"@@"`
	Op    string `parser:"( @Op"`
	Right *ESum  `parser:"  @@ )?"`
}

// ESum is an operand or a sum of operands (`a + b`, spaces required).
type ESum struct {
	Terms []*EAtom `parser:"@@ ( '+' @@ )*"`
}

// EAtom is an eval operand.
type EAtom struct {
	Group *EOr    `parser:"  '(' @@ ')'"`
	Call  *ECall  `parser:"| @@"`
	Field string  `parser:"| @Field"`
	Str   *string `parser:"| @String"`
	Word  *string `parser:"| @Word"`
}

// ECall is a function call.
type ECall struct {
	Name string `parser:"@Word '('"`
	Args []*EOr `parser:"( @@ ( ',' @@ )* )? ')'"`
}

func splLexer() *lexer.StatefulDefinition {
	return lexer.MustSimple([]lexer.SimpleRule{
		// Double-quoted strings: no raw line breaks and no backtick anywhere inside (a backtick could
		// start a macro expansion).
		{Name: "String", Pattern: "\"(?:[^\"\\\\\\n\\r`]|\\\\[^\\n\\r`])*\""},
		{Name: "Field", Pattern: `'[^'\\\n\r` + "`" + `]+'`},
		{Name: "Macro", Pattern: "`[A-Za-z0-9_]+`"},
		{Name: "Keyword", Pattern: `(?:AND|OR|NOT|IN|AS|by)\b`},
		{Name: "Op", Pattern: `==|!=|<=|>=|=|<|>`},
		{Name: "Punct", Pattern: `[(),|]`},
		{Name: "Word", Pattern: `[A-Za-z0-9_.:/{}*@+-]+`},
		{Name: "Space", Pattern: `[ \t]+`},
	})
}

var parser = sync.OnceValue(func() *participle.Parser[Query] {
	return participle.MustBuild[Query](
		participle.Lexer(splLexer()),
		participle.Elide("Space"),
		participle.UseLookahead(3),
	)
})

// Parse parses a query of the subset.
func Parse(q string) (*Query, error) {
	return parser().ParseString("", q)
}

// Categories are the four sign-in category values.
func Categories() []string {
	return []string{"SignInLogs", "NonInteractiveUserSignInLogs", "ServicePrincipalSignInLogs", "ManagedIdentitySignInLogs"}
}

// SignInFields reports whether name is a Splunk field of the sign-in schema (a Splunk name or a
// numeric twin).
func SignInFields() func(string) bool {
	known := map[string]bool{}
	for _, f := range translate.SignIn().Fields() {
		if f.Splunk.Name != "" {
			known[f.Splunk.Name] = true
		}
		if f.Splunk.NumericName != "" {
			known[f.Splunk.NumericName] = true
		}
	}
	return func(s string) bool { return known[s] }
}

// evalFuncs is the arity (min, max; -1 = any) of each eval function of the subset.
func evalArity(name string) (int, int, bool) {
	switch name {
	case "match", "cidrmatch", "like":
		return 2, 2, true
	case "lower", "isnull", "isnotnull":
		return 1, 1, true
	case "tonumber":
		return 1, 2, true
	case "coalesce", "case":
		return 1, -1, true
	case "if":
		return 3, 3, true
	case "null":
		return 0, 0, true
	case "in":
		return 2, -1, true
	}
	return 0, 0, false
}

type checker struct {
	known      func(string) bool
	defined    map[string]bool // fields created by eval or stats
	binned     bool
	afterStats bool
	errs       []string
}

func (c *checker) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

// Check parses q and checks it as a sign-in search: the base (sourcetype="azure:monitor:aad" or a
// macro, and a category filter), every field known (known, or category/sourcetype/index, or
// created earlier by eval or stats), no `!=` in the search command, only functions of the subset
// with their arity, valid string escapes. For correlation searches it also checks the pipeline:
// `bin _time` with a span in s, m or h before one `stats`, whose `by` list has `_time`, whose
// aggregates are count, dc, sum, avg, min, max or exactperc<1..99> each named with AS; after
// stats only its output fields exist.
func Check(q string, known func(string) bool) error {
	ast, err := Parse(q)
	if err != nil {
		return err
	}
	c := &checker{known: known, defined: map[string]bool{"_time": true}}
	c.base(ast.Search)
	c.search(ast.Search)
	for _, cmd := range ast.Commands {
		c.command(cmd)
	}
	if len(c.errs) > 0 {
		return fmt.Errorf("%s", strings.Join(c.errs, "; "))
	}
	return nil
}

func (c *checker) command(cmd *Command) {
	switch {
	case cmd.Where != nil:
		c.eval(cmd.Where)
	case cmd.Eval != nil:
		for _, a := range cmd.Eval {
			c.eval(a.Value)
			if !isIdentifier(a.Name) {
				c.errorf("eval assigns %q: only plain identifiers are emitted", a.Name)
			}
			c.defined[a.Name] = true
		}
	case cmd.Fillnull != nil:
		if v := cmd.Fillnull.Value; v != `""` && v != "0" {
			c.errorf("fillnull value=%s is not part of the emitted subset", v)
		}
		for _, f := range cmd.Fillnull.Fields {
			if !c.defined[f] || f == "_time" {
				c.errorf("fillnull of %q, which no eval or stats created", f)
			}
		}
	case cmd.Bin != nil:
		c.bin(cmd.Bin)
	case cmd.Stats != nil:
		c.stats(cmd.Stats)
	}
}

func (c *checker) bin(b *Bin) {
	if c.afterStats || c.binned {
		c.errorf("bin must come once, before stats")
	}
	c.binned = true
	if b.Field != "_time" {
		c.errorf("bin of %q: only _time is binned", b.Field)
	}
	span := b.Span
	if len(span) < 2 || !isDigits(span[:len(span)-1]) || span[0] == '0' {
		c.errorf("bin span %q is not <n>s, <n>m or <n>h", span)
		return
	}
	switch span[len(span)-1] {
	case 's', 'm', 'h':
	case 'd':
		c.errorf("bin span %q: day spans align to the search's time zone, not the epoch; use hours", span)
	default:
		c.errorf("bin span %q is not <n>s, <n>m or <n>h", span)
	}
}

func (c *checker) stats(s *Stats) {
	if c.afterStats {
		c.errorf("only one stats command is emitted")
	}
	if !c.binned {
		c.errorf("stats without a preceding bin _time")
	}
	hasTime := false
	for _, f := range s.By {
		if f == "_time" {
			hasTime = true
			continue
		}
		if !c.defined[f] {
			c.errorf("stats by %q, which no eval created", f)
		}
	}
	if !hasTime {
		c.errorf("stats must group by _time (the bucket): without it the window widens to the whole search range")
	}
	out := map[string]bool{}
	for _, f := range s.By {
		out[f] = true
	}
	for _, a := range s.Aggs {
		switch fn := a.Func; {
		case fn == "count":
			if a.Arg != nil {
				c.errorf("count(%s): only a plain count is emitted", *a.Arg)
			}
		case fn == "dc" || fn == "sum" || fn == "avg" || fn == "min" || fn == "max" || exactPerc(fn):
			if a.Arg == nil {
				c.errorf("aggregate %s without a field", fn)
			} else {
				c.evalField(*a.Arg)
			}
		default:
			c.errorf("unknown aggregate %s (the subset has count, dc, sum, avg, min, max and exactperc1..99)", fn)
		}
		if a.As == "" {
			c.errorf("aggregate %s without AS", a.Func)
		} else if !isIdentifier(a.As) || out[a.As] {
			c.errorf("aggregate name %q is not a new plain identifier", a.As)
		}
		out[a.As] = true
	}
	c.defined = out
	c.afterStats = true
}

// exactPerc reports whether fn is exactperc<N> with an integer N from 1 to 99.
func exactPerc(fn string) bool {
	n, ok := strings.CutPrefix(fn, "exactperc")
	if !ok || !isDigits(n) || n[0] == '0' || len(n) > 2 {
		return false
	}
	return true
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case (r >= '0' && r <= '9' || r == '_') && i > 0:
		default:
			return false
		}
	}
	return true
}

func (c *checker) base(s *SOr) {
	if len(s.Args) != 1 {
		c.errorf("the search command's top level must be a conjunction (base filter AND ...)")
		return
	}
	hasSource, hasCategory := false, false
	for _, u := range s.Args[0].Args {
		if u.Prim == nil {
			continue
		}
		switch p := u.Prim; {
		case p.Macro != "":
			hasSource = true
		case p.Cmp != nil && p.Cmp.Field == "sourcetype":
			hasSource = true
		case p.Cmp != nil && p.Cmp.Field == "category":
			hasCategory = true
		case p.Group != nil && everyBranchHasCategory(p.Group):
			hasCategory = true
		}
	}
	if !hasSource {
		c.errorf(`missing base filter: sourcetype="azure:monitor:aad" or a macro`)
	}
	if !hasCategory {
		c.errorf("missing category filter")
	}
}

func everyBranchHasCategory(g *SOr) bool {
	for _, a := range g.Args {
		found := false
		for _, u := range a.Args {
			if u.Prim == nil {
				continue
			}
			if u.Prim.Cmp != nil && u.Prim.Cmp.Field == "category" {
				found = true
			}
			if u.Prim.Group != nil && len(u.Prim.Group.Args) == 1 && everyBranchHasCategory(u.Prim.Group) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (c *checker) search(s *SOr) {
	for _, a := range s.Args {
		for _, u := range a.Args {
			c.unary(u)
		}
	}
}

func (c *checker) unary(u *SUnary) {
	for u.Not != nil {
		u = u.Not
	}
	switch p := u.Prim; {
	case p.Group != nil:
		c.search(p.Group)
	case p.Cmp != nil:
		c.cmp(p.Cmp)
	}
}

func (c *checker) cmp(s *SCmp) {
	switch s.Field {
	case "sourcetype", "index":
	case "category":
		vals := s.In
		if s.Value != nil {
			vals = []*SValue{s.Value}
		}
		for _, v := range vals {
			if !isCategory(c.value(v)) {
				c.errorf("unknown category %q", c.value(v))
			}
		}
	default:
		if !c.known(s.Field) {
			c.errorf("unknown field %q", s.Field)
		}
	}
	switch s.Op {
	case "", "=":
	case "<", "<=", ">", ">=":
		if s.Value.Word == nil || !IsNumber(*s.Value.Word) {
			c.errorf("numeric comparison of %s with a non-number", s.Field)
		}
	default:
		c.errorf("operator %s is not part of the emitted search subset (NOT field=value is used for negation)", s.Op)
	}
	vals := s.In
	if s.Value != nil {
		vals = []*SValue{s.Value}
	}
	for _, v := range vals {
		c.value(v)
	}
}

func (c *checker) value(v *SValue) string {
	if v.Word != nil {
		return *v.Word
	}
	out, err := unquote(*v.Str, `\"`)
	if err != nil {
		c.errorf("search value %s: %v", *v.Str, err)
	}
	return out
}

// unquote removes the quotes of a string token and resolves the escapes allowed in its context.
func unquote(tok, escapes string) (string, error) {
	body := tok[1 : len(tok)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			b.WriteByte(body[i])
			continue
		}
		i++
		if !strings.ContainsRune(escapes, rune(body[i])) {
			return "", fmt.Errorf("escape \\%c is not used by the backend", body[i])
		}
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte(body[i])
		}
	}
	return b.String(), nil
}

func isCategory(s string) bool {
	for _, c := range Categories() {
		if s == c {
			return true
		}
	}
	return false
}

// IsNumber reports whether an unquoted word is a decimal number as the subset writes one (an
// optional leading minus, digits, at most one dot).
func IsNumber(s string) bool {
	if s == "" {
		return false
	}
	dot := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case r == '-' && i == 0 && len(s) > 1:
		case r == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

func (c *checker) eval(e *EOr) {
	for _, a := range e.Args {
		for _, n := range a.Args {
			for n.Not != nil {
				n = n.Not
			}
			c.sum(n.Cmp.Left)
			if n.Cmp.Op != "" {
				switch n.Cmp.Op {
				case "==", "<", "<=", ">", ">=":
				case "!=":
					if !c.afterStats {
						c.errorf("eval operator != is only emitted on aggregates")
					}
				default:
					c.errorf("eval operator %s is not part of the emitted subset", n.Cmp.Op)
				}
				c.sum(n.Cmp.Right)
			}
		}
	}
}

func (c *checker) sum(s *ESum) {
	for _, a := range s.Terms {
		if len(s.Terms) > 1 && a.Word == nil {
			c.errorf("only fields are added up in the emitted subset")
		}
		c.atom(a)
	}
}

func (c *checker) atom(a *EAtom) {
	switch {
	case a.Group != nil:
		c.eval(a.Group)
	case a.Call != nil:
		lo, hi, ok := evalArity(a.Call.Name)
		if !ok {
			c.errorf("eval function %s is not part of the emitted subset", a.Call.Name)
		} else if len(a.Call.Args) < lo || (hi >= 0 && len(a.Call.Args) > hi) {
			c.errorf("%s takes %d..%d arguments, got %d", a.Call.Name, lo, hi, len(a.Call.Args))
		}
		for _, arg := range a.Call.Args {
			c.eval(arg)
		}
	case a.Field != "":
		c.evalField(a.Field[1 : len(a.Field)-1])
	case a.Str != nil:
		if _, err := unquote(*a.Str, `\"nrt`); err != nil {
			c.errorf("eval string %s: %v", *a.Str, err)
		}
	case a.Word != nil:
		if !IsNumber(*a.Word) {
			c.evalField(*a.Word)
		}
	}
}

func (c *checker) evalField(name string) {
	switch {
	case c.defined[name]:
	case c.afterStats:
		c.errorf("field %q does not exist after stats", name)
	case name == "category" || c.known(name):
	default:
		c.errorf("unknown field %q", name)
	}
}

// SearchString decodes a double-quoted value token of the search command.
func SearchString(tok string) (string, error) { return unquote(tok, `\"`) }

// EvalString decodes a double-quoted string literal of an eval expression.
func EvalString(tok string) (string, error) { return unquote(tok, `\"nrt`) }

// GoldenQueries returns the queries of a golden file: one per document (a multi-document golden
// starts each with "== document N: title =="), without the "-- warnings --" sections and without
// documents that are "error: ..." statements of non-support.
func GoldenQueries(text string) []string {
	var out []string
	var docs []string
	var cur []string
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "== document ") && strings.HasSuffix(line, " ==") {
			if cur != nil {
				docs = append(docs, strings.Join(cur, "\n"))
			}
			cur = []string{}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		docs = append(docs, strings.Join(cur, "\n"))
	}
	for _, d := range docs {
		q, _, _ := strings.Cut(d, "\n-- warnings --")
		q = strings.TrimSuffix(q, "\n")
		if strings.HasPrefix(q, "error: ") || q == "" {
			continue
		}
		out = append(out, q)
	}
	return out
}

// CIDRLike reports whether a search-command value is in CIDR notation (address characters, '/',
// digits), which the search command matches as an address range rather than as text, quoted or
// not. The backend keeps such text out of the search command; the reader reads it as a range.
func CIDRLike(v string) bool {
	addr, bits, ok := strings.Cut(v, "/")
	if !ok || addr == "" || bits == "" {
		return false
	}
	for _, r := range addr {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F' || r == '.' || r == ':') {
			return false
		}
	}
	for _, r := range bits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
