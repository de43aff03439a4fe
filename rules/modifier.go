package rules

// The modifier registry and the rules for combining modifiers.
//
// Registry: every modifier of the Sigma v2.1 modifiers appendix plus pySigma's aliases
// (`wide` for utf16le; `ignorecase`, `multiline`, `dotall` for the re flags i, m, s). Names are
// case-sensitive as in pySigma; Modifier.Name is the canonical name.
//
// Combination rules (each violation is an error at the modifier's position):
//   - a modifier may appear once; contains, startswith and endswith exclude each other;
//   - all: the value must be a YAML list of at least two values (the spec forbids `all` on a
//     single value). Decision: `all` may stand anywhere in the chain. It changes how the list is
//     joined, not the values, so its position cannot change the meaning; the spec does not require
//     it last and pySigma accepts any position (SigmaHQ once shipped `contains|all|windash`);
//   - exists: the only modifier, on a field, with a single boolean value;
//   - re: the first modifier (it takes the value as written); i, m, s only after re; after re
//     only i, m, s, contains, startswith, endswith, all, neq and expand; the regex is not empty;
//   - cidr: the first modifier, valid IPv4/IPv6 prefixes; after it only all and neq;
//   - lt, lte, gt, gte: one of them, numeric values, combined only with all and neq;
//   - minute, hour, day, week, month, year: one of them, integer values in the unit's range,
//     combined only with all and neq;
//   - base64 / base64offset: one of them, the value has no wildcard at that point (so contains
//     comes after base64offset, as in SigmaHQ's `base64offset|contains`);
//   - utf16le, utf16be, utf16, wide: one of them, and base64 or base64offset must follow;
//   - fieldref: values without wildcards, combined only with contains, startswith, endswith,
//     all, neq and cased;
//   - null is never modified (except by neq) and never sits in a value list;
//   - exists, fieldref, numeric, time and cidr modifiers need a field (not keywords).
//
// Numbers under string modifiers are taken by their text (`EventID|startswith: 46`); booleans are
// not strings and are rejected there.

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// CanonicalModifier returns the canonical name of a modifier as written and whether it exists.
func CanonicalModifier(name string) (string, bool) {
	switch name {
	case "contains", "startswith", "endswith", "all", "exists", "cased", "neq",
		"windash", "re", "i", "m", "s",
		"base64", "base64offset", "utf16le", "utf16be", "utf16",
		"lt", "lte", "gt", "gte",
		"minute", "hour", "day", "week", "month", "year",
		"cidr", "expand", "fieldref":
		return name, true
	case "wide":
		return "utf16le", true
	case "ignorecase":
		return "i", true
	case "multiline":
		return "m", true
	case "dotall":
		return "s", true
	}
	return "", false
}

// ModifierNames lists every modifier name the registry accepts (canonical names and aliases),
// sorted.
func ModifierNames() []string {
	return []string{
		"all", "base64", "base64offset", "cased", "cidr", "contains", "day", "dotall", "endswith",
		"exists", "expand", "fieldref", "gt", "gte", "hour", "i", "ignorecase", "lt", "lte", "m",
		"minute", "month", "multiline", "neq", "re", "s", "startswith", "utf16", "utf16be",
		"utf16le", "week", "wide", "windash", "year",
	}
}

func modGroup(name string) string {
	switch name {
	case "contains", "startswith", "endswith":
		return "position"
	case "lt", "lte", "gt", "gte":
		return "compare"
	case "minute", "hour", "day", "week", "month", "year":
		return "time"
	case "base64", "base64offset":
		return "base64"
	case "utf16le", "utf16be", "utf16":
		return "utf16"
	}
	return ""
}

// parseKey splits `field|mod|mod` into the field and resolved modifiers. keyAt maps a byte offset
// in the key text to a file position.
func parseKey(key string, keyAt func(int) Pos, full func() bool, report func(Pos, string)) (string, []Modifier, bool) {
	parts := strings.Split(key, "|")
	field := parts[0]
	ok := true
	off := len(parts[0]) + 1
	var mods []Modifier
	for _, p := range parts[1:] {
		pos := keyAt(off)
		off += len(p) + 1
		if p == "" {
			report(pos, fmt.Sprintf("%q: empty modifier name", key))
			ok = false
			continue
		}
		canon, found := CanonicalModifier(p)
		if !found {
			if full() {
				report(pos, "unknown modifier")
			} else {
				report(pos, "unknown modifier "+quoteSuggest(p, ModifierNames()))
			}
			ok = false
			continue
		}
		mods = append(mods, Modifier{Name: canon, Written: p, Pos: pos})
	}
	return field, mods, ok
}

// checkModifiers validates the modifier chain of fm against its values.
func checkModifiers(fm *FieldMatch, report func(Pos, string)) {
	mods := fm.Modifiers
	seen := map[string]Modifier{}
	groups := map[string]Modifier{}
	has := func(n string) bool { _, ok := seen[n]; return ok }
	for i, m := range mods {
		if prev, dup := seen[m.Name]; dup {
			report(m.Pos, fmt.Sprintf("modifier %s repeated (first at %s)", m.Written, prev.Pos))
			continue
		}
		seen[m.Name] = m
		if g := modGroup(m.Name); g != "" {
			if prev, ok := groups[g]; ok {
				report(m.Pos, fmt.Sprintf("modifiers %s and %s cannot be combined", prev.Written, m.Written))
			} else {
				groups[g] = m
			}
		}
		switch m.Name {
		case "re", "cidr":
			if i != 0 {
				report(m.Pos, fmt.Sprintf("%s must be the first modifier (it takes the value as written)", m.Written))
			}
		case "i", "m", "s":
			if !has("re") {
				report(m.Pos, fmt.Sprintf("%s is a flag of re and must follow it (%s|re|%s)", m.Written, fm.Field, m.Written))
			}
		case "exists":
			if len(mods) > 1 {
				report(m.Pos, "exists cannot be combined with other modifiers")
			}
		case "utf16le", "utf16be", "utf16":
			after := false
			for _, n := range mods[i+1:] {
				if n.Name == "base64" || n.Name == "base64offset" {
					after = true
				}
			}
			if !after {
				report(m.Pos, fmt.Sprintf("%s only changes the bytes base64 encodes: it must come before base64 or base64offset", m.Written))
			}
		}
		if fm.Field == "" {
			switch m.Name {
			case "exists", "fieldref", "lt", "lte", "gt", "gte", "minute", "hour", "day", "week", "month", "year", "cidr":
				report(m.Pos, fmt.Sprintf("%s needs a field name (it cannot apply to keywords)", m.Written))
			}
		}
	}
	// Modifiers allowed together with the "closed" ones.
	pairs := map[[2]string]bool{}
	allowedWith := func(owner string, allowed ...string) {
		om, ok := seen[owner]
		if !ok {
			return
		}
		for _, m := range mods {
			if m.Name == owner || pairs[[2]string{m.Name, owner}] {
				continue
			}
			pairs[[2]string{owner, m.Name}] = true
			okm := false
			for _, a := range allowed {
				if m.Name == a {
					okm = true
				}
			}
			if !okm {
				report(m.Pos, fmt.Sprintf("modifier %s cannot be combined with %s", m.Written, om.Written))
			}
		}
	}
	allowedWith("re", "i", "m", "s", "contains", "startswith", "endswith", "all", "neq", "expand")
	allowedWith("cidr", "all", "neq")
	for _, c := range []string{"lt", "lte", "gt", "gte"} {
		allowedWith(c, "all", "neq", "lt", "lte", "gt", "gte")
	}
	for _, c := range []string{"minute", "hour", "day", "week", "month", "year"} {
		allowedWith(c, "all", "neq", "minute", "hour", "day", "week", "month", "year")
	}
	allowedWith("fieldref", "contains", "startswith", "endswith", "all", "neq", "cased")

	// List-level rules.
	if m, ok := seen["all"]; ok {
		if !fm.IsList {
			report(m.Pos, "all needs a list of values (the spec forbids it on a single value)")
		} else if len(fm.Values) < 2 {
			report(m.Pos, "all on a list of one value: use the value without all")
		}
	}
	if fm.IsList {
		for _, v := range fm.Values {
			if v.Kind == ValNull {
				report(v.Pos, "null cannot be in a value list: use a separate search with `field: null`")
			}
		}
	}
	if m, ok := seen["exists"]; ok {
		if fm.IsList || len(fm.Values) != 1 || fm.Values[0].Kind != ValBool {
			report(m.Pos, "exists takes a single true or false")
		}
	}

	// Value-level rules (one report per distinct message).
	reported := map[string]bool{}
	rep := func(p Pos, msg string) {
		if !reported[msg] {
			reported[msg] = true
			report(p, msg)
		}
	}
	for _, v := range fm.Values {
		checkValue(fm, v, seen, rep)
	}
}

func checkValue(fm *FieldMatch, v *Value, seen map[string]Modifier, report func(Pos, string)) {
	if v.Kind == ValNull {
		for _, m := range fm.Modifiers {
			if m.Name != "neq" {
				report(m.Pos, fmt.Sprintf("modifier %s cannot apply to null", m.Written))
				return
			}
		}
		return
	}
	wild := hasWildcard(v.Segs)
	for _, m := range fm.Modifiers {
		switch m.Name {
		case "contains", "startswith", "endswith", "windash", "base64", "base64offset",
			"utf16le", "utf16be", "utf16", "cased", "expand", "fieldref", "re", "cidr":
			if v.Kind == ValBool {
				report(v.Pos, fmt.Sprintf("modifier %s takes strings, got boolean %s", m.Written, v.Raw))
				return
			}
		}
		switch m.Name {
		case "contains", "startswith", "endswith":
			wild = true
		case "base64", "base64offset":
			if wild {
				report(m.Pos, fmt.Sprintf("%s cannot encode a value with wildcards (put contains after %s)", m.Written, m.Written))
			}
		case "re":
			if v.Raw == "" {
				report(v.Pos, "empty regular expression")
			}
		case "cidr":
			if _, err := netip.ParsePrefix(v.Raw); err != nil {
				report(v.Pos, fmt.Sprintf("invalid CIDR prefix %q (expected address/bits, e.g. 10.0.0.0/8 or 10.1.2.3/32)", v.Raw))
			}
		case "lt", "lte", "gt", "gte":
			if v.Kind != ValInt && v.Kind != ValFloat {
				report(v.Pos, fmt.Sprintf("modifier %s takes a number, got %s %q", m.Written, v.Kind, v.Raw))
			}
		case "minute", "hour", "day", "week", "month", "year":
			checkTimePart(m, v, report)
		case "fieldref":
			if hasWildcard(v.Segs) {
				report(v.Pos, fmt.Sprintf("fieldref takes a field name without wildcards, got %q", v.Raw))
			}
		case "expand":
			if !hasPlaceholder(v.Segs) && v.Kind == ValString && !fm.Has("re") {
				report(v.Pos, fmt.Sprintf("warning: expand but %q has no %%placeholder%%", v.Raw))
			}
		}
	}
}

func checkTimePart(m Modifier, v *Value, report func(Pos, string)) {
	if v.Kind != ValInt {
		report(v.Pos, fmt.Sprintf("modifier %s takes an integer, got %s %q", m.Written, v.Kind, v.Raw))
		return
	}
	n, err := strconv.ParseInt(v.Raw, 0, 64)
	if err != nil {
		report(v.Pos, fmt.Sprintf("modifier %s takes an integer, got %q", m.Written, v.Raw))
		return
	}
	lo, hi := int64(0), int64(0)
	switch m.Name {
	case "minute":
		lo, hi = 0, 59
	case "hour":
		lo, hi = 0, 23
	case "day":
		lo, hi = 1, 31
	case "week":
		lo, hi = 1, 53
	case "month":
		lo, hi = 1, 12
	default:
		return
	}
	if n < lo || n > hi {
		report(v.Pos, fmt.Sprintf("modifier %s takes %d to %d, got %d", m.Written, lo, hi, n))
	}
}

func hasWildcard(segs []Segment) bool {
	for _, s := range segs {
		if s.Kind == SegStar || s.Kind == SegQuestion {
			return true
		}
	}
	return false
}

func hasPlaceholder(segs []Segment) bool {
	for _, s := range segs {
		if s.Kind == SegPlaceholder {
			return true
		}
	}
	return false
}

// ParseSegments splits a Sigma string value into literal, wildcard and placeholder segments:
// `*` any run, `?` one character, `\*` `\?` `\\` escape (and `\%` under expand); a backslash
// before any other character, or at the end, is literal. Placeholders `%name%` are recognised
// only when expand is true; otherwise `%` is literal. Adjacent literals are merged; the empty
// string gives an empty, non-nil slice.
func ParseSegments(raw string, expand bool) []Segment {
	segs := []Segment{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, Segment{Kind: SegLit, Text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\':
			if i+1 < len(raw) && (raw[i+1] == '*' || raw[i+1] == '?' || raw[i+1] == '\\' || expand && raw[i+1] == '%') {
				lit.WriteByte(raw[i+1])
				i++
			} else {
				lit.WriteByte('\\')
			}
		case c == '*':
			flush()
			segs = append(segs, Segment{Kind: SegStar})
		case c == '?':
			flush()
			segs = append(segs, Segment{Kind: SegQuestion})
		case c == '%' && expand:
			j := strings.IndexByte(raw[i+1:], '%')
			if j <= 0 {
				lit.WriteByte('%')
				continue
			}
			flush()
			segs = append(segs, Segment{Kind: SegPlaceholder, Text: raw[i+1 : i+1+j]})
			i += j + 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return segs
}
