package rules

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pos is a 1-based line and column in a source file. The zero Pos means "no position".
type Pos struct {
	Line, Col int
}

// IsValid reports whether p carries a position.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders p as "line:col" (or "-" when unknown).
func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	return fmt.Sprintf("%d:%d", p.Line, p.Col)
}

// Severity orders diagnostics: errors stop a rule, warnings do not.
type Severity int

const (
	SevError Severity = iota
	SevWarning
)

// Diagnostic is one user-facing message anchored at a file position. It is an error value.
// Path is the path as the user gave it (never made absolute). Source, when set, is the text of the
// line Pos points into; Format uses it to draw a caret snippet.
type Diagnostic struct {
	Path     string
	Pos      Pos
	Severity Severity
	Msg      string
	Source   string
}

// Error renders "path:line:col: message" (warnings get a "warning: " prefix on the message).
func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.Path)
	if d.Pos.IsValid() {
		fmt.Fprintf(&b, ":%d:%d", d.Pos.Line, d.Pos.Col)
	}
	b.WriteString(": ")
	if d.Severity == SevWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Msg)
	return b.String()
}

// Format renders Error() plus, when the source line is known, a caret snippet:
//
//	rules/bad.yml:7:28: condition: unexpected "and"
//	    |   condition: selection and and filter
//	    |                            ^
func (d Diagnostic) Format() string {
	s := d.Error()
	line := strings.TrimRight(d.Source, "\r\n")
	if line == "" || !d.Pos.IsValid() || !printable(line) {
		// No snippet for unknown lines, or for lines that are not printable text (binary input
		// must not be echoed to a terminal).
		return s
	}
	// Tabs are kept so the caret lines up in a terminal; other runes count as one column.
	var pad strings.Builder
	col := 1
	for _, r := range line {
		if col >= d.Pos.Col {
			break
		}
		if r == '\t' {
			pad.WriteRune('\t')
		} else {
			pad.WriteRune(' ')
		}
		col++
	}
	return s + "\n    | " + line + "\n    | " + pad.String() + "^"
}

// printable reports whether a source line is valid UTF-8 without control characters (tabs allowed).
func printable(line string) bool {
	if !utf8.ValidString(line) {
		return false
	}
	for _, r := range line {
		if r != '\t' && (unicode.IsControl(r) || r == utf8.RuneError) {
			return false
		}
	}
	return true
}

// Diagnostics is an ordered list of diagnostics.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SevError {
			return true
		}
	}
	return false
}

// Errors returns only the errors, in order.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SevError) }

// Warnings returns only the warnings, in order.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SevWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by path, position, then severity and message (stable, deterministic).
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		return a.Msg < b.Msg
	})
}

// Err returns nil when ds has no errors, otherwise an error whose message lists every error
// (one per line, in the Error() form).
func (ds Diagnostics) Err() error {
	errs := ds.Errors()
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// Error implements error for a list: one Diagnostic.Error() per line.
func (ds Diagnostics) Error() string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.Error()
	}
	return strings.Join(parts, "\n")
}
