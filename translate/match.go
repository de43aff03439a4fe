package translate

import (
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/entrasig/entrasig/rules"
)

// modifier classes
func isStringMod(n string) bool {
	switch n {
	case "contains", "startswith", "endswith", "windash", "base64", "base64offset", "utf16le", "utf16be", "utf16", "wide":
		return true
	}
	return false
}

func isCompare(n string) bool { return n == "lt" || n == "lte" || n == "gt" || n == "gte" }

func isTimePart(n string) bool {
	switch n {
	case "minute", "hour", "day", "week", "month", "year":
		return true
	}
	return false
}

func isRegexFlag(n string) bool { return n == "i" || n == "m" || n == "s" }

// timeRange is the range of a time part's values (the Sigma specification's; weeks go to 53, as
// ISO years with 53 weeks exist). Years are unbounded.
func timeRange(part string) (lo, hi float64, bounded bool) {
	switch part {
	case "minute":
		return 0, 59, true
	case "hour":
		return 0, 23, true
	case "day":
		return 1, 31, true
	case "week":
		return 1, 53, true
	case "month":
		return 1, 12, true
	}
	return 0, 0, false
}

func compareOp(n string) Op {
	switch n {
	case "lt":
		return OpLt
	case "lte":
		return OpLte
	case "gt":
		return OpGt
	}
	return OpGte
}

// fieldMatch lowers one `field|mods: values` entry; nil after reporting an error.
func (l *lowerer) fieldMatch(fm *rules.FieldMatch) Expr {
	if fm.Field == "" {
		return l.keywords(fm)
	}
	if strings.EqualFold(fm.Field, "properties.message") {
		return l.negate(fm, l.propertiesMessage(fm))
	}
	res, err := l.schema.Resolve(fm.Field)
	if err != nil {
		l.errorf(fm.Pos, "%v", err)
		return nil
	}
	if res.Warning != "" {
		l.warnf(fm.Pos, "%s", res.Warning)
	}
	f := res.Field
	if f.Name == "Status" {
		if e, handled := l.statusFlag(fm); handled {
			return l.negate(fm, e)
		}
	}
	return l.negate(fm, l.match(fm, f))
}

// negate applies `neq`: pySigma negates the whole detection item (`not (f = a or f = b)`).
func (l *lowerer) negate(fm *rules.FieldMatch, e Expr) Expr {
	if e == nil || !fm.Has("neq") {
		return e
	}
	return &Not{Arg: e}
}

func (l *lowerer) match(fm *rules.FieldMatch, f *Field) Expr {
	var (
		all, cased                bool
		special                   string // exists, re, cidr, fieldref, expand, compare, time
		specialPos                rules.Pos
		cmp, timePart             string
		strMods                   []rules.Modifier
		flagI, flagM, flagS, anyF bool
	)
	ok := true
	var seenSpecial []string
	firstSpecial := "" // as written, for messages
	setSpecial := func(m rules.Modifier, kind string) {
		// One special modifier per entry; the only pair is a time part with a comparison
		// (`TimeGenerated|hour|gte: 22`), and the time part then rules.
		timePair := len(seenSpecial) == 1 && (seenSpecial[0] == "time" && kind == "compare" || seenSpecial[0] == "compare" && kind == "time")
		if len(seenSpecial) > 0 && !timePair {
			l.errorf(m.Pos, "modifier %s cannot be combined with %s", m.Written, firstSpecial)
			ok = false
			return
		}
		if firstSpecial == "" {
			firstSpecial = m.Written
		}
		seenSpecial = append(seenSpecial, kind)
		if special == "" || kind == "time" {
			special, specialPos = kind, m.Pos
		}
	}
	casedPos := fm.Pos
	for _, m := range fm.Modifiers {
		switch n := m.Name; {
		case n == "all":
			all = true
		case n == "cased":
			cased, casedPos = true, m.Pos
		case n == "neq":
		case n == "exists", n == "re", n == "cidr", n == "fieldref", n == "expand":
			setSpecial(m, n)
		case isCompare(n):
			cmp = n
			setSpecial(m, "compare")
		case isTimePart(n):
			timePart = n
			setSpecial(m, "time")
		case isRegexFlag(n):
			anyF = true
			flagI = flagI || n == "i"
			flagM = flagM || n == "m"
			flagS = flagS || n == "s"
		case isStringMod(n):
			strMods = append(strMods, m)
		default:
			l.errorf(m.Pos, "unknown modifier %q", m.Written)
			ok = false
		}
	}
	if !ok {
		return nil
	}
	if cased && special != "" && special != "fieldref" {
		l.errorf(casedPos, "cased does not apply to %s (only to string matching)", special)
		return nil
	}
	if cased && f.Type == TypeBool {
		l.errorf(casedPos, "field %s is boolean: cased does not apply", f.Name)
		return nil
	}
	if anyF && special != "re" {
		l.errorf(fm.Pos, "regular-expression flags (i, m, s) need the re modifier")
		return nil
	}
	if len(fm.Values) == 0 {
		l.errorf(fm.Pos, "%s: no values", fm.Key)
		return nil
	}
	if all && len(fm.Values) < 2 {
		l.errorf(fm.Pos, "%s: all needs a list of two or more values", fm.Key)
		return nil
	}
	for _, v := range fm.Values {
		if v.Kind == rules.ValNull && (len(fm.Values) > 1 || len(fm.Modifiers) > 0 && !(len(fm.Modifiers) == 1 && fm.Has("neq"))) {
			l.errorf(v.Pos, "null cannot be in a value list or take modifiers (use field: null, or |exists)")
			return nil
		}
	}
	if len(strMods) > 0 && special != "" && special != "fieldref" && special != "expand" {
		l.errorf(strMods[0].Pos, "modifier %s cannot be combined with %s", strMods[0].Written, firstSpecial)
		return nil
	}
	base := Match{Field: f, Cased: cased, Pos: fm.Pos}
	one := func(vals []Value) *Match {
		m := base
		m.Values = vals
		return &m
	}
	switch special {
	case "expand":
		for _, v := range fm.Values {
			var names []string
			for _, s := range v.Segs {
				if s.Kind == rules.SegPlaceholder {
					names = append(names, "%"+s.Text+"%")
				}
			}
			if len(names) == 0 {
				l.errorf(specialPos, "expand: the value %q has no placeholder", v.Raw)
			} else {
				l.errorf(v.Pos, "expand: placeholder %s cannot be resolved (no placeholder values are configured); Sigma requires rejecting such a rule", strings.Join(names, ", "))
			}
		}
		return nil
	case "exists":
		if len(fm.Values) != 1 || fm.Values[0].Kind != rules.ValBool || len(fm.Modifiers) > 1 && !(len(fm.Modifiers) == 2 && fm.Has("neq")) {
			l.errorf(specialPos, "exists takes a single true or false and no other modifier")
			return nil
		}
		m := base
		m.Op = OpExists
		if fm.Values[0].Bool {
			return &m
		}
		return &Not{Arg: &m}
	case "re":
		var vals []Value
		for _, v := range fm.Values {
			if v.Kind != rules.ValString {
				l.errorf(v.Pos, "re: the value must be a string (a regular expression)")
				ok = false
				continue
			}
			vals = append(vals, Value{Kind: v.Kind, Raw: v.Raw, Regex: v.Raw, IgnoreCase: flagI, Multiline: flagM, DotAll: flagS, Pos: v.Pos})
		}
		if !ok {
			return nil
		}
		if f.Type == TypeBool {
			l.errorf(specialPos, "field %s is boolean: re does not apply", f.Name)
			return nil
		}
		return l.combine(all, vals, func(vs []Value) Expr { m := one(vs); m.Op = OpRegex; return m })
	case "cidr":
		if f.Type != TypeIP {
			l.errorf(specialPos, "cidr: field %s is not an IP address field", f.Name)
			return nil
		}
		var vals []Value
		for _, v := range fm.Values {
			p, err := netip.ParsePrefix(v.Raw)
			if err != nil || v.Kind != rules.ValString {
				l.errorf(v.Pos, "cidr: %q is not an IPv4 or IPv6 network (address/bits)", v.Raw)
				ok = false
				continue
			}
			vals = append(vals, Value{Kind: v.Kind, Raw: v.Raw, Prefix: p, Pos: v.Pos})
		}
		if !ok {
			return nil
		}
		return l.combine(all, vals, func(vs []Value) Expr { m := one(vs); m.Op = OpCIDR; return m })
	case "compare", "time":
		if special == "time" && f.Type != TypeDatetime {
			l.errorf(specialPos, "%s: field %s is not a date-time field", timePart, f.Name)
			return nil
		}
		if special == "compare" && (f.Type == TypeBool || f.Type == TypeDynamic || f.Type == TypeIP || f.Type == TypeDatetime) {
			l.errorf(specialPos, "%s: field %s is not numeric", cmp, f.Name)
			return nil
		}
		var vals []Value
		for _, v := range fm.Values {
			n, isNum := number(v)
			if !isNum || v.Kind == rules.ValString || (special == "time" && v.Kind != rules.ValInt) {
				l.errorf(v.Pos, "%s: %q is not a number", fm.Key, v.Raw)
				ok = false
				continue
			}
			if lo, hi, bounded := timeRange(timePart); bounded && (n < lo || n > hi) {
				l.errorf(v.Pos, "%s: %s is outside %s's range %v..%v, so it never matches", fm.Key, v.Raw, timePart, lo, hi)
				ok = false
				continue
			}
			vals = append(vals, Value{Kind: v.Kind, Raw: v.Raw, Segs: []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}, Num: n, Pos: v.Pos})
		}
		if !ok {
			return nil
		}
		op := OpEq
		if cmp != "" {
			op = compareOp(cmp)
		}
		return l.combine(all, vals, func(vs []Value) Expr {
			m := one(vs)
			m.Op, m.TimePart = op, timePart
			return m
		})
	case "fieldref":
		return l.fieldref(fm, f, base, all, strMods)
	}

	// Plain equality (possibly with string modifiers).
	if len(fm.Values) == 1 && fm.Values[0].Kind == rules.ValNull {
		m := base
		m.Op = OpNull
		return &m
	}
	var groups [][]Value
	for _, v := range fm.Values {
		vs := l.value(fm, f, v, strMods)
		if vs == nil {
			ok = false
			continue
		}
		groups = append(groups, vs)
	}
	if !ok {
		return nil
	}
	if len(f.Values) > 0 && len(strMods) == 0 {
		for _, v := range fm.Values {
			if _, known := f.KnownValue(v.Raw); !known && !HasWildcard(v.Segs) {
				l.warnf(v.Pos, "value %q is not one of the known values of %s (%s)", v.Raw, f.Name, strings.Join(f.Values, ", "))
			}
		}
	}
	if all {
		var args []Expr
		for _, g := range groups {
			m := one(g)
			m.Op = OpEq
			args = append(args, m)
		}
		return andOf(args)
	}
	var vals []Value
	for _, g := range groups {
		vals = append(vals, g...)
	}
	m := one(vals)
	m.Op = OpEq
	return m
}

// combine builds one Match over all values, or with `all` an And of one Match per value.
func (l *lowerer) combine(all bool, vals []Value, mk func([]Value) Expr) Expr {
	if !all {
		return mk(vals)
	}
	var args []Expr
	for _, v := range vals {
		args = append(args, mk([]Value{v}))
	}
	return andOf(args)
}

// number parses a value as a number: YAML ints (any base) and floats, and strings written as a
// plain decimal number ("0", "-1.5"; not "0x10", "1e3", "inf").
func number(v *rules.Value) (float64, bool) {
	switch v.Kind {
	case rules.ValInt:
		if f, err := strconv.ParseFloat(v.Raw, 64); err == nil && isDecimal(v.Raw) {
			return f, true
		}
		if i, err := strconv.ParseInt(strings.ReplaceAll(v.Raw, "_", ""), 0, 64); err == nil {
			return float64(i), true
		}
	case rules.ValFloat:
		if f, err := strconv.ParseFloat(v.Raw, 64); err == nil {
			return f, true
		}
	case rules.ValString:
		if isDecimal(v.Raw) {
			f, err := strconv.ParseFloat(v.Raw, 64)
			return f, err == nil
		}
	}
	return 0, false
}

// isDecimal reports whether s is an optional sign, digits, and an optional fraction.
func isDecimal(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	intPart, frac, hasDot := strings.Cut(s, ".")
	digits := func(t string) bool {
		for _, c := range t {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	return intPart != "" && digits(intPart) && digits(frac) && (!hasDot || frac != "")
}

// value lowers one OpEq value through the string modifiers into its pattern variants, typed for
// the field. nil after an error.
func (l *lowerer) value(fm *rules.FieldMatch, f *Field, v *rules.Value, mods []rules.Modifier) []Value {
	if v.Kind == rules.ValNull {
		l.errorf(v.Pos, "null cannot be in a value list")
		return nil
	}
	segs := v.Segs
	if segs == nil && v.Kind != rules.ValString {
		segs = []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}
	}
	for _, s := range segs {
		if s.Kind == rules.SegPlaceholder {
			l.errorf(v.Pos, "placeholder %%%s%% is only allowed under the expand modifier", s.Text)
			return nil
		}
	}
	switch f.Type {
	case TypeBool:
		if len(mods) > 0 {
			l.errorf(mods[0].Pos, "field %s is boolean: modifier %s does not apply", f.Name, mods[0].Written)
			return nil
		}
		b, isBool := v.Bool, v.Kind == rules.ValBool
		if v.Kind == rules.ValString && !HasWildcard(segs) {
			switch strings.ToLower(v.Raw) {
			case "true":
				b, isBool = true, true
			case "false":
				b, isBool = false, true
			}
		}
		if !isBool {
			l.errorf(v.Pos, "field %s is boolean: %q is not true or false", f.Name, v.Raw)
			return nil
		}
		return []Value{{Kind: rules.ValBool, Raw: v.Raw, Segs: []rules.Segment{{Kind: rules.SegLit, Text: v.Raw}}, Bool: b, Pos: v.Pos}}
	case TypeLong, TypeReal:
		if v.Kind == rules.ValBool {
			l.errorf(v.Pos, "field %s is numeric: %q is not a number", f.Name, v.Raw)
			return nil
		}
		if len(mods) == 0 && !HasWildcard(segs) {
			if _, isNum := number(v); !isNum {
				l.errorf(v.Pos, "field %s is numeric: %q is not a number", f.Name, v.Raw)
				return nil
			}
		}
	}
	variants, enc := [][]rules.Segment{segs}, ""
	for i, m := range mods {
		if enc != "" && m.Name != "base64" && m.Name != "base64offset" {
			l.errorf(m.Pos, "modifier %s: %s must be followed directly by base64 or base64offset", m.Written, enc)
			return nil
		}
		var next [][]rules.Segment
		switch m.Name {
		case "contains", "startswith", "endswith":
			for _, p := range variants {
				if m.Name != "startswith" && (len(p) == 0 || p[0].Kind != rules.SegStar) {
					p = append([]rules.Segment{{Kind: rules.SegStar}}, p...)
				}
				if m.Name != "endswith" && (len(p) == 0 || p[len(p)-1].Kind != rules.SegStar) {
					p = append(append([]rules.Segment(nil), p...), rules.Segment{Kind: rules.SegStar})
				}
				next = append(next, p)
			}
		case "windash":
			for _, p := range variants {
				if n := windashSpots(p); n > maxWindashDashes {
					l.errorf(v.Pos, "%s: the value has %d dashes to vary, which gives 5^%d variants; at most %d are allowed (split the value)", m.Written, n, n, maxWindashDashes)
					return nil
				}
				next = append(next, windash(p)...)
			}
		case "wide", "utf16le", "utf16be", "utf16":
			enc = m.Name
			if enc == "wide" {
				enc = "utf16le"
			}
			next = variants
		case "base64", "base64offset":
			for _, p := range variants {
				if HasWildcard(p) {
					l.errorf(v.Pos, "%s: the value %q has a wildcard; Sigma does not allow wildcards in base64-encoded values", m.Written, v.Raw)
					return nil
				}
				data := encode(Literal(p), enc)
				if m.Name == "base64" {
					next = append(next, lit(base64.StdEncoding.EncodeToString(data)))
					continue
				}
				for _, s := range base64Offsets(data) {
					next = append(next, lit(s))
				}
			}
			enc = ""
		}
		variants = next
		if enc != "" && i == len(mods)-1 {
			l.errorf(m.Pos, "modifier %s must be followed by base64 or base64offset", m.Written)
			return nil
		}
	}
	// Raw stays the text the rule wrote; after string modifiers the value is a string pattern
	// (Segs), and only an unmodified number keeps its numeric kind and Num.
	var out []Value
	for _, p := range variants {
		val := Value{Kind: v.Kind, Raw: v.Raw, Segs: p, Bool: v.Bool, Pos: v.Pos}
		if len(mods) > 0 {
			val.Kind, val.Bool = rules.ValString, false
		} else if n, isNum := number(v); isNum && !HasWildcard(p) {
			val.Num = n
		}
		if val.Segs == nil {
			val.Segs = []rules.Segment{}
		}
		out = append(out, val)
	}
	return out
}

func lit(s string) []rules.Segment {
	if s == "" {
		return []rules.Segment{}
	}
	return []rules.Segment{{Kind: rules.SegLit, Text: s}}
}

// encode returns s as bytes: UTF-8, or UTF-16 (utf16le, utf16be, utf16 = byte order mark FF FE then
// little endian), as the Sigma specification defines the encoding modifiers.
func encode(s, enc string) []byte {
	if enc == "" {
		return []byte(s)
	}
	var out []byte
	if enc == "utf16" {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if enc == "utf16be" {
			out = binary.BigEndian.AppendUint16(out, u)
		} else {
			out = binary.LittleEndian.AppendUint16(out, u)
		}
	}
	return out
}

// base64Offsets returns the three base64offset variants, as pySigma computes them: for shift i in
// 0..2, encode i filler bytes then the data, and cut the characters the filler and the partial
// last group influence (start 0, 2, 3; end cut by (len(data)+i) mod 3: none, 3, 2).
func base64Offsets(data []byte) []string {
	starts := [3]int{0, 2, 3}
	endCut := [3]int{0, 3, 2}
	var out []string
	for i := range 3 {
		buf := append([]byte(strings.Repeat(" ", i)), data...)
		e := base64.StdEncoding.EncodeToString(buf)
		end := len(e) - endCut[(len(data)+i)%3]
		if starts[i] > end {
			out = append(out, "")
			continue
		}
		out = append(out, e[starts[i]:end])
	}
	return out
}

// windash expands a pattern as pySigma does: in each literal segment, every `-` or `/` that is not
// preceded by a word character (or starts the segment) and is followed by a word character
// becomes each of `-`, `/`, en dash, em dash and horizontal bar; all combinations, the first
// position varying slowest.
// maxWindashDashes bounds windash's expansion: every varied dash multiplies the variants by five,
// so 5 dashes already give 3,125 values; more would turn one rule into a denial of service.
const maxWindashDashes = 5

// windashSpots counts the dashes windash varies in a pattern.
func windashSpots(p []rules.Segment) int {
	return len(windashPositions(p))
}

type windashSpot struct{ seg, off, size int }

// windashPositions finds the dashes windash varies: a '-' or '/' not preceded by a word character
// and followed by one (pySigma's rule).
func windashPositions(p []rules.Segment) []windashSpot {
	var spots []windashSpot
	for si, s := range p {
		if s.Kind != rules.SegLit {
			continue
		}
		rs := []rune(s.Text)
		off := 0
		for i, r := range rs {
			if (r == '-' || r == '/') && (i == 0 || !isWord(rs[i-1])) && i+1 < len(rs) && isWord(rs[i+1]) {
				spots = append(spots, windashSpot{si, off, 1})
			}
			off += len(string(r))
		}
	}
	return spots
}

func windash(p []rules.Segment) [][]rules.Segment {
	dashes := []string{"-", "/", "\u2013", "\u2014", "\u2015"}
	spots := windashPositions(p)
	if len(spots) == 0 {
		return [][]rules.Segment{p}
	}
	var out [][]rules.Segment
	choice := make([]int, len(spots))
	for {
		q := append([]rules.Segment(nil), p...)
		// rebuild each affected segment from its text and the chosen dashes
		for si := range q {
			if q[si].Kind != rules.SegLit {
				continue
			}
			var b strings.Builder
			text, last := p[si].Text, 0
			for k, sp := range spots {
				if sp.seg != si {
					continue
				}
				b.WriteString(text[last:sp.off])
				b.WriteString(dashes[choice[k]])
				last = sp.off + sp.size
			}
			b.WriteString(text[last:])
			q[si].Text = b.String()
		}
		out = append(out, q)
		k := len(choice) - 1
		for k >= 0 {
			choice[k]++
			if choice[k] < len(dashes) {
				break
			}
			choice[k] = 0
			k--
		}
		if k < 0 {
			return out
		}
	}
}

// isWord is Python's Unicode \w: letters, digits (and other numerics), marks, underscore.
func isWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// fieldref lowers `field|fieldref: OtherField` (with contains/startswith/endswith).
func (l *lowerer) fieldref(fm *rules.FieldMatch, f *Field, base Match, all bool, strMods []rules.Modifier) Expr {
	var pre, suf bool
	for _, m := range strMods {
		switch m.Name {
		case "contains":
			pre, suf = true, true
		case "startswith":
			suf = true
		case "endswith":
			pre = true
		default:
			l.errorf(m.Pos, "modifier %s cannot be combined with fieldref", m.Written)
			return nil
		}
	}
	var args []Expr
	ok := true
	for _, v := range fm.Values {
		if v.Kind != rules.ValString || HasWildcard(v.Segs) {
			l.errorf(v.Pos, "fieldref: %q is not a field name (no wildcards)", v.Raw)
			ok = false
			continue
		}
		res, err := l.schema.Resolve(v.Raw)
		if err != nil {
			l.errorf(v.Pos, "fieldref: %v", err)
			ok = false
			continue
		}
		if res.Warning != "" {
			l.warnf(v.Pos, "%s", res.Warning)
		}
		m := base
		m.Op, m.Ref, m.RefPrefix, m.RefSuffix = OpFieldRef, res.Field, pre, suf
		args = append(args, &m)
	}
	if !ok {
		return nil
	}
	if all {
		return andOf(args)
	}
	return orOf(args)
}

// keywords lowers a keyword search: each value matches anywhere in the event.
func (l *lowerer) keywords(fm *rules.FieldMatch) Expr {
	all, cased := false, false
	for _, m := range fm.Modifiers {
		switch m.Name {
		case "all":
			all = true
		case "cased":
			cased = true
		default:
			l.errorf(m.Pos, "modifier %s does not apply to keywords", m.Written)
			return nil
		}
	}
	if len(fm.Values) == 0 {
		l.errorf(fm.Pos, "keyword search has no values")
		return nil
	}
	var vals []Value
	for _, v := range fm.Values {
		if v.Kind == rules.ValNull {
			l.errorf(v.Pos, "a keyword cannot be null")
			return nil
		}
		segs := v.Segs
		if segs == nil {
			segs = lit(v.Raw)
		}
		for _, s := range segs {
			if s.Kind == rules.SegPlaceholder {
				l.errorf(v.Pos, "placeholder %%%s%% is only allowed under the expand modifier", s.Text)
				return nil
			}
		}
		p := segs
		if len(p) == 0 || p[0].Kind != rules.SegStar {
			p = append([]rules.Segment{{Kind: rules.SegStar}}, p...)
		}
		if p[len(p)-1].Kind != rules.SegStar {
			p = append(append([]rules.Segment(nil), p...), rules.Segment{Kind: rules.SegStar})
		}
		// A keyword is a text pattern whatever its YAML kind.
		vals = append(vals, Value{Kind: rules.ValString, Raw: v.Raw, Segs: p, Pos: v.Pos})
	}
	if all {
		var args []Expr
		for _, v := range vals {
			args = append(args, &Keyword{Values: []Value{v}, Cased: cased, Pos: fm.Pos})
		}
		return andOf(args)
	}
	return &Keyword{Values: vals, Cased: cased, Pos: fm.Pos}
}

// statusFlag handles `Status: Success` / `Status: Failure` (any case, optionally with neq), the
// SigmaHQ shorthand for the sign-in outcome: Success means ResultType "0", Failure means ResultType
// is not "0". handled is false when the entry is an ordinary match on the Status object (string
// modifiers such as contains match its JSON text, Sigma's literal meaning).
func (l *lowerer) statusFlag(fm *rules.FieldMatch) (e Expr, handled bool) {
	for _, m := range fm.Modifiers {
		if m.Name != "neq" {
			return nil, false
		}
	}
	rt := l.schema.Field("ResultType")
	var args []Expr
	for _, v := range fm.Values {
		if v.Kind == rules.ValNull {
			return nil, false
		}
		m := &Match{Field: rt, Op: OpEq, Pos: fm.Pos, Values: []Value{{Kind: rules.ValString, Raw: "0", Segs: lit("0"), Pos: v.Pos}}}
		switch strings.ToLower(v.Raw) {
		case "success":
			l.warnf(v.Pos, "Status: %s means the sign-in succeeded; translated as ResultType == \"0\"", v.Raw)
			args = append(args, m)
		case "failure":
			l.warnf(v.Pos, "Status: %s means the sign-in failed; translated as ResultType != \"0\"", v.Raw)
			args = append(args, &Not{Arg: m})
		default:
			l.errorf(v.Pos, "Status is an object (errorCode, failureReason, additionalDetails): %q is neither Success nor Failure; compare one of its keys (Status.errorCode, ...) or use Status|contains", v.Raw)
			return nil, true
		}
	}
	if fm.Has("all") {
		return andOf(args), true
	}
	return orOf(args), true
}

// propertiesMessage handles SigmaHQ's `properties.message: Device Code` / `ROPC`, which stand for
// the authentication protocol.
func (l *lowerer) propertiesMessage(fm *rules.FieldMatch) Expr {
	for _, m := range fm.Modifiers {
		if m.Name != "neq" {
			l.errorf(m.Pos, "properties.message: modifier %s is not supported (properties.message is only understood as \"Device Code\" or \"ROPC\")", m.Written)
			return nil
		}
	}
	ap := l.schema.Field("AuthenticationProtocol")
	var vals []Value
	for _, v := range fm.Values {
		var to string
		switch strings.ToLower(v.Raw) {
		case "device code":
			to = "deviceCode"
		case "ropc":
			to = "ropc"
		default:
			l.errorf(v.Pos, "properties.message: %q has no certain sign-in meaning (only \"Device Code\" and \"ROPC\" map, to AuthenticationProtocol)", v.Raw)
			return nil
		}
		l.warnf(v.Pos, "properties.message %q means AuthenticationProtocol %q; translated as such", v.Raw, to)
		vals = append(vals, Value{Kind: rules.ValString, Raw: to, Segs: lit(to), Pos: v.Pos})
	}
	if len(vals) == 0 {
		l.errorf(fm.Pos, "%s: no values", fm.Key)
		return nil
	}
	return l.combine(fm.Has("all"), vals, func(vs []Value) Expr {
		return &Match{Field: ap, Op: OpEq, Values: vs, Pos: fm.Pos}
	})
}
