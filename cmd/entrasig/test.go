package main

// `entrasig test`: runs rules over sign-in events with the embedded evaluator (translate/evaluate),
// either the test cases that ship beside each rule file (<rule>.tests.yml) or events files given
// with --events. The test-case format is documented at the top of
// rules/signin/password-spray.tests.yml and in testCaseFormat below.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/rules/signin"
	"github.com/entrasig/entrasig/translate"
	"github.com/entrasig/entrasig/translate/evaluate"
)

// packDir is how paths of the embedded pack are shown: as converting the repository's directory
// would show them.
const packDir = "rules/signin"

// testsSuffix is the ending of a test-case file, before its extension: x.yml has its cases in
// x.tests.yml (x.yaml in x.tests.yaml).
const testsSuffix = ".tests"

// maxReported caps, per events file, the bad lines shown, and for each rule the events it rejected
// as out of time order; the rest are counted in one closing line.
const maxReported = 10

// progressEvery is how many events pass between two progress lines on a terminal.
const progressEvery = 100000

// isTestsFile reports whether a path names a test-case file rather than a rule file.
func isTestsFile(p string) bool {
	base := strings.ToLower(filepath.Base(p))
	return strings.HasSuffix(strings.TrimSuffix(base, filepath.Ext(base)), testsSuffix)
}

// testsPathFor returns the test-case file that belongs to a rule file.
func testsPathFor(rulePath string) string {
	ext := filepath.Ext(rulePath)
	return strings.TrimSuffix(rulePath, ext) + testsSuffix + ext
}

// packSources returns the rule files of the embedded pack (not its test-case files), in lexical
// order, with the paths and output names that converting the rules/signin directory gives.
func packSources() ([]source, error) {
	entries, err := fs.ReadDir(signin.FS(), ".")
	if err != nil {
		return nil, err
	}
	var out []source
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isRuleFile(name) || isTestsFile(name) {
			continue
		}
		data, err := fs.ReadFile(signin.FS(), name)
		if err != nil {
			return nil, err
		}
		out = append(out, source{path: packDir + "/" + name, name: strings.TrimSuffix(name, path.Ext(name)), data: data})
	}
	return out, nil
}

// readTests reads the test-case file of a rule source: from the embedded pack for pack paths read
// from it, from disk otherwise. ok is false when there is none.
func readTests(src source, embedded bool) (p string, data []byte, ok bool, err error) {
	if src.path == "<stdin>" {
		return "", nil, false, nil
	}
	p = testsPathFor(src.path)
	if embedded {
		data, err = fs.ReadFile(signin.FS(), path.Base(p))
	} else {
		data, err = os.ReadFile(p)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil, false, nil
	}
	if err != nil {
		return p, nil, false, err
	}
	return p, data, true, nil
}

const testUsage = "entrasig test [--events FILE]... [--table NAME] [--format text|json] [PATH...]"

func runTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := newFlagSet("test", testUsage, stderr)
	var eventFiles []string
	fset.Func("events", "run the rules over the JSON Lines events in `FILE` (repeatable; - for stdin) instead of their test cases", func(s string) error {
		eventFiles = append(eventFiles, s)
		return nil
	})
	table := fset.String("table", "", "sign-in table of events without a Type column (e.g. SigninLogs)")
	format := fset.String("format", "text", "output format with --events: text, or json (one JSON object per finding per line)")
	paths, err := parseInterleaved(fset, args)
	if err != nil {
		return usageExit(err)
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "entrasig test: unknown --format %q (text or json)\n", *format)
		return exitUsage
	}
	if *table != "" {
		if err := evaluate.ValidTable(*table); err != nil {
			fmt.Fprintf(stderr, "entrasig test: --table: %v\n", err)
			return exitUsage
		}
	}
	if len(eventFiles) == 0 && (*table != "" || *format != "text") {
		fmt.Fprintln(stderr, "entrasig test: --table and --format apply to --events only")
		return exitUsage
	}
	stdinUses := 0
	for _, f := range eventFiles {
		if f == "-" {
			stdinUses++
		}
	}
	for _, p := range paths {
		if p == "-" {
			stdinUses++
			break // collect reads standard input once however often - is given
		}
	}
	if stdinUses > 1 {
		fmt.Fprintln(stderr, "entrasig test: standard input can be read only once (rules or events)")
		return exitUsage
	}
	if len(eventFiles) == 0 {
		for _, p := range paths {
			if p == "-" {
				fmt.Fprintln(stderr, "entrasig test: test cases are read beside rule files; give a file or directory, or --events to run rules from standard input")
				return exitUsage
			}
		}
	}

	var srcs []source
	failed := 0
	embedded := len(paths) == 0
	if embedded {
		srcs, err = packSources()
		if err != nil {
			fmt.Fprintf(stderr, "entrasig test: built-in rule pack: %v\n", err)
			return exitFailed
		}
	} else {
		// A test-case file given by name stands for its rule file.
		rulePaths := make([]string, len(paths))
		for i, p := range paths {
			rulePaths[i] = p
			if p != "-" && isTestsFile(p) {
				ext := filepath.Ext(p)
				rulePaths[i] = strings.TrimSuffix(strings.TrimSuffix(p, ext), testsSuffix) + ext
			}
		}
		srcs, failed = collect(rulePaths, stdin, stderr)
	}
	l := load(srcs)
	if len(eventFiles) > 0 {
		return runEvents(l, eventFiles, *table, *format == "json", failed, stdin, stdout, stderr)
	}
	return runCases(l, embedded, orphanTests(paths, srcs), failed, stdout, stderr)
}

// orphanTests lists the test-case files under the directories given whose rule file was not
// loaded (renamed or deleted), so their cases do not go silently unrun.
func orphanTests(paths []string, srcs []source) []string {
	loaded := map[string]bool{}
	for _, s := range srcs {
		loaded[s.path] = true
	}
	var out []string
	for _, root := range paths {
		if info, err := os.Stat(root); root == "-" || err != nil || !info.IsDir() {
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isTestsFile(p) {
				return nil // unreadable entries were reported when the rules were collected
			}
			if ext := strings.ToLower(filepath.Ext(p)); ext != ".yml" && ext != ".yaml" {
				return nil
			}
			ext := filepath.Ext(p)
			if !loaded[strings.TrimSuffix(strings.TrimSuffix(p, ext), testsSuffix)+ext] {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// compiled is one document ready to evaluate.
type compiled struct {
	doc  *rules.Document
	file *rules.File
	q    *translate.Query
	prog *evaluate.Program
}

// compileDoc translates and compiles one document. Problems come back as one message (the
// diagnostics themselves are printed by the caller where it wants them).
func compileDoc(f *rules.File, d *rules.Document, filters []*rules.Document) (*compiled, error) {
	if errs := d.Diags.Errors(); len(errs) > 0 {
		return nil, errors.New(withSource(errs[0], f).Error())
	}
	q, diags := translate.Translate(d, filters)
	if errs := diags.Errors(); len(errs) > 0 || q == nil {
		return nil, errors.New(firstError(f, diags))
	}
	prog, err := evaluate.Compile(q)
	if err != nil {
		return nil, err
	}
	return &compiled{doc: d, file: f, q: q, prog: prog}, nil
}

// groupText renders one group-by value: Name="value", or Name=null.
func groupText(g evaluate.GroupValue) string {
	if g.Null {
		return g.Name + "=null"
	}
	return g.Name + "=" + strconv.Quote(g.Value)
}

// findingKey renders what a test case states about a correlation finding: its window and group.
func findingKey(f evaluate.Finding) string {
	parts := []string{f.Window.UTC().Format(time.RFC3339)}
	for _, g := range f.Group {
		parts = append(parts, groupText(g))
	}
	return strings.Join(parts, " ")
}

// ---- test cases ----

// testCaseFormat is the format of a <rule>.tests.yml file:
//
//	cases:
//	  - name: what the case shows                  # required, unique in the file
//	    rule: password_spray_failures              # optional: name, id or title of the document
//	                                               # tested; default the file's last document that
//	                                               # is compiled on its own
//	    events:                                    # the events, in time order; event N is the Nth
//	      - {TimeGenerated: 2026-11-27T10:00:00Z, Type: SigninLogs, ResultType: '50126'}
//	    matches: [1]                               # plain rule: the events that match ([] for none)
//	    fires:                                     # correlation: the groups that fire ([] for none)
//	      - window: 2026-11-27T10:00:00Z           # the start of the group's time bucket
//	        group: {IPAddress: 203.0.113.7}        # the group-by values (null for none)
//
// Events are JSON-shaped maps with Sentinel column names; Type defaults to the first table the
// tested rule reads. Numbers must be written as JSON numbers.
type testCase struct {
	name    string
	pos     rules.Pos
	rule    string
	rulePos rules.Pos
	events  []caseEvent
	matches []int     // plain expectation (nil when fires is used)
	fires   []firing  // correlation expectation
	isFires bool      // which of matches/fires the case states
	expPos  rules.Pos // position of the expectation key
}

type caseEvent struct {
	obj map[string]any
	pos rules.Pos
}

type firing struct {
	window time.Time
	group  map[string]*string // nil value: null
	order  []string           // group keys in file order
	pos    rules.Pos
}

// testsError is a problem in a test-case file, at a position.
type testsError struct {
	pos rules.Pos
	msg string
}

func (e *testsError) Error() string { return e.msg }

func terr(n *yaml.Node, format string, args ...any) error {
	return &testsError{pos: nodePos(n), msg: fmt.Sprintf(format, args...)}
}

func nodePos(n *yaml.Node) rules.Pos {
	if n == nil {
		return rules.Pos{}
	}
	return rules.Pos{Line: n.Line, Col: n.Column}
}

// maxTestsSize caps a test-case file, as maxFileSize caps a rule file.
const maxTestsSize = 4 << 20

// parseTests reads a test-case file.
func parseTests(data []byte) ([]testCase, error) {
	if len(data) > maxTestsSize {
		return nil, &testsError{msg: fmt.Sprintf("file is larger than %d bytes", maxTestsSize)}
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &testsError{msg: "empty file: expected a `cases:` list"}
		}
		return nil, &testsError{msg: "YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, terr(&extra, "a test-case file holds one YAML document")
	}
	if err := noAliases(&doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, terr(root, "expected a mapping with a `cases:` list")
	}
	var casesNode *yaml.Node
	for i := 0; i < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "cases" {
			return nil, terr(k, "unknown key %q (expected cases)", k.Value)
		}
		if casesNode != nil {
			return nil, terr(k, "duplicate key %q", k.Value)
		}
		casesNode = v
	}
	if casesNode == nil || casesNode.Kind != yaml.SequenceNode || len(casesNode.Content) == 0 {
		return nil, terr(root, "`cases:` must be a non-empty list")
	}
	var out []testCase
	seen := map[string]bool{}
	for _, cn := range casesNode.Content {
		c, err := parseCase(cn)
		if err != nil {
			return nil, err
		}
		if seen[c.name] {
			return nil, &testsError{pos: c.pos, msg: fmt.Sprintf("case %q: a case of that name comes earlier", c.name)}
		}
		seen[c.name] = true
		out = append(out, c)
	}
	return out, nil
}

func noAliases(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return terr(n, "anchors and aliases are not allowed in test cases")
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			if n.Content[i].Value == "<<" && n.Content[i].Tag == "!!merge" {
				return terr(n.Content[i], "merge keys are not allowed in test cases")
			}
		}
	}
	for _, c := range n.Content {
		if err := noAliases(c); err != nil {
			return err
		}
	}
	return nil
}

func scalarString(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", terr(n, "%s must be a string", what)
	}
	return n.Value, nil
}

func parseCase(n *yaml.Node) (testCase, error) {
	c := testCase{pos: nodePos(n)}
	if n.Kind != yaml.MappingNode {
		return c, terr(n, "a case must be a mapping (name, events, and matches or fires)")
	}
	var eventsNode, matchesNode, firesNode *yaml.Node
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return c, terr(k, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "name":
			c.name, err = scalarString(v, "name")
			if err == nil && strings.TrimSpace(c.name) == "" {
				err = terr(v, "name must not be empty")
			}
		case "rule":
			c.rule, err = scalarString(v, "rule")
			c.rulePos = nodePos(v)
		case "events":
			eventsNode = v
		case "matches":
			matchesNode = v
			c.expPos = nodePos(k)
		case "fires":
			firesNode = v
			c.expPos = nodePos(k)
		default:
			err = terr(k, "unknown key %q (expected name, rule, events, matches or fires)", k.Value)
		}
		if err != nil {
			return c, err
		}
	}
	if c.name == "" {
		return c, terr(n, "a case needs a name")
	}
	prefix := fmt.Sprintf("case %q: ", c.name)
	if eventsNode == nil || eventsNode.Kind != yaml.SequenceNode {
		return c, terr(n, "%sevents must be a list of events", prefix)
	}
	for _, en := range eventsNode.Content {
		if en.Kind != yaml.MappingNode {
			return c, terr(en, "%san event must be a mapping of columns", prefix)
		}
		v, err := jsonValue(en)
		if err != nil {
			var te *testsError
			if errors.As(err, &te) {
				te.msg = prefix + te.msg
			}
			return c, err
		}
		c.events = append(c.events, caseEvent{obj: v.(map[string]any), pos: nodePos(en)})
	}
	switch {
	case matchesNode != nil && firesNode != nil:
		return c, terr(firesNode, "%sgive matches (a rule) or fires (a correlation), not both", prefix)
	case matchesNode == nil && firesNode == nil:
		return c, terr(n, "%sneeds an expectation: matches (a rule) or fires (a correlation)", prefix)
	case matchesNode != nil:
		if matchesNode.Kind != yaml.SequenceNode {
			return c, terr(matchesNode, "%smatches must be a list of event numbers ([] for none)", prefix)
		}
		c.matches = []int{}
		for _, m := range matchesNode.Content {
			k, err := strconv.Atoi(m.Value)
			if m.Kind != yaml.ScalarNode || m.Tag != "!!int" || err != nil || k < 1 || k > len(c.events) {
				return c, terr(m, "%smatches: %q is not an event number (1 to %d)", prefix, m.Value, len(c.events))
			}
			c.matches = append(c.matches, k)
		}
		sort.Ints(c.matches)
		for i := 1; i < len(c.matches); i++ {
			if c.matches[i] == c.matches[i-1] {
				return c, terr(matchesNode, "%smatches: event %d is listed twice", prefix, c.matches[i])
			}
		}
	default:
		c.isFires = true
		if firesNode.Kind != yaml.SequenceNode {
			return c, terr(firesNode, "%sfires must be a list of {window, group} ([] for none)", prefix)
		}
		c.fires = []firing{}
		for _, fn := range firesNode.Content {
			f, err := parseFiring(fn, prefix)
			if err != nil {
				return c, err
			}
			c.fires = append(c.fires, f)
		}
	}
	return c, nil
}

func parseFiring(n *yaml.Node, prefix string) (firing, error) {
	f := firing{pos: nodePos(n), group: map[string]*string{}}
	if n.Kind != yaml.MappingNode {
		return f, terr(n, "%sa firing must be a mapping {window, group}", prefix)
	}
	haveWindow := false
	seen := map[string]bool{}
	for i := 0; i < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return f, terr(k, "%sduplicate key %q in a firing", prefix, k.Value)
		}
		seen[k.Value] = true
		switch k.Value {
		case "window":
			t, err := time.Parse(time.RFC3339, v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				return f, terr(v, "%swindow %q is not an RFC 3339 date-time", prefix, v.Value)
			}
			f.window, haveWindow = t.UTC(), true
		case "group":
			if v.Kind != yaml.MappingNode {
				return f, terr(v, "%sgroup must be a mapping of group-by fields to values", prefix)
			}
			for j := 0; j < len(v.Content); j += 2 {
				gk, gv := v.Content[j], v.Content[j+1]
				if _, dup := f.group[gk.Value]; dup {
					return f, terr(gk, "%sgroup: duplicate field %q", prefix, gk.Value)
				}
				if gv.Kind != yaml.ScalarNode {
					return f, terr(gv, "%sgroup: the value of %s must be a scalar", prefix, gk.Value)
				}
				f.order = append(f.order, gk.Value)
				if gv.Tag == "!!null" {
					f.group[gk.Value] = nil
					continue
				}
				s := gv.Value
				f.group[gk.Value] = &s
			}
		default:
			return f, terr(k, "%sunknown key %q in a firing (expected window, group)", prefix, k.Value)
		}
	}
	if !haveWindow {
		return f, terr(n, "%sa firing needs a window", prefix)
	}
	return f, nil
}

// jsonValue converts a YAML node to the value encoding/json with UseNumber would give for the
// same JSON: numbers stay json.Number with their text as written.
func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, terr(k, "column names must be strings")
			}
			if _, dup := m[k.Value]; dup {
				return nil, terr(k, "duplicate column %q", k.Value)
			}
			val, err := jsonValue(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str", "!!timestamp":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			return n.Value == "true", checkBool(n)
		case "!!int", "!!float":
			if !json.Valid([]byte(n.Value)) || strings.ContainsAny(n.Value, "\"{[tfn") {
				return nil, terr(n, "number %s is not written as a JSON number (quote it to make it a string)", n.Value)
			}
			return json.Number(n.Value), nil
		}
		return nil, terr(n, "value %q has the unsupported YAML type %s", n.Value, n.Tag)
	}
	return nil, terr(n, "unsupported YAML node")
}

func checkBool(n *yaml.Node) error {
	if n.Value != "true" && n.Value != "false" {
		return terr(n, "write booleans as true or false, not %q", n.Value)
	}
	return nil
}

// runCases runs every rule file's test cases and prints one line per rule file plus a summary.
func runCases(l *loaded, embedded bool, orphans []string, failed int, stdout, stderr io.Writer) int {
	// Diagnostics of files and documents go to stderr, as `check` prints them.
	for _, f := range l.files {
		printDiags(stderr, f, f.Diags)
		for _, d := range f.Docs {
			printDiags(stderr, f, d.Diags)
		}
	}
	passed, failedRules := 0, 0
	for i, src := range l.sources {
		f := l.files[i]
		tp, data, ok, err := readTests(src, embedded)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %s: cannot read: %s\n", src.path, tp, describeFSError(err))
			failedRules++
			continue
		}
		if !ok {
			fmt.Fprintf(stdout, "?    %s [no test cases]\n", src.path)
			continue
		}
		lines, n := runFileCases(l, f, tp, data)
		if len(lines) == 0 {
			fmt.Fprintf(stdout, "ok   %s (%s)\n", src.path, plural(n, "case"))
			passed++
			continue
		}
		for _, line := range lines {
			fmt.Fprintf(stdout, "FAIL %s: %s\n", src.path, line)
		}
		failedRules++
	}
	for _, p := range orphans {
		ext := filepath.Ext(p)
		fmt.Fprintf(stdout, "FAIL %s: no rule file %s beside it\n", p, filepath.Base(strings.TrimSuffix(strings.TrimSuffix(p, ext), testsSuffix)+ext))
		failedRules++
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failedRules)
	if failedRules > 0 || failed > 0 {
		return exitFailed
	}
	return exitOK
}

// runFileCases runs the cases of one rule file and returns a message per failure and the number
// of cases.
func runFileCases(l *loaded, f *rules.File, testsPath string, data []byte) ([]string, int) {
	cases, err := parseTests(data)
	if err != nil {
		var te *testsError
		if errors.As(err, &te) && te.pos.IsValid() {
			return []string{fmt.Sprintf("%s:%s: %s", testsPath, te.pos, te.msg)}, 0
		}
		return []string{fmt.Sprintf("%s: %v", testsPath, err)}, 0
	}
	if f.Diags.HasErrors() {
		return []string{"the rule file does not load (see the errors above)"}, len(cases)
	}
	// Outputs over every loaded file: a rule that a correlation in another file builds on is not
	// this file's default document.
	emitted := map[*rules.Document]bool{}
	for _, d := range rules.Outputs(l.files) {
		emitted[d] = true
	}
	var def *rules.Document
	for _, d := range f.Docs {
		if emitted[d] {
			def = d
		}
	}
	progs := map[*rules.Document]*compiled{}
	progErr := map[*rules.Document]error{}
	reported := map[*rules.Document]bool{}
	var out []string
	for _, c := range cases {
		d := def
		if c.rule != "" {
			d = findDoc(f, c.rule)
			if d == nil {
				out = append(out, fmt.Sprintf("%s:%s: case %q: no document with name, id or title %q in the rule file", testsPath, c.rulePos, c.name, c.rule))
				continue
			}
		}
		if d == nil {
			out = append(out, fmt.Sprintf("case %q: the rule file has no rule to test", c.name))
			continue
		}
		if _, done := progs[d]; !done && progErr[d] == nil {
			cp, err := compileDoc(f, d, l.filters)
			if err != nil {
				progErr[d] = err
			} else {
				progs[d] = cp
			}
		}
		if err := progErr[d]; err != nil {
			if !reported[d] {
				reported[d] = true
				out = append(out, fmt.Sprintf("cannot evaluate: %v", err))
			}
			continue
		}
		if msg := runCase(progs[d], c, testsPath); msg != "" {
			out = append(out, msg)
		}
	}
	return out, len(cases)
}

// findDoc finds a document of the file by name, id or title.
func findDoc(f *rules.File, ref string) *rules.Document {
	for _, d := range f.Docs {
		if d.Kind != rules.KindFilter && (d.Meta.Name == ref || d.Meta.ID == ref || d.Meta.Title == ref) {
			return d
		}
	}
	return nil
}

// defaultTable is the first table the query reads (through a correlation's first rule).
func defaultTable(q *translate.Query) string {
	for q != nil {
		if q.Correlation == nil {
			if len(q.Tables) > 0 {
				return q.Tables[0].Name
			}
			return ""
		}
		if len(q.Correlation.Rules) == 0 {
			return ""
		}
		q = q.Correlation.Rules[0]
	}
	return ""
}

// runCase runs one case and returns "" when it passes, else the failure message.
func runCase(cp *compiled, c testCase, testsPath string) string {
	isCorr := cp.q.Correlation != nil
	if c.isFires != isCorr {
		want := "matches (it is a rule)"
		if isCorr {
			want = "fires (it is a correlation)"
		}
		return fmt.Sprintf("%s:%s: case %q: the expectation for this document is %s", testsPath, c.expPos, c.name, want)
	}
	table := defaultTable(cp.q)
	run := cp.prog.NewRun()
	var got []evaluate.Finding
	for i, ce := range c.events {
		ev, err := evaluate.NewEvent(ce.obj, table)
		if err != nil {
			return fmt.Sprintf("%s:%s: case %q: event %d: %v", testsPath, ce.pos, c.name, i+1, err)
		}
		ev.Line = i + 1
		fs, err := run.Add(ev)
		if err != nil {
			var le *evaluate.LineError
			if errors.As(err, &le) {
				err = errors.New(le.Msg)
			}
			return fmt.Sprintf("%s:%s: case %q: event %d: %v", testsPath, ce.pos, c.name, i+1, err)
		}
		got = append(got, fs...)
	}
	got = append(got, run.Close()...)
	if !isCorr {
		lines := []int{}
		for _, f := range got {
			lines = append(lines, f.Lines...)
		}
		sort.Ints(lines)
		if !equalInts(lines, c.matches) {
			return fmt.Sprintf("case %q expected matches %v, got %v", c.name, c.matches, lines)
		}
		return ""
	}
	want, err := firingKeys(cp.q.Correlation, c)
	if err != nil {
		var te *testsError
		if errors.As(err, &te) {
			return fmt.Sprintf("%s:%s: case %q: %s", testsPath, te.pos, c.name, te.msg)
		}
		return fmt.Sprintf("%s: case %q: %v", testsPath, c.name, err)
	}
	var have []string
	for _, f := range got {
		have = append(have, findingKey(f))
	}
	sort.Strings(have)
	if strings.Join(have, "\n") != strings.Join(want, "\n") {
		return fmt.Sprintf("case %q expected fires [%s], got [%s]", c.name, strings.Join(want, "; "), strings.Join(have, "; "))
	}
	return ""
}

// firingKeys renders a case's expected firings as finding keys, group values in the correlation's
// group-by order. Every group-by field must be given; no other field may be.
func firingKeys(corr *translate.Correlation, c testCase) ([]string, error) {
	var out []string
	for _, f := range c.fires {
		fd := evaluate.Finding{Window: f.window}
		for _, k := range f.order {
			found := false
			for _, g := range corr.GroupBy {
				found = found || g.Name == k
			}
			if !found {
				var names []string
				for _, g := range corr.GroupBy {
					names = append(names, g.Name)
				}
				return nil, &testsError{pos: f.pos, msg: fmt.Sprintf("group: %q is not a group-by field of the correlation (%s)", k, strings.Join(names, ", "))}
			}
		}
		for _, g := range corr.GroupBy {
			v, ok := f.group[g.Name]
			if !ok {
				return nil, &testsError{pos: f.pos, msg: fmt.Sprintf("group: the group-by field %s is missing (write null for events without a value)", g.Name)}
			}
			if v == nil {
				fd.Group = append(fd.Group, evaluate.GroupValue{Name: g.Name, Null: true})
			} else {
				fd.Group = append(fd.Group, evaluate.GroupValue{Name: g.Name, Value: *v})
			}
		}
		out = append(out, findingKey(fd))
	}
	sort.Strings(out)
	return out, nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ---- events files ----

// eventFinding is one finding of `entrasig test --events --format json`. Correlation findings
// add the window, the group-by values (null for none), the first and last event time and the
// aggregate the conditions compared.
type eventFinding struct {
	Rule      string         `json:"rule"`
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Events    string         `json:"events"`
	Lines     []int          `json:"lines"`
	Truncated bool           `json:"truncated,omitempty"`
	Window    string         `json:"window,omitempty"`
	Group     map[string]any `json:"group,omitempty"`
	Start     string         `json:"start,omitempty"`
	End       string         `json:"end,omitempty"`
	Value     *float64       `json:"value,omitempty"`
}

// runEvents runs every rule compiled on its own (as convert would emit it) over each events file.
// Each file is one stream, sorted by TimeGenerated (correlation windows do not span files).
func runEvents(l *loaded, files []string, table string, asJSON bool, failed int, stdin io.Reader, stdout, stderr io.Writer) int {
	jobs, frontFailed, docFailed := l.jobs(stderr)
	failed += docFailed
	var progs []*compiled
	var labels []string
	for i, j := range jobs {
		if frontFailed[i] {
			failed++
			continue
		}
		cp, err := compileDoc(j.file, j.doc, l.filters)
		if err != nil {
			fmt.Fprintln(stderr, err)
			failed++
			continue
		}
		progs = append(progs, cp)
		labels = append(labels, j.label())
	}
	progress := isTerminal(stderr)
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for _, name := range files {
		var r io.Reader
		shown := name
		if name == "-" {
			r, shown = stdin, "<stdin>"
		} else {
			fh, err := os.Open(name)
			if err != nil {
				fmt.Fprintf(stderr, "%s: cannot read: %s\n", name, describeFSError(err))
				failed++
				continue
			}
			r = fh
			defer fh.Close() // closed when the command returns; one open file per events file
		}
		runs := make([]*evaluate.Run, len(progs))
		for i, cp := range progs {
			runs[i] = cp.prog.NewRun()
		}
		emit := func(i int, fs []evaluate.Finding) {
			for _, f := range fs {
				printFinding(stdout, enc, asJSON, labels[i], progs[i], shown, f)
			}
		}
		rd := evaluate.NewReader(r, shown, table)
		n, badLines := 0, 0
		lateEvents := make([]int, len(progs)) // per rule: events rejected as out of time order
		for {
			ev, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			var le *evaluate.LineError
			if errors.As(err, &le) {
				if badLines++; badLines <= maxReported {
					fmt.Fprintln(stderr, le.Error())
				}
				failed++
				continue
			}
			if err != nil {
				fmt.Fprintln(stderr, describeFSError(err))
				failed++
				break
			}
			n++
			if progress && n%progressEvery == 0 {
				fmt.Fprintf(stderr, "\r%s: %d events", shown, n)
			}
			for i, run := range runs {
				fs, err := run.Add(ev)
				if err != nil {
					if lateEvents[i]++; lateEvents[i] <= maxReported {
						fmt.Fprintf(stderr, "%v (%s)\n", err, labels[i])
					}
					failed++
				}
				emit(i, fs)
			}
		}
		for i, run := range runs {
			emit(i, run.Close())
		}
		if badLines > maxReported {
			fmt.Fprintf(stderr, "%s: %d more bad lines not shown\n", shown, badLines-maxReported)
		}
		for i, late := range lateEvents {
			if late > maxReported {
				fmt.Fprintf(stderr, "%s: %d more events out of time order not shown (%s)\n", shown, late-maxReported, labels[i])
			}
		}
		if progress && n >= progressEvery {
			if n%progressEvery != 0 {
				fmt.Fprintf(stderr, "\r%s: %d events", shown, n)
			}
			fmt.Fprintln(stderr)
		}
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// printFinding writes one finding: "rule: file:line" for a rule, "rule: file: window <start>
// <group> value <n> lines <l,...>" for a correlation, or its JSON object.
func printFinding(w io.Writer, enc *json.Encoder, asJSON bool, label string, cp *compiled, file string, f evaluate.Finding) {
	corr := cp.q.Correlation != nil
	if !asJSON {
		lines := joinInts(f.Lines)
		if f.Truncated {
			lines += ",..."
		}
		if !corr {
			fmt.Fprintf(w, "%s: %s:%s\n", label, file, lines)
			return
		}
		fmt.Fprintf(w, "%s: %s: window %s value %s lines %s\n", label, file, findingKey(f), formatValue(f.Value), lines)
		return
	}
	out := eventFinding{Rule: label, ID: cp.doc.Meta.ID, Title: cp.doc.Meta.Title, Events: file, Lines: f.Lines, Truncated: f.Truncated}
	if corr {
		out.Window = f.Window.UTC().Format(time.RFC3339)
		out.Group = map[string]any{}
		for _, g := range f.Group {
			if g.Null {
				out.Group[g.Name] = nil
			} else {
				out.Group[g.Name] = g.Value
			}
		}
		out.Start = f.Start.UTC().Format(time.RFC3339Nano)
		out.End = f.End.UTC().Format(time.RFC3339Nano)
		v := f.Value
		out.Value = &v
	}
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(w, "%s: %v\n", label, err)
	}
}

// formatValue prints an aggregate as the shortest decimal that reads back the same.
func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// isTerminal reports whether w is a character device (a terminal), where progress may be shown.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
