package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/entrasig/entrasig/backends"
	"github.com/entrasig/entrasig/rules"
	"github.com/entrasig/entrasig/translate"
)

// version is the release this build reports with --version.
const version = "0.1.0"

// Exit codes: every rule converted; some rule failed (the others were still converted); usage.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// maxFileSize caps how much of one input is read; the front end rejects anything larger than its own
// limit with a positioned message, so reading one byte more than that is enough.
const maxFileSize = 1<<20 + 1

const usageText = `entrasig compiles Sigma rules for Entra ID sign-in logs into SIEM queries.

Usage:
  entrasig convert -t TARGETS [--format query|json] [-o DIR] [PATH...]
  entrasig check PATH...
  entrasig test [--events FILE]... [--table NAME] [--format text|json] [PATH...]
  entrasig targets
  entrasig --version

PATH is a Sigma file, a directory (searched recursively for *.yml and *.yaml, except the
test-case files *.tests.yml) or - for standard input. convert and test without a PATH use the
built-in sign-in rule pack. Run "entrasig COMMAND --help" for a command's flags.

Exit status: 0 every rule converted, 1 some rule failed (the others are still converted),
2 usage error. For test: 0 every case passed, 1 some case failed or an event line was bad.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return exitUsage
	}
	switch args[0] {
	case "convert":
		return runConvert(args[1:], stdin, stdout, stderr)
	case "check":
		return runCheck(args[1:], stdin, stdout, stderr)
	case "test":
		return runTest(args[1:], stdin, stdout, stderr)
	case "targets":
		return runTargets(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "entrasig %s\n", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return exitOK
	}
	fmt.Fprintf(stderr, "entrasig: unknown command %q\n\n%s", args[0], usageText)
	return exitUsage
}

// parseInterleaved parses flags that may appear before, between or after the positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// usageExit maps a flag parse error to an exit code: --help is a success, anything else usage.
func usageExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

func runTargets(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("targets", "entrasig targets", stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "entrasig targets: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	all := backends.All(backends.Options{})
	width := 0
	for _, b := range all {
		width = max(width, len(b.Name()))
	}
	for _, b := range all {
		fmt.Fprintf(stdout, "%-*s  %s\n", width, b.Name(), b.Describe())
	}
	return exitOK
}

// source is one input file as read from disk or stdin.
type source struct {
	path string // as the user gave it (or "<stdin>")
	name string // output name for -o: the path below its input root, without extension
	data []byte
}

// collect reads every input. Problems with a path (missing, unreadable, a directory without rules)
// are reported on stderr and counted; the other inputs still load.
func collect(paths []string, stdin io.Reader, stderr io.Writer) ([]source, int) {
	var out []source
	failed := 0
	stdinUsed := false
	for _, p := range paths {
		if p == "-" {
			if stdinUsed {
				continue
			}
			stdinUsed = true
			data, err := io.ReadAll(io.LimitReader(stdin, maxFileSize))
			if err != nil {
				fmt.Fprintf(stderr, "<stdin>: cannot read: %v\n", err)
				failed++
				continue
			}
			out = append(out, source{path: "<stdin>", name: "stdin", data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			fmt.Fprintf(stderr, "%s: cannot read: %s\n", p, describeFSError(err))
			failed++
			continue
		}
		if !info.IsDir() {
			src, err := readSource(p, strings.TrimSuffix(filepath.Base(p), filepath.Ext(p)))
			if err != nil {
				fmt.Fprintf(stderr, "%s: cannot read: %s\n", p, describeFSError(err))
				failed++
				continue
			}
			out = append(out, src)
			continue
		}
		found := 0
		walkErr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(stderr, "%s: cannot read: %s\n", path, describeFSError(err))
				failed++
				if d != nil && d.IsDir() && path != p {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !isRuleFile(path) {
				return nil
			}
			rel, relErr := filepath.Rel(p, path)
			if relErr != nil {
				rel = filepath.Base(path)
			}
			src, err := readSource(path, strings.TrimSuffix(filepath.ToSlash(rel), filepath.Ext(rel)))
			if err != nil {
				fmt.Fprintf(stderr, "%s: cannot read: %s\n", path, describeFSError(err))
				failed++
				return nil
			}
			found++
			out = append(out, src)
			return nil
		})
		if walkErr != nil {
			fmt.Fprintf(stderr, "%s: cannot read: %s\n", p, describeFSError(walkErr))
			failed++
		} else if found == 0 {
			fmt.Fprintf(stderr, "%s: no Sigma rules found (looked for *.yml and *.yaml)\n", p)
			failed++
		}
	}
	return out, failed
}

// isRuleFile reports whether a file found in a directory is a rule file: *.yml or *.yaml, but not
// a test-case file (*.tests.yml, read by `entrasig test` beside its rule file).
func isRuleFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return (ext == ".yml" || ext == ".yaml") && !isTestsFile(path)
}

func readSource(path, name string) (source, error) {
	f, err := os.Open(path)
	if err != nil {
		return source{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize))
	if err != nil {
		return source{}, err
	}
	return source{path: path, name: name, data: data}, nil
}

// describeFSError strips the operation and path from an *fs.PathError so messages name the path
// once, as the user wrote it.
func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// loaded is the front end's view of all inputs: files, with references resolved across them.
type loaded struct {
	sources []source
	files   []*rules.File
	filters []*rules.Document
}

func load(srcs []source) *loaded {
	l := &loaded{sources: srcs}
	for _, s := range srcs {
		l.files = append(l.files, rules.LoadFile(s.path, s.data))
	}
	rules.Resolve(l.files)
	for _, f := range l.files {
		for _, d := range f.Docs {
			if d.Kind == rules.KindFilter {
				l.filters = append(l.filters, d)
			}
		}
	}
	return l
}

// withSource fills in the caret snippet's source line for diagnostics that lack it.
func withSource(d rules.Diagnostic, f *rules.File) rules.Diagnostic {
	if d.Source == "" && d.Pos.IsValid() && d.Pos.Line <= len(f.Lines) {
		d.Source = f.Lines[d.Pos.Line-1]
	}
	if d.Path == "" {
		d.Path = f.Path
	}
	return d
}

func printDiags(w io.Writer, f *rules.File, ds rules.Diagnostics) {
	for _, d := range ds {
		fmt.Fprintln(w, withSource(d, f).Format())
	}
}

// job is one translatable document of one file.
type job struct {
	src  source
	file *rules.File
	doc  *rules.Document
	// multi is set when the file holds several rule documents, so outputs get a per-document suffix.
	multi bool
}

func (j job) label() string {
	if j.multi {
		return fmt.Sprintf("%s#%d", j.src.path, j.doc.Index+1)
	}
	return j.src.path
}

func (j job) outName() string {
	if j.multi {
		return fmt.Sprintf("%s-%d", j.src.name, j.doc.Index+1)
	}
	return j.src.name
}

// jobs lists the documents to compile on their own (rules.Outputs: rules and correlations, not
// filters, and not rules that only feed a correlation) and reports file-level and front-end
// diagnostics of every document. It returns the jobs, whether each failed in the front end, and how
// many other documents (filters, correlation-only rules, files) failed.
func (l *loaded) jobs(stderr io.Writer) ([]job, []bool, int) {
	emit := make(map[*rules.Document]bool)
	for _, d := range rules.Outputs(l.files) {
		emit[d] = true
	}
	var out []job
	var frontFailed []bool
	failed := 0
	for i, f := range l.files {
		printDiags(stderr, f, f.Diags)
		if f.Diags.HasErrors() {
			failed++
		}
		n := 0
		for _, d := range f.Docs {
			if emit[d] {
				n++
			}
		}
		for _, d := range f.Docs {
			printDiags(stderr, f, d.Diags)
			if !emit[d] {
				if d.Diags.HasErrors() {
					failed++
				}
				continue
			}
			out = append(out, job{src: l.sources[i], file: f, doc: d, multi: n > 1})
			frontFailed = append(frontFailed, d.Diags.HasErrors())
		}
	}
	return out, frontFailed, failed
}

// result is one rule compiled for one target.
type result struct {
	Path     string   `json:"path"`
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Target   string   `json:"target"`
	Query    string   `json:"query"`
	Warnings []string `json:"warnings"`
	Error    *string  `json:"error"`
}

func runConvert(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("convert", "entrasig convert -t TARGETS [--format query|json] [-o DIR] [PATH...]", stderr)
	targets := fs.String("t", "", "targets: a comma-separated list of "+strings.Join(backends.Names(), ", ")+", or all")
	format := fs.String("format", "query", "output format: query (the queries) or json (one JSON object per rule and target per line)")
	outDir := fs.String("o", "", "write one file per rule and target under `DIR`/<target>/ instead of printing queries")
	var opts backends.Options
	fs.StringVar(&opts.KustoFunction, "kusto-function", "", "Sentinel workspace `function` to query for combinedsigninlogs instead of a union")
	fs.StringVar(&opts.SplunkIndex, "splunk-index", "", "Splunk `index` to search (default: none named)")
	fs.StringVar(&opts.SplunkMacro, "splunk-macro", "", "Splunk `macro` (e.g. azure_monitor_aad) to use in place of the sourcetype filter")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if *targets == "" {
		fmt.Fprintln(stderr, "entrasig convert: -t TARGETS is required (known: "+strings.Join(backends.Names(), ", ")+", or all)")
		return exitUsage
	}
	bes, err := backends.Select(*targets, opts)
	if err != nil {
		fmt.Fprintf(stderr, "entrasig convert: %v\n", err)
		return exitUsage
	}
	if *format != "query" && *format != "json" {
		fmt.Fprintf(stderr, "entrasig convert: unknown --format %q (query or json)\n", *format)
		return exitUsage
	}
	if err := checkBackendConfig(bes); err != nil {
		fmt.Fprintf(stderr, "entrasig convert: %v\n", err)
		return exitUsage
	}

	var srcs []source
	failed := 0
	if len(paths) == 0 {
		// No PATH: the built-in sign-in rule pack.
		var err error
		if srcs, err = packSources(); err != nil {
			fmt.Fprintf(stderr, "entrasig convert: built-in rule pack: %v\n", err)
			return exitFailed
		}
	} else {
		srcs, failed = collect(paths, stdin, stderr)
	}
	l := load(srcs)
	jobs, frontFailed, docFailed := l.jobs(stderr)
	failed += docFailed

	var results []result
	var files []outFile
	for i, j := range jobs {
		rs, ok := convertOne(j, frontFailed[i], l.filters, bes, stderr)
		if !ok {
			failed++
		}
		for _, r := range rs {
			results = append(results, r)
			if r.Error == nil {
				files = append(files, outFile{path: filepath.Join(r.Target, j.outName()+"."+r.Target), text: r.Query})
			}
		}
	}

	switch {
	case *outDir != "":
		if err := writeFiles(*outDir, files); err != nil {
			fmt.Fprintf(stderr, "entrasig convert: %v\n", err)
			return exitFailed
		}
	case *format == "json":
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintf(stderr, "entrasig convert: %v\n", err)
				return exitFailed
			}
		}
	default:
		printQueries(stdout, results)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// checkBackendConfig rejects backend settings that could never produce a valid query (for example
// an unsafe Splunk index name) before any rule runs.
func checkBackendConfig(bes []translate.Backend) error {
	for _, b := range bes {
		if v, ok := b.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				return err
			}
		}
	}
	return nil
}

// convertOne translates one document and emits it for every backend. It prints diagnostics and
// warnings to stderr and reports whether every target succeeded.
func convertOne(j job, frontFailed bool, filters []*rules.Document, bes []translate.Backend, stderr io.Writer) ([]result, bool) {
	base := result{Path: j.label(), ID: j.doc.Meta.ID, Title: j.doc.Meta.Title}
	fail := func(msg string) ([]result, bool) {
		out := make([]result, len(bes))
		for i, b := range bes {
			r := base
			r.Target = b.Name()
			r.Warnings = []string{}
			m := msg
			r.Error = &m
			out[i] = r
		}
		return out, false
	}
	if frontFailed {
		return fail(firstError(j.file, j.doc.Diags))
	}
	q, diags := translate.Translate(j.doc, filters)
	printDiags(stderr, j.file, diags)
	if diags.HasErrors() || q == nil {
		return fail(firstError(j.file, diags))
	}
	var common []string
	for _, w := range q.Warnings {
		text := warningText(j.file, "", w)
		fmt.Fprintln(stderr, text)
		common = append(common, text)
	}
	ok := true
	out := make([]result, 0, len(bes))
	for _, b := range bes {
		r := base
		r.Target = b.Name()
		r.Warnings = append([]string{}, common...)
		o, err := b.Emit(q)
		if err != nil {
			ok = false
			d := emitDiagnostic(j.file, b.Name(), err)
			fmt.Fprintln(stderr, d.Format())
			m := d.Error()
			r.Error = &m
			out = append(out, r)
			continue
		}
		for _, w := range o.Warnings {
			text := warningText(j.file, b.Name(), w)
			fmt.Fprintln(stderr, text)
			r.Warnings = append(r.Warnings, text)
		}
		r.Query = o.Query
		out = append(out, r)
	}
	return out, ok
}

// emitDiagnostic turns a backend error into a positioned diagnostic. A *translate.UnsupportedError is
// a statement of non-support; anything else is an internal error and says so.
func emitDiagnostic(f *rules.File, target string, err error) rules.Diagnostic {
	var ue *translate.UnsupportedError
	if errors.As(err, &ue) {
		return withSource(rules.Diagnostic{Path: f.Path, Pos: ue.Pos, Msg: ue.Error()}, f)
	}
	return rules.Diagnostic{Path: f.Path, Msg: fmt.Sprintf("%s: internal error (please report): %v", target, err)}
}

// warningText renders a warning as "path:line:col: warning: [target: ]message"; the path is the
// warning's own (a rule in another file that a correlation references) or the document's.
func warningText(f *rules.File, target string, w translate.Warning) string {
	msg := w.Msg
	if target != "" {
		msg = target + ": " + msg
	}
	path := f.Path
	if w.Path != "" {
		path = w.Path
	}
	return rules.Diagnostic{Path: path, Pos: w.Pos, Severity: rules.SevWarning, Msg: msg}.Error()
}

func firstError(f *rules.File, ds rules.Diagnostics) string {
	errs := ds.Errors()
	if len(errs) == 0 {
		return f.Path + ": rule failed"
	}
	return withSource(errs[0], f).Error()
}

// printQueries writes the queries; with more than one, each gets a header naming rule and target.
func printQueries(w io.Writer, results []result) {
	var ok []result
	for _, r := range results {
		if r.Error == nil {
			ok = append(ok, r)
		}
	}
	for i, r := range ok {
		if len(ok) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "==> %s [%s] <==\n", r.Path, r.Target)
		}
		fmt.Fprintln(w, r.Query)
	}
}

type outFile struct {
	path string // relative to the output directory
	text string
}

// writeFiles writes every output under dir. Two rules mapping to the same file are an error rather
// than one silently overwriting the other.
func writeFiles(dir string, files []outFile) error {
	sort.SliceStable(files, func(i, j int) bool { return files[i].path < files[j].path })
	for i := 1; i < len(files); i++ {
		if files[i].path == files[i-1].path {
			return fmt.Errorf("two rules would both be written to %s", filepath.Join(dir, files[i].path))
		}
	}
	for _, f := range files {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("%s: %s", filepath.Dir(p), describeFSError(err))
		}
		if err := os.WriteFile(p, []byte(f.text+"\n"), 0o644); err != nil {
			return fmt.Errorf("%s: %s", p, describeFSError(err))
		}
	}
	return nil
}

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "entrasig check PATH...", stderr)
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return usageExit(err)
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "entrasig check: no PATH given (a file, a directory, or - for stdin)")
		return exitUsage
	}
	srcs, failed := collect(paths, stdin, stderr)
	l := load(srcs)
	jobs, frontFailed, docFailed := l.jobs(stderr)
	failed += docFailed
	okCount, warnCount := 0, 0
	for _, f := range l.files {
		warnCount += len(f.Diags.Warnings())
		for _, d := range f.Docs {
			warnCount += len(d.Diags.Warnings())
		}
	}
	for i, j := range jobs {
		if frontFailed[i] {
			failed++
			continue
		}
		q, diags := translate.Translate(j.doc, l.filters)
		printDiags(stderr, j.file, diags)
		warnCount += len(diags.Warnings())
		if q != nil {
			for _, w := range q.Warnings {
				fmt.Fprintln(stderr, warningText(j.file, "", w))
			}
			warnCount += len(q.Warnings)
		}
		if diags.HasErrors() {
			failed++
			continue
		}
		okCount++
	}
	fmt.Fprintf(stdout, "%s, %s: %d ok, %d failed, %s\n",
		plural(len(l.files), "file"), plural(len(jobs), "document"), okCount, failed, plural(warnCount, "warning"))
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
