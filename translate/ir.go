package translate

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/entrasig/entrasig/rules"
)

// Backend is one query language. Implementations are stateless values; Emit may run concurrently.
type Backend interface {
	// Name is the CLI target name and the testdata/golden/<Name>/ directory.
	Name() string
	// Describe is one line on what the target emits (for `entrasig targets`).
	Describe() string
	// Emit renders q. What the target cannot express exactly is a *UnsupportedError.
	Emit(q *Query) (Output, error)
}

// Output is what a backend produced for one query.
type Output struct {
	Query    string    // the query text, ending without a trailing newline
	Warnings []Warning // accepted, documented differences from Sigma's meaning
}

// Warning is a positioned note about the translation (for example an accepted approximation or a
// field-name alias). Path is empty when the warning is about the translated document itself (the CLI
// then prefixes its path), and set when it comes from another file (a rule a correlation references).
type Warning struct {
	Path string
	Pos  rules.Pos
	Msg  string
}

// UnsupportedError says that a target cannot express a construct of the rule exactly. It is a
// user-facing statement of non-support, never a bug.
type UnsupportedError struct {
	Target    string    // backend name
	Pos       rules.Pos // position of the construct in the rule file (may be zero)
	Construct string    // short name of the construct, e.g. "re", "keyword search", "field DeviceDetail.trustType"
	Reason    string    // why, and what to do instead
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s: %s is not supported: %s", e.Target, e.Construct, e.Reason)
}

// Query is a translated detection rule (or, with Correlation set, a correlation) in canonical
// sign-in field terms, independent of any target.
type Query struct {
	Path  string
	Title string
	ID    string
	Level string
	// Tables are the routed tables in schema order (SigninLogs, AADNonInteractiveUserSignInLogs,
	// AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs).
	Tables []*Table
	// Where is the rule's predicate over canonical fields, before per-table folding.
	Where Expr
	// Legs holds Where folded for each routed table (a field the table lacks is null there), in
	// Tables order, without the tables whose predicate folds to false. Never empty for a valid query.
	Legs []Leg
	// Warnings from translation (field aliases, case-fixed names, ...).
	Warnings []Warning
	// Correlation is set for correlation documents (then Where and Legs are nil).
	Correlation *Correlation
}

// Leg is the predicate for one table.
type Leg struct {
	Table *Table
	Where Expr
}

// Expr is a boolean expression of the IR.
type Expr interface{ isExpr() }

// And is the conjunction of Args (len >= 2 after simplification).
type And struct{ Args []Expr }

// Or is the disjunction of Args (len >= 2 after simplification).
type Or struct{ Args []Expr }

// Not negates Arg.
type Not struct{ Arg Expr }

// Const is a folded constant. After simplification it only ever appears as a whole predicate.
type Const struct{ Value bool }

// Op is the comparison a Match performs.
type Op int

const (
	// OpEq: the field equals one of Values under Sigma's string semantics: each value is a pattern of
	// segments (literal, `*`, `?`), case-insensitive unless Cased. contains/startswith/endswith are
	// already desugared into leading/trailing SegStar. Numbers and booleans are single literals; the
	// backend types them per target field (ResultType's 50053 is the string "50053" in Kusto).
	OpEq Op = iota + 1
	// OpRegex: the field matches one of Values' Regex (RE2/PCRE-style, unanchored, as Sigma defines).
	OpRegex
	// OpCIDR: the field is an IP address within one of Values' Prefix.
	OpCIDR
	// OpLt, OpLte, OpGt, OpGte: numeric comparison with Values[0].Num.
	OpLt
	OpLte
	OpGt
	OpGte
	// OpNull: the field is absent or null (Sigma `field: null`). Values is empty.
	OpNull
	// OpExists: the field is present (Sigma `field|exists: true`). Values is empty.
	OpExists
	// OpFieldRef: the field equals (or, with RefPrefix/RefSuffix, contains/starts/ends with) the
	// value of field Ref in the same event.
	OpFieldRef
)

func (o Op) String() string {
	switch o {
	case OpEq:
		return "eq"
	case OpRegex:
		return "re"
	case OpCIDR:
		return "cidr"
	case OpLt:
		return "lt"
	case OpLte:
		return "lte"
	case OpGt:
		return "gt"
	case OpGte:
		return "gte"
	case OpNull:
		return "null"
	case OpExists:
		return "exists"
	case OpFieldRef:
		return "fieldref"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Symbol is the comparison operator of OpLt, OpLte, OpGt and OpGte as the query languages write it
// ("<", "<=", ">", ">="), and "" for every other Op.
func (o Op) Symbol() string {
	switch o {
	case OpLt:
		return "<"
	case OpLte:
		return "<="
	case OpGt:
		return ">"
	case OpGte:
		return ">="
	}
	return ""
}

// Match compares one field. Several Values are ORed (translation turns `|all` into an And of
// single-value Matches).
type Match struct {
	Field  *Field
	Op     Op
	Values []Value
	Cased  bool // `|cased`: case-sensitive string comparison
	// TimePart is set for time modifiers (minute, hour, day, week, month, year): the field's
	// date-time part is compared with OpEq/OpLt/... to the numeric Values.
	TimePart string
	// Ref, RefPrefix, RefSuffix are for OpFieldRef: the field matches [*]Ref[*].
	Ref       *Field
	RefPrefix bool // a `*` before the referenced value (endswith/contains)
	RefSuffix bool // a `*` after the referenced value (startswith/contains)
	Pos       rules.Pos
}

// Keyword is a full-text keyword search: the event contains one of Values (patterns; a keyword
// matches anywhere, so translation has already wrapped each in SegStar on both ends).
type Keyword struct {
	Values []Value
	Cased  bool
	Pos    rules.Pos
}

func (*And) isExpr()     {}
func (*Or) isExpr()      {}
func (*Not) isExpr()     {}
func (*Const) isExpr()   {}
func (*Match) isExpr()   {}
func (*Keyword) isExpr() {}

// Value is one operand of a Match or Keyword.
type Value struct {
	Kind rules.ValueKind // the YAML kind the rule wrote (string, int, float, bool)
	Raw  string          // the original text (for numbers: exactly as written, `00429` stays `00429`)
	// Segs is the pattern for OpEq and Keyword: no SegPlaceholder survives translation. Non-string
	// values are a single SegLit of Raw.
	Segs []rules.Segment
	// Regex and its flags for OpRegex (flags from the i/m/s modifiers).
	Regex                         string
	IgnoreCase, Multiline, DotAll bool
	Prefix                        netip.Prefix // OpCIDR
	Num                           float64      // OpLt..OpGte and numeric OpEq on numbers
	Bool                          bool         // bool values
	Pos                           rules.Pos
}

// RegexFlags returns the regex flags of an OpRegex value in the order i, m, s (for example "is"),
// or "" when none is set; dialects with inline flags write them as "(?" + flags + ")".
func (v Value) RegexFlags() string {
	flags := ""
	if v.IgnoreCase {
		flags += "i"
	}
	if v.Multiline {
		flags += "m"
	}
	if v.DotAll {
		flags += "s"
	}
	return flags
}

// Correlation is a translated correlation document. Rules are the translated queries of the
// referenced rules or nested correlations, in reference order (a nested correlation is a Query
// whose Correlation is set). Semantics every backend follows (and the README documents):
//
//   - Events of all Rules are grouped by GroupBy (per rule, through aliases) and by a time window of
//     length Timespan; backends that use fixed buckets (bin/DATE_TRUNC) warn that this approximates
//     Sigma's sliding window.
//   - event_count: the number of matching events; value_count: the number of distinct values of
//     Fields[0]; value_sum / value_avg / value_percentile: the sum / mean / Percentile-th
//     percentile of Fields[0]; temporal: the number of distinct Rules with at least one event;
//     temporal_ordered: as temporal, and the Rules' events occur in reference order within the window.
//   - Conditions (ANDed) compare that number; temporal types without a condition require all Rules.
type Correlation struct {
	Type      string
	Rules     []*Query
	RuleNames []string // the reference text of each entry of Rules (its name or id)
	GroupBy   []CorrField
	Timespan  time.Duration
	// TimespanText is the timespan as the rule wrote it ("10m"), for messages.
	TimespanText string
	Conditions   []rules.Threshold
	Fields       []CorrField // value_* types: the aggregated field
	Percentile   float64
	Generate     bool
	Pos          rules.Pos
}

// WindowWarning is the warning every backend that counts in fixed time buckets emits for c: the
// accepted approximation of Sigma's sliding window, in one wording for every target.
func (c *Correlation) WindowWarning() Warning {
	span := c.TimespanText
	if span == "" {
		span = c.Timespan.String()
	}
	return Warning{Pos: c.Pos, Msg: "correlation windows are fixed " + span +
		" buckets aligned to the epoch, an approximation of Sigma's sliding window: events that straddle a bucket boundary are counted in separate windows"}
}

// CorrField is a group-by or value field: for each entry of Correlation.Rules, where its value comes
// from (aliases resolved), all sharing Name as the output column name.
type CorrField struct {
	Name    string
	PerRule []CorrSource
	Pos     rules.Pos
}

// CorrSource is where one referenced rule's value of a CorrField comes from: Field for a rule (an
// event field; it may be absent from some of the rule's tables, then it is null there), or Column
// for a nested correlation (the name of one of its GroupBy output columns).
type CorrSource struct {
	Field  *Field
	Column string
}
