package roundtrip

import (
	"fmt"
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// maxPairs bounds the product automaton Equivalent explores; a pair of regexes that needs more is
// reported as undecided (an error), never as equal.
const maxPairs = 50000

// Equivalent reports whether a and b accept exactly the same strings when each must match a whole
// string (both are full-match languages: callers anchor or wrap them). When they differ, witness is
// a shortest string accepted by exactly one of them (inA says which). It decides by exploring the
// product of the two regexes' automata over a partition of Unicode into classes no instruction of
// either program tells apart, with RE2's context rules for ^, $, \b and \B; err is set only when the
// exploration exceeds its bound.
func Equivalent(a, b *syntax.Regexp) (eq bool, witness string, inA bool, err error) {
	if a.Equal(b) {
		return true, "", false, nil
	}
	ca, err := compile(a)
	if err != nil {
		return false, "", false, err
	}
	cb, err := compile(b)
	if err != nil {
		return false, "", false, err
	}
	alpha := alphabet(ca, cb)
	pa, pb := newAutomaton(ca), newAutomaton(cb)
	type pair struct {
		a, b   []uint32
		prev   rune
		parent int
		r      rune
	}
	var buf []byte
	key := func(x, y []uint32, prev rune) string {
		buf = buf[:0]
		put := func(v uint32) { buf = append(buf, byte(v), byte(v>>8), byte(v>>16), byte(v>>24)) }
		put(uint32(len(x)))
		for _, pc := range x {
			put(pc)
		}
		for _, pc := range y {
			put(pc)
		}
		put(uint32(prev))
		return string(buf)
	}
	start := []uint32{uint32(ca.Start)}
	startB := []uint32{uint32(cb.Start)}
	queue := []pair{{a: start, b: startB, prev: -1, parent: -1}}
	seen := map[string]bool{key(start, startB, -1): true}
	path := func(i int) string {
		var rs []rune
		for ; queue[i].parent >= 0; i = queue[i].parent {
			rs = append(rs, queue[i].r)
		}
		slices.Reverse(rs)
		return string(rs)
	}
	for i := 0; i < len(queue); i++ {
		p := queue[i]
		accA := accepts(pa, p.a, p.prev)
		accB := accepts(pb, p.b, p.prev)
		if accA != accB {
			return false, path(i), accA, nil
		}
		for _, r := range alpha {
			na := step(pa, p.a, p.prev, r)
			nb := step(pb, p.b, p.prev, r)
			if len(na) == 0 && len(nb) == 0 {
				continue
			}
			prev := prevClass(r)
			k := key(na, nb, prev)
			if seen[k] {
				continue
			}
			seen[k] = true
			if len(seen) > maxPairs {
				return false, "", false, fmt.Errorf("regex equivalence: more than %d states; cannot decide", maxPairs)
			}
			queue = append(queue, pair{a: na, b: nb, prev: prev, parent: i, r: r})
		}
	}
	return true, "", false, nil
}

// compile expands case folding into explicit classes (so every instruction matches a plain set of
// runes) and compiles re.
func compile(re *syntax.Regexp) (*syntax.Prog, error) {
	re = expandFold(re)
	return syntax.Compile(re.Simplify())
}

func expandFold(re *syntax.Regexp) *syntax.Regexp {
	c := *re
	c.Sub = nil
	for _, s := range re.Sub {
		c.Sub = append(c.Sub, expandFold(s))
	}
	if c.Op == syntax.OpLiteral && c.Flags&syntax.FoldCase != 0 {
		var subs []*syntax.Regexp
		for _, r := range re.Rune {
			var ranges []rune
			for f := r; ; {
				ranges = append(ranges, f, f)
				f = unicode.SimpleFold(f)
				if f == r {
					break
				}
			}
			subs = append(subs, &syntax.Regexp{Op: syntax.OpCharClass, Rune: normalizeRanges(ranges)})
		}
		if len(subs) == 1 {
			return subs[0]
		}
		return &syntax.Regexp{Op: syntax.OpConcat, Sub: subs}
	}
	c.Flags &^= syntax.FoldCase
	return &c
}

func normalizeRanges(rs []rune) []rune {
	type rg struct{ lo, hi rune }
	var list []rg
	for i := 0; i+1 < len(rs); i += 2 {
		list = append(list, rg{rs[i], rs[i+1]})
	}
	slices.SortFunc(list, func(x, y rg) int { return int(x.lo - y.lo) })
	var out []rune
	for _, g := range list {
		if n := len(out); n > 0 && g.lo <= out[n-1]+1 {
			out[n-1] = max(out[n-1], g.hi)
			continue
		}
		out = append(out, g.lo, g.hi)
	}
	return out
}

// alphabet returns one representative rune per class of a partition of Unicode that no
// instruction of either program (nor \n, nor the word-character set) splits.
func alphabet(progs ...*syntax.Prog) []rune {
	cuts := map[rune]bool{0: true, '\n': true, '\n' + 1: true, '0': true, '9' + 1: true, 'A': true, 'Z' + 1: true,
		'_': true, '_' + 1: true, 'a': true, 'z' + 1: true}
	for _, p := range progs {
		for _, in := range p.Inst {
			switch in.Op {
			case syntax.InstRune:
				for i := 0; i+1 < len(in.Rune); i += 2 {
					cuts[in.Rune[i]] = true
					cuts[in.Rune[i+1]+1] = true
				}
				if len(in.Rune) == 1 {
					cuts[in.Rune[0]] = true
					cuts[in.Rune[0]+1] = true
				}
			case syntax.InstRune1:
				cuts[in.Rune[0]] = true
				cuts[in.Rune[0]+1] = true
			}
		}
	}
	var starts []rune
	for r := range cuts {
		if r <= unicode.MaxRune {
			starts = append(starts, r)
		}
	}
	slices.Sort(starts)
	// Prefer a printable representative inside each class, for readable witnesses.
	out := make([]rune, 0, len(starts))
	for i, lo := range starts {
		hi := rune(unicode.MaxRune)
		if i+1 < len(starts) {
			hi = starts[i+1] - 1
		}
		rep := lo
		for r := lo; r <= hi && r < lo+64; r++ {
			if unicode.IsPrint(r) && utf8.ValidRune(r) {
				rep = r
				break
			}
		}
		if !utf8.ValidRune(rep) {
			continue // surrogates cannot occur in a valid string
		}
		out = append(out, rep)
	}
	return out
}

// prevClass maps a rune to the representative of what RE2's empty-width context needs to know
// about the previous rune: newline, word character, or other.
func prevClass(r rune) rune {
	switch {
	case r == '\n':
		return '\n'
	case syntax.IsWordChar(r):
		return 'a'
	}
	return '!'
}

// automaton is a compiled program with a reusable visited set for closure (a generation
// stamp per instruction instead of a map per call: the sets of long patterns are large).
type automaton struct {
	p    *syntax.Prog
	mark []uint32
	gen  uint32
	out  []uint32
}

func newAutomaton(p *syntax.Prog) *automaton {
	return &automaton{p: p, mark: make([]uint32, len(p.Inst))}
}

// closure follows empty transitions from pcs given the context between prev and next (next = -1 at
// the end of text) and returns the sorted instructions that consume a rune or match. The result is
// valid until the next call.
func (m *automaton) closure(pcs []uint32, prev, next rune) []uint32 {
	ctx := syntax.EmptyOpContext(prev, next)
	m.gen++
	m.out = m.out[:0]
	var visit func(pc uint32)
	visit = func(pc uint32) {
		if m.mark[pc] == m.gen {
			return
		}
		m.mark[pc] = m.gen
		in := &m.p.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			visit(in.Out)
			visit(in.Arg)
		case syntax.InstNop, syntax.InstCapture:
			visit(in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^ctx == 0 {
				visit(in.Out)
			}
		case syntax.InstFail:
		default:
			m.out = append(m.out, pc)
		}
	}
	for _, pc := range pcs {
		visit(pc)
	}
	slices.Sort(m.out)
	return m.out
}

func accepts(m *automaton, pcs []uint32, prev rune) bool {
	for _, pc := range m.closure(pcs, prev, -1) {
		if m.p.Inst[pc].Op == syntax.InstMatch {
			return true
		}
	}
	return false
}

func step(m *automaton, pcs []uint32, prev, r rune) []uint32 {
	var next []uint32
	for _, pc := range m.closure(pcs, prev, r) {
		in := &m.p.Inst[pc]
		if in.Op != syntax.InstMatch && in.MatchRune(r) {
			next = append(next, in.Out)
		}
	}
	slices.Sort(next)
	return slices.Compact(next)
}
