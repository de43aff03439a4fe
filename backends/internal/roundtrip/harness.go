package roundtrip

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/entrasig/entrasig/backends/internal/ruletest"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// Target is what one backend's round-trip test supplies: the backend and the two halves of its
// proof, both working from the emitted text alone (never from the IR).
type Target struct {
	Backend translate.Backend
	// Read parses an emitted detection query back into its meaning per table: fields mapped back
	// to canonical names, values with escapes decoded, the table/category filter turned into the
	// table each branch applies to, and the backend's documented rewrites undone.
	Read func(out string) (Meaning, error)
	// ReadCorrelation does the same for a correlation pipeline (nil when the target emits none).
	ReadCorrelation func(out string) (*CorrMeaning, error)
	// Eval interprets an emitted query over a stream with the target language's documented
	// semantics: for a detection query it returns the indexes (decimal, from 0) of the events the
	// query returns; for a correlation the FindingKey of each group it reports (any order).
	Eval func(out string, evs []Event) ([]string, error)
	// Documented, when set, turns the rule's meaning into the meaning the backend documents for
	// its output before Read's result is compared with it (detection queries): an accepted
	// approximation the backend announces with a warning (Kibana's case-sensitive keyword
	// matches), or canonical fields the target stores in one place (Elastic's error_code for
	// ResultType and Status.errorCode). It must change only what the backend documents; the
	// target's own test checks that every change it makes is announced where it must be.
	Documented func(q *translate.Query, want Meaning) Meaning
	// Explain interprets out as Eval does but with the approximations its warnings announce
	// undone (the target behaving as Sigma on exactly the announced points, for example keyword
	// matching case-insensitive for Kibana's case warning). CheckEval accepts a difference on a
	// warned rule only when Explain then selects what the evaluator selects, so every pinned
	// difference is shown to come from an announced approximation and nothing else.
	Explain func(out string, warnings []translate.Warning, evs []Event) ([]string, error)
}

// Item is one emitted query the harness checks.
type Item struct {
	Path  string
	Query *translate.Query
	Out   translate.Output
}

// Difference is an accepted difference between the evaluator and a target on one stream: the
// target announced a warning for the rule.
type Difference struct {
	Path, Stream string
	Want, Got    []string
}

// Emitted translates the rule sets every backend checks (ruletest.Sets, then the hostile-value
// rules of Hostile) and emits each with tg.Backend. Unsupported rules are skipped; any other error
// fails t.
func Emitted(t *testing.T, root string, b translate.Backend) []Item {
	t.Helper()
	var items []Item
	add := func(its []ruletest.Item) {
		for _, it := range its {
			if it.Query == nil {
				continue
			}
			out, err := b.Emit(it.Query)
			var ue *translate.UnsupportedError
			switch {
			case err == nil:
				items = append(items, Item{Path: it.Path, Query: it.Query, Out: out})
			case !errors.As(err, &ue):
				t.Errorf("%s: %s: internal error: %v", b.Name(), it.Path, err)
			}
		}
	}
	for _, set := range ruletest.Sets() {
		its, err := ruletest.Dir(filepath.Join(root, set))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		add(its)
	}
	for _, h := range HostileRules() {
		for _, q := range FuzzQueries(h.YAML) {
			add([]ruletest.Item{{Path: h.Name, Query: q}})
		}
	}
	return items
}

// CheckRead is part 1 of the proof: every emitted query, parsed back, means what the IR means.
func CheckRead(t *testing.T, tg Target, items []Item) {
	t.Helper()
	n := 0
	for _, it := range items {
		if _, err := evaluate.Compile(it.Query); err != nil {
			// A PCRE-only regex (lookaround, backreference) has no RE2 meaning to compare with, as
			// CheckEval skips it.
			t.Logf("%s: not read back: %v", it.Path, err)
			continue
		}
		if d := ReadDiff(tg, it.Query, it.Out.Query); d != "" {
			t.Errorf("%s: %s: the output does not mean what the rule means: %s\n%s", tg.Backend.Name(), it.Path, d, it.Out.Query)
			continue
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: no query was read back", tg.Backend.Name())
	}
}

// ReadDiff reads out back with tg and compares it with q's meaning: "" when they agree.
func ReadDiff(tg Target, q *translate.Query, out string) string {
	if q.Correlation != nil {
		if tg.ReadCorrelation == nil {
			return "the target has no correlation reader"
		}
		want, err := FromCorrelation(q)
		if err != nil {
			return err.Error()
		}
		if tg.Documented != nil {
			documentCorrelation(tg, q, want)
		}
		got, err := tg.ReadCorrelation(out)
		if err != nil {
			return "read back: " + err.Error()
		}
		return DiffCorrelation(want, got)
	}
	want, err := FromQuery(q)
	if err != nil {
		return err.Error()
	}
	if tg.Documented != nil {
		want = tg.Documented(q, want)
	}
	got, err := tg.Read(out)
	if err != nil {
		return "read back: " + err.Error()
	}
	return Diff(want, got)
}

// CheckEval is part 2 of the proof: on every stream, the target's interpretation of each emitted
// query selects what the evaluator selects. A difference on a rule whose output carries a warning
// is accepted and returned (the caller pins them in a golden file); any other fails t.
func CheckEval(t *testing.T, tg Target, items []Item, streams func(q *translate.Query) []Stream) []Difference {
	t.Helper()
	var accepted []Difference
	for _, it := range items {
		if _, err := evaluate.Compile(it.Query); err != nil {
			// A PCRE-only regex (lookaround, backreference): the reference cannot run it, so only
			// the read-back proof covers this rule.
			t.Logf("%s: not evaluated: %v", it.Path, err)
			continue
		}
		for _, s := range streams(it.Query) {
			evs := withTable(s.Events, defaultTable(it.Query))
			want, err := Reference(it.Query, evs)
			if err != nil {
				t.Errorf("%s: %s: evaluator: %v", it.Path, s.Name, err)
				continue
			}
			got, err := tg.Eval(it.Out.Query, evs)
			if err != nil {
				t.Errorf("%s: %s: %s: interpreting the output: %v\n%s", tg.Backend.Name(), it.Path, s.Name, err, it.Out.Query)
				continue
			}
			slices.Sort(want)
			slices.Sort(got)
			if slices.Equal(want, got) {
				continue
			}
			if announced(it) {
				if d := explained(tg, it, evs, want); d != "" {
					t.Errorf("%s: %s: %s: the output selects %s, the rule selects %s, and the warnings do not explain it: %s\n%s\nevents:\n%s",
						tg.Backend.Name(), it.Path, s.Name, list(got), list(want), d, it.Out.Query, describe(evs, want, got))
					continue
				}
				accepted = append(accepted, Difference{Path: it.Path, Stream: s.Name, Want: want, Got: got})
				continue
			}
			t.Errorf("%s: %s: %s: the output selects %s, the rule selects %s\n%s\nevents:\n%s", tg.Backend.Name(), it.Path, s.Name,
				list(got), list(want), it.Out.Query, describe(evs, want, got))
		}
	}
	return accepted
}

// announced says whether the backend warned of an approximation for the item: any warning of its
// own except the correlation window warning, which explains no difference here because the
// evaluator counts in the same fixed, epoch-aligned buckets. (Translation's informational warnings,
// such as a field's spelling, are in Query.Warnings and never count.)
func announced(it Item) bool {
	window := map[string]bool{}
	var walk func(q *translate.Query)
	walk = func(q *translate.Query) {
		if c := q.Correlation; c != nil {
			window[c.WindowWarning().Msg] = true
			for _, r := range c.Rules {
				walk(r)
			}
		}
	}
	walk(it.Query)
	for _, w := range it.Out.Warnings {
		if !window[w.Msg] {
			return true
		}
	}
	return false
}

func list(xs []string) string { return "[" + strings.Join(xs, ", ") + "]" }

// describe lists the events of a failure message: those whose index is in want or got but not
// both (detection queries), else the first 60 (generated streams run to hundreds).
func describe(evs []Event, want, got []string) string {
	var b strings.Builder
	shown := 0
	for i, e := range evs {
		k := strconv.Itoa(i)
		if slices.Contains(want, k) != slices.Contains(got, k) {
			fmt.Fprintf(&b, "  %d: %s\n", i, eventText(e))
			shown++
		}
	}
	if shown > 0 {
		return b.String()
	}
	const most = 60
	for i, e := range evs[:min(len(evs), most)] {
		fmt.Fprintf(&b, "  %d: %s\n", i, eventText(e))
	}
	if len(evs) > most {
		fmt.Fprintf(&b, "  ... %d more\n", len(evs)-most)
	}
	return b.String()
}

// defaultTable is the table an event without Type belongs to: the first table the query reads (a
// correlation's first referenced rule's, as `entrasig test` defaults it).
func defaultTable(q *translate.Query) string {
	for q != nil {
		if len(q.Tables) > 0 {
			return q.Tables[0].Name
		}
		if q.Correlation == nil || len(q.Correlation.Rules) == 0 {
			break
		}
		q = q.Correlation.Rules[0]
	}
	return translate.SignIn().Table(translate.TableSignin).Name
}

// Prove runs both proofs for tg over every emitted rule (Emitted): CheckRead, then CheckEval over
// the pack's streams and the generated ones, with the accepted differences pinned in the golden
// file at golden (rewritten when update is set). root is the path to the repository root. It
// returns the items it checked, for a target's own further checks.
func Prove(t *testing.T, root string, tg Target, golden string, update bool) []Item {
	t.Helper()
	items := Emitted(t, root, tg.Backend)
	CheckRead(t, tg, items)
	pack, err := PackStreams(root)
	if err != nil {
		t.Fatal(err)
	}
	CheckDifferences(t, golden, CheckEval(t, tg, items, Streams(pack)), update)
	return items
}

// FuzzOne is the body of a backend's FuzzRoundTrip: every rule that data holds (FuzzQueries) and
// the evaluator can run is emitted; an UnsupportedError is an accepted outcome; otherwise the
// output must read back to the rule's meaning and interpret the generated streams without error.
func FuzzOne(t *testing.T, tg Target, data []byte) {
	t.Helper()
	for _, q := range FuzzQueries(data) {
		if _, err := evaluate.Compile(q); err != nil {
			continue // a PCRE-only regex: no reference meaning (CheckRead and CheckEval skip it too)
		}
		out, err := tg.Backend.Emit(q)
		var ue *translate.UnsupportedError
		if errors.As(err, &ue) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: internal error: %v", tg.Backend.Name(), err)
		}
		if d := ReadDiff(tg, q, out.Query); d != "" {
			t.Fatalf("%s: the output does not mean what the rule means: %s\n%s", tg.Backend.Name(), d, out.Query)
		}
		streams := Generate(q)
		if q.Correlation != nil {
			streams = GenerateCorrelation(q)
		}
		for _, s := range streams {
			if _, err := tg.Eval(out.Query, withTable(s.Events, defaultTable(q))); err != nil {
				t.Fatalf("%s: %s: interpreting the output: %v\n%s", tg.Backend.Name(), s.Name, err, out.Query)
			}
		}
	}
}

// documentCorrelation applies tg.Documented to the filter of every rule a correlation references,
// nested correlations included, as ReadDiff does for a detection query.
func documentCorrelation(tg Target, q *translate.Query, m *CorrMeaning) {
	for i, r := range q.Correlation.Rules {
		if m.Rules[i].Nested != nil {
			documentCorrelation(tg, r, m.Rules[i].Nested)
			continue
		}
		m.Rules[i].Filter = tg.Documented(r, m.Rules[i].Filter)
	}
}

// explained runs tg.Explain on a difference of a warned rule: "" when, with the announced
// approximations undone, the output selects what the rule selects.
func explained(tg Target, it Item, evs []Event, want []string) string {
	if tg.Explain == nil {
		return "the target has no Explain to undo its announced approximations"
	}
	got, err := tg.Explain(it.Out.Query, it.Out.Warnings, evs)
	if err != nil {
		return "explain: " + err.Error()
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return "with the announced approximations undone it still selects " + list(got)
	}
	return ""
}
