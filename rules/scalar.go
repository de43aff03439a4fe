package rules

import (
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// scalarPositions maps byte offsets inside a scalar's decoded value back to file positions.
//
// yaml.v3 gives the position of the scalar's first character (the quote of a quoted scalar, the
// `|`/`>` indicator of a block scalar). From there the decoded value is aligned with the source
// text character by character: equal characters map to each other; source characters that do not
// appear in the value (quotes, indentation, escape backslashes, folded line breaks) are skipped.
// Double-quoted escapes map the decoded character to the backslash. Work is linear in the length
// of the source scanned. Offsets past the end map to the last known position.
func scalarPositions(rl *runeLines, n *yaml.Node) func(off int) Pos {
	start := Pos{n.Line, n.Column}
	val := n.Value
	pos := make([]Pos, len(val)+1)
	for i := range pos {
		pos[i] = start
	}
	if n.Line < 1 || n.Line > rl.n() {
		return func(off int) Pos { return start }
	}
	line := n.Line - 1
	runes := rl.get(line)
	col := n.Column - 1
	if col > len(runes) {
		col = len(runes)
	}
	eof := false
	cur := func() rune {
		if col < len(runes) {
			return runes[col]
		}
		return '\n'
	}
	advance := func(k int) {
		for ; k > 0 && !eof; k-- {
			if col < len(runes) {
				col++
				continue
			}
			line++
			if line >= rl.n() {
				eof = true
				return
			}
			runes = rl.get(line)
			col = 0
		}
	}
	here := func() Pos { return Pos{line + 1, col + 1} }
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		advance(1)
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// Skip the indicator line.
		for !eof && cur() != '\n' {
			advance(1)
		}
		advance(1)
	}
	last := start
	for b, r := range val {
		if eof {
			pos[b] = last
			continue
		}
		for !eof {
			s := cur()
			if n.Style == yaml.DoubleQuotedStyle && s == '\\' {
				if col+1 >= len(runes) { // escaped line break: produces nothing
					advance(1)
					continue
				}
				pos[b] = here()
				advance(escapeLen(runes[col+1:]) + 1)
				break
			}
			if n.Style == yaml.SingleQuotedStyle && s == '\'' && col+1 < len(runes) && runes[col+1] == '\'' {
				pos[b] = here()
				advance(2)
				break
			}
			if s == r || (isYAMLSpace(r) && s == '\n') {
				pos[b] = here()
				advance(1)
				break
			}
			advance(1)
		}
		if !eof || pos[b] != start {
			last = pos[b]
		}
		// Fill the continuation bytes of a multi-byte rune with the same position.
		for k := 1; k < utf8.RuneLen(r); k++ {
			pos[b+k] = pos[b]
		}
	}
	pos[len(val)] = here()
	if eof {
		pos[len(val)] = last
	}
	return func(off int) Pos {
		if off < 0 {
			off = 0
		}
		if off > len(val) {
			off = len(val)
		}
		return pos[off]
	}
}

// runeLines converts each source line to runes once, so mapping many scalars on one long line
// (a flow mapping) stays linear in the file size.
type runeLines struct {
	lines []string
	cache [][]rune
}

func newRuneLines(lines []string) *runeLines {
	return &runeLines{lines: lines, cache: make([][]rune, len(lines))}
}

func (r *runeLines) n() int { return len(r.lines) }

func (r *runeLines) get(i int) []rune {
	if r.cache[i] == nil {
		r.cache[i] = []rune(r.lines[i])
	}
	return r.cache[i]
}

func isYAMLSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }

// escapeLen is the number of source characters after the backslash of a double-quoted escape.
func escapeLen(rest []rune) int {
	if len(rest) == 0 {
		return 0
	}
	switch rest[0] {
	case 'x':
		return 3
	case 'u':
		return 5
	case 'U':
		return 9
	}
	return 1
}
