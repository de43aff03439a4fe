package evaluate

import (
	"container/heap"
	"errors"
	"slices"
	"strings"
	"time"
)

// Run evaluates one compiled Program (a plain rule or a correlation) over a stream of events, fed
// in TimeGenerated order with Add and ended with Close. A Run is used by one goroutine at a time;
// any number of Runs can share a Program.
//
// For a correlation, a Run keeps state only for open windows: a window [start, start+Timespan)
// closes, and its finding (if its aggregate meets the conditions) is returned by Add, when an event
// at or past its end arrives; Close returns the findings of the windows still open. An event whose
// window has already closed is reported as an error for its line and otherwise ignored.
type Run struct {
	p  *Program
	cp *corrProgram // nil for a plain rule
	// nested holds, for each referenced rule that is a nested correlation, its Run (nil for a rule).
	nested  []*Run
	chained bool // some entry of nested is set
	// pending are the items not yet put in their groups: a nested correlation reports a group only
	// when its window closes, so items at or after the nested runs' earliest possible next finding
	// wait here, to be put in groups in time order.
	pending itemQueue
	seq     uint64
	buckets []*bucket // open buckets, ascending by start
	open    int       // open groups in buckets
	// Windows ending at or before closedW are closed (once hasClosed).
	closedW   time.Time
	hasClosed bool
	// maxSeen is the latest event time fed (temporal_ordered over three or more rules needs order).
	maxSeen time.Time
	hasSeen bool
	done    bool
}

type bucket struct {
	start  time.Time
	groups map[string]*group
	list   []*group // in creation order
}

// NewRun starts evaluating the program over a new stream of events.
func (p *Program) NewRun() *Run {
	r := &Run{p: p, cp: p.corr}
	if r.cp != nil {
		r.nested = make([]*Run, len(r.cp.subs))
		for i, sub := range r.cp.subs {
			if sub.corr != nil {
				r.nested[i] = sub.NewRun()
				r.chained = true
			}
		}
	}
	return r
}

// Add feeds one event and returns the findings that became final: for a plain rule, the event
// itself when it matches; for a correlation, the groups whose windows this event closed and whose
// aggregate meets the conditions (in window order, then by first event time and group values).
// An event earlier than a window already closed (by this correlation or one it references) gives a
// *LineError and is ignored; the run goes on. Add after Close is an error.
func (r *Run) Add(ev *Event) ([]Finding, error) {
	if r.done {
		return nil, errors.New("evaluate: Add after Close")
	}
	if r.cp == nil {
		if r.p.Match(ev) {
			return []Finding{{Lines: []int{ev.Line}, Start: ev.Time, End: ev.Time}}, nil
		}
		return nil, nil
	}
	if why := r.reject(ev.Time); why != "" {
		return nil, &LineError{Name: ev.Source, Line: ev.Line,
			Msg: "event at " + ev.Time.Format(time.RFC3339Nano) + " " + why + " (events must be sorted by TimeGenerated)"}
	}
	return r.feed(ev), nil
}

// Close ends the stream and returns the findings of the windows still open. Later calls return nil.
func (r *Run) Close() []Finding {
	if r.done {
		return nil
	}
	r.done = true
	if r.cp == nil {
		return nil
	}
	return r.finish()
}

// reject says why an event at t cannot be evaluated ("" when it can).
func (r *Run) reject(t time.Time) string {
	cp := r.cp
	if r.hasClosed && !bucketStart(t, cp.span).Add(cp.span).After(r.closedW) {
		return "is earlier than a window already closed"
	}
	if cp.kind == kindTemporalOrdered && len(cp.subs) > 2 && r.hasSeen && t.Before(r.maxSeen) {
		return "is earlier than an event before it, and temporal_ordered over more than two rules needs its events in time order"
	}
	for _, n := range r.nested {
		if n != nil {
			if why := n.reject(t); why != "" {
				return why
			}
		}
	}
	return ""
}

func (r *Run) feed(ev *Event) []Finding {
	cp := r.cp
	var mask uint64
	for i, sub := range cp.subs {
		if n := r.nested[i]; n != nil {
			for _, f := range n.feed(ev) {
				r.push(cp.nestedItem(i, f))
			}
		} else if sub.Match(ev) {
			mask |= 1 << i
		}
	}
	if mask != 0 {
		for _, it := range cp.directItems(ev, mask) {
			r.push(it)
		}
	}
	if !r.hasSeen || ev.Time.After(r.maxSeen) {
		r.maxSeen, r.hasSeen = ev.Time, true
	}
	// No later item can be earlier than w: later events are at or after this one, and a nested
	// correlation's later findings are at or after its lower bound.
	w := ev.Time
	for _, n := range r.nested {
		if n != nil {
			if lb, ok := n.lowerBound(); ok && lb.Before(w) {
				w = lb
			}
		}
	}
	return r.advance(w, false)
}

// lowerBound is a time at or before every finding the run can still report from what it holds
// (a finding is at its group's last event time, which is in or after its window); ok is false
// when it holds nothing.
func (r *Run) lowerBound() (time.Time, bool) {
	var lb time.Time
	ok := false
	lower := func(t time.Time) {
		if !ok || t.Before(lb) {
			lb, ok = t, true
		}
	}
	if len(r.buckets) > 0 {
		lower(r.buckets[0].start)
	}
	if len(r.pending) > 0 {
		lower(r.pending[0].time)
	}
	for _, n := range r.nested {
		if n != nil {
			if t, has := n.lowerBound(); has {
				lower(t)
			}
		}
	}
	return lb, ok
}

// advance puts the pending items at or before w in their groups and closes the windows that end
// at or before w (final: everything).
func (r *Run) advance(w time.Time, final bool) []Finding {
	if r.hasClosed && w.Before(r.closedW) {
		w = r.closedW
	}
	for len(r.pending) > 0 && (final || !r.pending[0].time.After(w)) {
		r.put(heap.Pop(&r.pending).(*item))
	}
	var out []Finding
	for len(r.buckets) > 0 {
		b := r.buckets[0]
		if !final && b.start.Add(r.cp.span).After(w) {
			break
		}
		out = append(out, r.closeBucket(b)...)
		r.buckets[0] = nil
		r.buckets = r.buckets[1:]
	}
	if !final {
		r.closedW, r.hasClosed = w, true
	}
	return out
}

func (r *Run) finish() []Finding {
	for i, n := range r.nested {
		if n != nil {
			for _, f := range n.finish() {
				r.push(r.cp.nestedItem(i, f))
			}
		}
	}
	return r.advance(time.Time{}, true)
}

func (r *Run) push(it *item) {
	if !r.chained {
		// Without nested correlations every item is at the current event's time: put it now.
		r.put(it)
		return
	}
	r.seq++
	it.seq = r.seq
	heap.Push(&r.pending, it)
}

// put adds an item to its window and group.
func (r *Run) put(it *item) {
	start := bucketStart(it.time, r.cp.span)
	i, found := slices.BinarySearchFunc(r.buckets, start, func(b *bucket, t time.Time) int { return b.start.Compare(t) })
	if !found {
		r.buckets = slices.Insert(r.buckets, i, &bucket{start: start, groups: map[string]*group{}})
	}
	b := r.buckets[i]
	g := b.groups[it.key]
	if g == nil {
		g = &group{key: it.key, vals: it.vals}
		b.groups[it.key] = g
		b.list = append(b.list, g)
		r.open++
	}
	g.add(r.cp, it)
}

func (r *Run) closeBucket(b *bucket) []Finding {
	slices.SortFunc(b.list, func(x, y *group) int {
		if c := x.start.Compare(y.start); c != 0 {
			return c
		}
		return strings.Compare(x.key, y.key)
	})
	var out []Finding
	for _, g := range b.list {
		if f, ok := g.finding(r.cp, b.start); ok {
			out = append(out, f)
		}
	}
	r.open -= len(b.list)
	return out
}

// held is the number of open groups and pending items of the run and the runs it references
// (the memory the run holds; tests check that it stays bounded).
func (r *Run) held() int {
	n := r.open + len(r.pending)
	for _, s := range r.nested {
		if s != nil {
			n += s.held()
		}
	}
	return n
}

// itemQueue orders items by time, then by arrival (container/heap).
type itemQueue []*item

func (q itemQueue) Len() int { return len(q) }
func (q itemQueue) Less(i, j int) bool {
	if c := q[i].time.Compare(q[j].time); c != 0 {
		return c < 0
	}
	return q[i].seq < q[j].seq
}
func (q itemQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *itemQueue) Push(x any)   { *q = append(*q, x.(*item)) }
func (q *itemQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return it
}
