package rules

import "time"

// File is one source file: its documents in file order plus file-level diagnostics (YAML syntax,
// guards, documents that are neither a rule, a correlation nor a filter).
type File struct {
	Path  string
	Lines []string // source lines, for caret snippets
	Docs  []*Document
	Diags Diagnostics
}

// DocKind says what a YAML document is.
type DocKind int

const (
	KindRule DocKind = iota + 1
	KindCorrelation
	KindFilter
)

func (k DocKind) String() string {
	switch k {
	case KindRule:
		return "rule"
	case KindCorrelation:
		return "correlation"
	case KindFilter:
		return "filter"
	}
	return "unknown"
}

// Document is one YAML document of a file. Exactly one of Rule, Correlation, Filter is set and
// matches Kind. Diags holds every diagnostic of this document (errors and warnings); a document with
// errors is still returned so later documents and files go on.
type Document struct {
	Path        string
	Index       int // 0-based index of the document in its file
	Pos         Pos // position of the document's first key
	Kind        DocKind
	Meta        Meta
	Rule        *Rule
	Correlation *Correlation
	Filter      *Filter
	Diags       Diagnostics
}

// Meta is the metadata every Sigma document shares. Unset fields are "".
type Meta struct {
	Title          string
	TitlePos       Pos
	ID             string
	IDPos          Pos
	Name           string // the document's name (for references by name)
	NamePos        Pos
	Status         string
	Description    string
	License        string
	Author         string
	References     []string
	Date           string
	Modified       string
	Tags           []string
	Level          string
	FalsePositives []string
	Fields         []string
	Related        []Related
	Taxonomy       string
	Scope          []string
}

// Related is one entry of the `related:` list.
type Related struct {
	ID   string
	Type string
	Pos  Pos
}

// Logsource is the rule's `logsource:` section.
type Logsource struct {
	Category, Product, Service, Definition string
	Pos                                    Pos // position of the `logsource` key's value
	CategoryPos, ProductPos, ServicePos    Pos
}

// Rule is a detection rule (a document with `detection:`).
type Rule struct {
	Logsource Logsource
	Detection Detection
}

// Detection is the `detection:` section: named searches in YAML order and the condition.
type Detection struct {
	Pos      Pos
	Searches []*Search
	// Conditions holds the parsed condition(s). A `condition:` list means the OR of its items.
	Conditions []Cond
	// ConditionPos is the position of each Conditions item's scalar.
	ConditionPos []Pos
}

// SearchByName returns the named search or nil.
func (d *Detection) SearchByName(name string) *Search {
	for _, s := range d.Searches {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// SearchKind says which YAML shape a search has.
type SearchKind int

const (
	SearchMap      SearchKind = iota + 1 // a mapping: AND of its field matches
	SearchMapList                        // a list of mappings: OR of ANDs
	SearchKeywords                       // a list (or single scalar) of keywords: OR
)

// Search is one named search identifier of `detection:`.
type Search struct {
	Name string
	Pos  Pos // position of the identifier key
	Kind SearchKind
	// Maps holds the mapping(s): for SearchMap exactly one, for SearchMapList one per list item.
	// Each inner slice is AND of its FieldMatch values in YAML order. Nil for SearchKeywords.
	Maps [][]*FieldMatch
	// Keywords is the keyword search (SearchKeywords only): Field == "" and Values are ORed
	// (ANDed when the modifiers include `all`).
	Keywords *FieldMatch
}

// FieldMatch is one `field|mod1|mod2: value(s)` entry.
type FieldMatch struct {
	Field     string // field name as written (without modifiers); "" for keywords
	Key       string // the whole key text as written, e.g. "CommandLine|contains|all"
	Pos       Pos    // position of the key
	Modifiers []Modifier
	Values    []*Value // at least one, except that an empty YAML list gives none
	IsList    bool     // values came from a YAML sequence
}

// Has reports whether the modifier (canonical name) is present.
func (fm *FieldMatch) Has(name string) bool {
	for _, m := range fm.Modifiers {
		if m.Name == name {
			return true
		}
	}
	return false
}

// Modifier is one `|name` of a key, resolved through the registry.
type Modifier struct {
	Name    string // canonical name, e.g. "contains", "re", "i", "base64offset"
	Written string // as written in the rule
	Pos     Pos
}

// ValueKind is the YAML type of a scalar value.
type ValueKind int

const (
	ValString ValueKind = iota + 1
	ValInt
	ValFloat
	ValBool
	ValNull
)

func (k ValueKind) String() string {
	switch k {
	case ValString:
		return "string"
	case ValInt:
		return "int"
	case ValFloat:
		return "float"
	case ValBool:
		return "bool"
	case ValNull:
		return "null"
	}
	return "unknown"
}

// SegKind is the kind of one segment of a string value.
type SegKind int

const (
	SegLit         SegKind = iota + 1 // literal text (escapes already removed)
	SegStar                           // `*`: any run of characters, possibly empty
	SegQuestion                       // `?`: exactly one character
	SegPlaceholder                    // `%name%` (only under the expand modifier); Text is the name
)

// Segment is one piece of a string value.
type Segment struct {
	Kind SegKind
	Text string
}

// Value is one scalar value of a field match, with its original text.
type Value struct {
	Kind   ValueKind
	Raw    string // the scalar's text exactly as in the YAML (unquoted content)
	Tag    string // the resolved YAML tag, e.g. "!!str", "!!int"
	Quoted bool   // single- or double-quoted in the YAML
	Pos    Pos
	// Segs is the value parsed by Sigma's wildcard/escape rules: set for string values not under
	// `re` (whose Raw is the regex); for int, float and bool values a single SegLit of Raw.
	// Adjacent literals are merged; an empty string is an empty slice (not nil) of no segments.
	Segs []Segment
	Bool bool // for ValBool
}

// Cond is a node of a parsed condition.
type Cond interface {
	CondPos() Pos
	condNode()
}

// CondAnd is `a and b and ...` (flattened).
type CondAnd struct {
	Pos  Pos
	Args []Cond
}

// CondOr is `a or b or ...` (flattened).
type CondOr struct {
	Pos  Pos
	Args []Cond
}

// CondNot is `not x`.
type CondNot struct {
	Pos Pos
	Arg Cond
}

// CondIdent is a search identifier.
type CondIdent struct {
	Pos  Pos
	Name string
}

// Quantifier of an `x of` expression.
type Quantifier int

const (
	QuantOne Quantifier = iota + 1 // `1 of` / `any of`
	QuantAll                       // `all of`
)

// CondOf is `1 of pattern`, `all of pattern`, `1 of them`, `all of them`.
type CondOf struct {
	Pos     Pos
	Quant   Quantifier
	Pattern string // "them" for them
	// Names are the search identifiers the pattern matched, in YAML order (resolved by the loader).
	Names []string
}

func (c *CondAnd) CondPos() Pos   { return c.Pos }
func (c *CondOr) CondPos() Pos    { return c.Pos }
func (c *CondNot) CondPos() Pos   { return c.Pos }
func (c *CondIdent) CondPos() Pos { return c.Pos }
func (c *CondOf) CondPos() Pos    { return c.Pos }
func (*CondAnd) condNode()        {}
func (*CondOr) condNode()         {}
func (*CondNot) condNode()        {}
func (*CondIdent) condNode()      {}
func (*CondOf) condNode()         {}

// Correlation is a correlation document (`correlation:`).
type Correlation struct {
	Type     string // event_count, value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile
	TypePos  Pos
	Rules    []Ref // referenced rules (or correlations) by id or name, in order
	GroupBy  []Name
	Timespan time.Duration
	// TimespanRaw is the text as written (e.g. "10m"); TimespanPos its position.
	TimespanRaw string
	TimespanPos Pos
	Conditions  []Threshold // ANDed (several make a range); empty for temporal types without condition
	Fields      []Name      // `condition: field:` (value_* types): one or more field names
	Percentile  float64     // value_percentile only (`condition: percentile:`)
	Aliases     []Alias
	Generate    bool
	Pos         Pos
}

// Ref is a reference to another document by id or name; Target is filled by Resolve.
type Ref struct {
	Text   string
	Pos    Pos
	Target *Document
}

// Name is a positioned name (a field name, a group-by field, an alias name).
type Name struct {
	Text string
	Pos  Pos
}

// Threshold is one `gt: 10` entry of a correlation condition.
type Threshold struct {
	Op    string // gt, gte, lt, lte, eq, neq
	Value float64
	Raw   string
	Pos   Pos
}

// Alias maps one group-by name to a field per referenced rule (`aliases:`).
type Alias struct {
	Name   string
	Pos    Pos
	Fields []AliasField // in YAML order
}

// AliasField is one `rule_name: field` entry of an alias.
type AliasField struct {
	Rule  Ref
	Field Name
}

// Filter is a filter document (`filter:`): it adds `(rule) and (filter condition)` to the rules it names.
type Filter struct {
	Logsource Logsource
	Rules     []Ref
	Detection Detection // searches and condition of the filter
}
