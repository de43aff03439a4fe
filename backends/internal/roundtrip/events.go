package roundtrip

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// Event is one sign-in event as the evaluator reads it: Sentinel column names to JSON values
// (string, json.Number, bool, nil, map[string]any, []any), with TimeGenerated (RFC 3339) and Type
// (the table name) always set. Targets convert it to their own document shape.
type Event map[string]any

// Stream is a sequence of events in TimeGenerated order, with a name for messages.
type Stream struct {
	Name   string
	Events []Event
}

// PackStreams loads every test case of the built-in pack (rules/signin/*.tests.yml under root) as
// a stream: the events of each case, in order.
func PackStreams(root string) ([]Stream, error) {
	paths, err := filepath.Glob(filepath.Join(root, "rules", "signin", "*.tests.yml"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("roundtrip: no test cases under %s", filepath.Join(root, "rules", "signin"))
	}
	sort.Strings(paths)
	var out []Stream
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Cases []struct {
				Name   string      `yaml:"name"`
				Events []yaml.Node `yaml:"events"`
			} `yaml:"cases"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(p), err)
		}
		for _, c := range doc.Cases {
			s := Stream{Name: filepath.Base(p) + ": " + c.Name}
			for i := range c.Events {
				v, err := nodeValue(&c.Events[i])
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", filepath.Base(p), c.Name, err)
				}
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s: %s: event %d is not a map", filepath.Base(p), c.Name, i+1)
				}
				s.Events = append(s.Events, Event(m))
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// nodeValue converts a YAML node to the JSON value it writes (as `entrasig test` reads events).
func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return nil, nil
		case "!!bool":
			return n.Value == "true", nil
		case "!!int", "!!float":
			return json.Number(n.Value), nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

// withTable returns the stream's events with Type set to table where they have none (as `entrasig
// test` defaults it to the first table the tested rule reads).
func withTable(evs []Event, table string) []Event {
	out := make([]Event, len(evs))
	for i, e := range evs {
		if _, ok := e["Type"]; ok {
			out[i] = e
			continue
		}
		c := make(Event, len(e)+1)
		for k, v := range e {
			c[k] = v
		}
		c["Type"] = table
		out[i] = c
	}
	return out
}

// Reference runs the evaluator over a stream and returns what the target's Eval must return:
// for a detection query the indexes (from 0, as decimal strings) of the matching events, for a
// correlation the FindingKey of each finding, in the evaluator's order.
func Reference(q *translate.Query, evs []Event) ([]string, error) {
	p, err := evaluate.Compile(q)
	if err != nil {
		return nil, err
	}
	events := make([]*evaluate.Event, len(evs))
	for i, e := range evs {
		ev, err := evaluate.NewEvent(map[string]any(e), "")
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
		ev.Line = i + 1
		events[i] = ev
	}
	var out []string
	if q.Correlation == nil {
		for i, ev := range events {
			if p.Match(ev) {
				out = append(out, strconv.Itoa(i))
			}
		}
		return out, nil
	}
	run := p.NewRun()
	var fs []evaluate.Finding
	for _, ev := range events {
		got, err := run.Add(ev)
		if err != nil {
			return nil, err
		}
		fs = append(fs, got...)
	}
	fs = append(fs, run.Close()...)
	for _, f := range fs {
		out = append(out, FindingKey(f.Window, f.Group))
	}
	return out, nil
}

// FindingKey is the canonical text of a correlation finding: its bucket start (UTC, RFC 3339) and
// its group-by values in GroupBy order (a null or empty value as name=null, others quoted).
func FindingKey(window time.Time, group []evaluate.GroupValue) string {
	parts := []string{window.UTC().Format(time.RFC3339)}
	for _, g := range group {
		if g.Null {
			parts = append(parts, g.Name+"=null")
		} else {
			parts = append(parts, g.Name+"="+strconv.Quote(g.Value))
		}
	}
	return strings.Join(parts, " ")
}

// eventText is the event as one line of JSON (keys sorted).
func eventText(e Event) string {
	b, err := json.Marshal(map[string]any(e))
	if err != nil {
		return fmt.Sprintf("%v", map[string]any(e))
	}
	return string(b)
}

// Streams returns the streams CheckEval runs a query over: for a detection query, all pack events
// as one stream plus the events Generate builds for it; for a correlation, every pack case and the
// streams GenerateCorrelation builds for it.
func Streams(pack []Stream) func(q *translate.Query) []Stream {
	var all Stream
	all.Name = "all pack events"
	for _, s := range pack {
		all.Events = append(all.Events, s.Events...)
	}
	return func(q *translate.Query) []Stream {
		if q.Correlation == nil {
			return append([]Stream{all}, Generate(q)...)
		}
		return append(slices.Clone(pack), GenerateCorrelation(q)...)
	}
}
