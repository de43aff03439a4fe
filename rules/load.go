package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Guards applied to every file before the YAML parser runs or while it runs.
const (
	MaxFileSize     = 1 << 20 // bytes
	MaxDocuments    = 1000    // YAML documents per file
	maxDocErrors    = 20      // errors kept per document; the rest are summarized
	maxDocWarnings  = 20      // warnings kept per document
	maxHazardErrors = 5       // YAML hazard errors (anchors, aliases, ...) per document
)

// v1Rewrite ends every message about a removed Sigma v1 construct.
const v1Rewrite = "removed in Sigma v2: rewrite it as a correlation rule"

// LoadFile parses one Sigma file. path is used only in diagnostics, exactly as given. It never
// panics: every problem becomes a positioned Diagnostic in File.Diags (file level: size, encoding,
// YAML syntax, documents that are neither a rule, a correlation nor a filter) or in the Diags of
// the Document concerned. Documents are returned in file order, also when they have errors.
func LoadFile(path string, data []byte) *File {
	f := &File{Path: path}
	if len(data) > MaxFileSize {
		f.fileError(Pos{Line: 1, Col: 1}, fmt.Sprintf("file is %d bytes, larger than the limit of %d bytes (1 MiB)", len(data), MaxFileSize))
		return f
	}
	text := string(data)
	f.Lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i, l := range f.Lines {
		f.Lines[i] = strings.TrimSuffix(l, "\r")
	}
	// yaml.v3 skips a UTF-8 byte order mark without counting it as a column.
	f.Lines[0] = strings.TrimPrefix(f.Lines[0], "\ufeff")
	if i := strings.IndexByte(text, 0); i >= 0 {
		f.fileError(offsetPos(text, i), "file contains a NUL byte: it is not a YAML text file (binary?)")
		return f
	}
	if !utf8.ValidString(text) {
		i := 0
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		f.fileError(offsetPos(text, i), fmt.Sprintf("file is not valid UTF-8 (byte 0x%02x): it is not a YAML text file (binary?)", text[i]))
		return f
	}
	rl := newRuneLines(f.Lines)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	collection := false
	for idx := 0; ; idx++ {
		var n yaml.Node
		err := safeDecode(dec, &n)
		if err == io.EOF {
			break
		}
		if err != nil {
			f.fileError(f.yamlErrorPos(err), yamlErrorMessage(err))
			break
		}
		if idx >= MaxDocuments {
			f.fileError(Pos{n.Line, n.Column}, fmt.Sprintf("more than %d YAML documents in one file", MaxDocuments))
			break
		}
		if collection {
			continue
		}
		if len(f.Diags) >= maxDocErrors {
			f.fileError(Pos{n.Line, n.Column}, fmt.Sprintf("too many errors (more than %d) in this file; the remaining documents are not loaded", maxDocErrors))
			break
		}
		collection = f.loadDocument(idx, &n, rl)
	}
	if len(f.Docs) == 0 && len(f.Diags) == 0 {
		f.fileError(Pos{Line: 1, Col: 1}, "file is empty: expected a Sigma rule, correlation or filter")
	}
	return f
}

// Documents returns the documents of the file (nil-safe).
func (f *File) Documents() []*Document {
	if f == nil {
		return nil
	}
	return f.Docs
}

// AllDiagnostics returns the file-level diagnostics followed by each document's, in order.
func (f *File) AllDiagnostics() Diagnostics {
	out := append(Diagnostics(nil), f.Diags...)
	for _, d := range f.Docs {
		out = append(out, d.Diags...)
	}
	return out
}

// HasErrors reports whether the file or any of its documents has an error.
func (f *File) HasErrors() bool {
	return f.AllDiagnostics().HasErrors()
}

// safeDecode runs the YAML decoder, turning a panic inside the third-party parser into an error.
func safeDecode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: the YAML parser failed on this input (%v)", r)
		}
	}()
	return dec.Decode(n)
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

func yamlErrorMessage(err error) string {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	if m := yamlLineRE().FindStringSubmatch(msg); m != nil {
		msg = m[2]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return "invalid YAML: " + msg
}

// yamlErrorPos extracts "line N" from a yaml.v3 error; yaml.v3 omits it for errors on the
// first line.
func (f *File) yamlErrorPos(err error) Pos {
	line := 1
	if m := yamlLineRE().FindStringSubmatch(err.Error()); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil {
			line = n
		}
	}
	if line > len(f.Lines) {
		line = len(f.Lines)
	}
	if line < 1 {
		return Pos{}
	}
	return Pos{line, 1}
}

func offsetPos(text string, off int) Pos {
	if off > len(text) {
		off = len(text)
	}
	line := 1 + strings.Count(text[:off], "\n")
	start := strings.LastIndexByte(text[:off], '\n') + 1
	return Pos{line, 1 + utf8.RuneCountInString(text[start:off])}
}

// clamp keeps a position inside the file: the YAML parser reports end-of-input positions on the
// line after a final newline.
func (f *File) clamp(p Pos) Pos {
	if !p.IsValid() || len(f.Lines) == 0 {
		return p
	}
	if p.Line > len(f.Lines) {
		last := f.Lines[len(f.Lines)-1]
		return Pos{len(f.Lines), utf8.RuneCountInString(last) + 1}
	}
	if p.Col < 1 {
		p.Col = 1
	}
	return p
}

func (f *File) source(p Pos) string {
	if p.Line >= 1 && p.Line <= len(f.Lines) {
		return f.Lines[p.Line-1]
	}
	return ""
}

func (f *File) fileError(p Pos, msg string) {
	p = f.clamp(p)
	f.Diags = append(f.Diags, Diagnostic{Path: f.Path, Pos: p, Severity: SevError, Msg: msg, Source: f.source(p)})
}

// docCtx collects the diagnostics of one document, capped.
type docCtx struct {
	f      *File
	rl     *runeLines // nil outside loading
	diags  *Diagnostics
	errs   int
	warns  int
	capped bool
}

func (c *docCtx) add(p Pos, sev Severity, msg string) {
	p = c.f.clamp(p)
	if sev == SevError {
		c.errs++
		if c.errs > maxDocErrors {
			if !c.capped {
				c.capped = true
				*c.diags = append(*c.diags, Diagnostic{Path: c.f.Path, Pos: p, Severity: SevError, Msg: fmt.Sprintf("too many errors (more than %d) in this document; the rest are not shown", maxDocErrors), Source: c.f.source(p)})
			}
			return
		}
	} else {
		c.warns++
		if c.warns > maxDocWarnings {
			return
		}
	}
	*c.diags = append(*c.diags, Diagnostic{Path: c.f.Path, Pos: p, Severity: sev, Msg: msg, Source: c.f.source(p)})
}

// full reports whether the error cap is reached, so callers can skip building messages (and
// did-you-mean suggestions) nobody will see.
func (c *docCtx) full() bool { return c.errs >= maxDocErrors }

func (c *docCtx) errorf(p Pos, format string, args ...any) {
	c.add(p, SevError, fmt.Sprintf(format, args...))
}
func (c *docCtx) warnf(p Pos, format string, args ...any) {
	c.add(p, SevWarning, fmt.Sprintf(format, args...))
}

// report adds msg as an error, or as a warning when it starts with "warning: ".
func (c *docCtx) report(p Pos, msg string) {
	if w, ok := strings.CutPrefix(msg, "warning: "); ok {
		c.add(p, SevWarning, w)
		return
	}
	c.add(p, SevError, msg)
}

func posOf(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty (null)"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "empty"
}

// checkHazards reports YAML features Sigma files never need and a loader must not follow:
// anchors, aliases, merge keys, duplicate keys, non-scalar keys and custom tags. It walks the
// node tree as parsed, never expanding an alias, so its cost is linear in the file size.
//
// Anchors and aliases are reported once per document (the first one, with how many more follow):
// an alias bomb has thousands, and one clear message says all there is to say.
func checkHazards(n *yaml.Node, report func(Pos, string)) int {
	count := 0
	var aliasPos Pos
	var aliasMsg string
	moreAliases := 0
	aliasHazard := func(p Pos, msg string) {
		if aliasMsg == "" {
			aliasPos, aliasMsg = p, msg
			count++
			return
		}
		moreAliases++
	}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if count >= maxHazardErrors || n == nil {
			return
		}
		if n.Anchor != "" {
			aliasHazard(posOf(n), fmt.Sprintf("YAML anchor &%s: anchors and aliases are not allowed in Sigma files", clip(n.Anchor, 40)))
		}
		switch n.Kind {
		case yaml.AliasNode:
			aliasHazard(posOf(n), fmt.Sprintf("YAML alias *%s: anchors and aliases are not allowed in Sigma files", clip(n.Value, 40)))
			return
		case yaml.ScalarNode:
			if n.Tag != "" && !strings.HasPrefix(n.Tag, "!!") {
				count++
				report(posOf(n), fmt.Sprintf("YAML tag %s is not allowed in Sigma files", clip(n.Tag, 40)))
			} else if n.Tag == "!!binary" {
				count++
				report(posOf(n), "YAML !!binary values are not allowed in Sigma files")
			}
		case yaml.MappingNode:
			if n.Tag != "" && n.Tag != "!!map" {
				count++
				report(posOf(n), fmt.Sprintf("YAML tag %s is not allowed in Sigma files", clip(n.Tag, 40)))
			}
			seen := map[string]Pos{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode {
					count++
					report(posOf(k), "mapping keys must be strings")
					walk(k, depth+1)
				} else if k.Tag == "!!merge" || k.Value == "<<" && k.Style == 0 {
					count++
					report(posOf(k), "YAML merge key <<: merge keys are not allowed in Sigma files")
				} else if p, dup := seen[k.Value]; dup {
					count++
					report(posOf(k), fmt.Sprintf("duplicate key %q (first at line %d)", clip(k.Value, 60), p.Line))
				} else {
					seen[k.Value] = posOf(k)
					if k.Anchor != "" {
						walk(k, depth+1)
					}
				}
				walk(n.Content[i+1], depth+1)
			}
			return
		}
		if n.Kind == yaml.SequenceNode && n.Tag != "" && n.Tag != "!!seq" {
			count++
			report(posOf(n), fmt.Sprintf("YAML tag %s is not allowed in Sigma files", clip(n.Tag, 40)))
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	if aliasMsg != "" {
		if moreAliases > 0 {
			aliasMsg += fmt.Sprintf(" (%d more anchors and aliases follow)", moreAliases)
		}
		report(aliasPos, aliasMsg)
	}
	return count
}

// loadDocument classifies and loads one YAML document. It returns true when the document is a
// Sigma v1 rule collection (action: global/reset/repeat): the following documents only make sense
// merged with it and are not loaded.
func (f *File) loadDocument(idx int, doc *yaml.Node, rl *runeLines) bool {
	root := doc
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			f.fileError(posOf(doc), fmt.Sprintf("YAML document %d is empty", idx+1))
			return false
		}
		root = doc.Content[0]
	}
	var hazards []Diagnostic
	fc := &docCtx{f: f, diags: (*Diagnostics)(&hazards)}
	checkHazards(root, func(p Pos, m string) { fc.errorf(p, "%s", m) })
	Diagnostics(hazards).Sort()

	if root.Kind != yaml.MappingNode {
		if len(hazards) > 0 {
			f.Diags = append(f.Diags, hazards...)
			return false
		}
		f.fileError(posOf(root), fmt.Sprintf("YAML document %d is %s, expected a mapping (a Sigma rule, correlation or filter)", idx+1, kindName(root)))
		return false
	}
	var kinds []string
	var kindKeys []*yaml.Node
	var action *yaml.Node
	var keys []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		keys = append(keys, k.Value)
		switch k.Value {
		case "detection", "correlation", "filter":
			kinds = append(kinds, k.Value)
			kindKeys = append(kindKeys, k)
		case "action":
			action = root.Content[i+1]
		}
	}
	if action != nil && action.Kind == yaml.ScalarNode && (action.Value == "global" || action.Value == "reset" || action.Value == "repeat") {
		f.Diags = append(f.Diags, hazards...)
		f.fileError(posOf(action), fmt.Sprintf("`action: %s` is a Sigma v1 rule collection, %s (or split the documents into complete, separate rules)", action.Value, v1Rewrite))
		return true
	}
	if len(kinds) == 0 {
		f.Diags = append(f.Diags, hazards...)
		msg := fmt.Sprintf("YAML document %d is not a Sigma rule, correlation or filter: it has no detection, correlation or filter section", idx+1)
		for _, k := range keys {
			if m := closest(k, []string{"detection", "correlation", "filter"}); m != "" {
				msg += fmt.Sprintf(" (found %q: did you mean %q?)", k, m)
				break
			}
		}
		f.fileError(posOf(root), msg)
		return false
	}
	d := &Document{Path: f.Path, Index: idx, Pos: posOf(root.Content[0])}
	if len(root.Content) == 0 {
		d.Pos = posOf(root)
	}
	d.Diags = append(d.Diags, hazards...)
	f.Docs = append(f.Docs, d)
	c := &docCtx{f: f, rl: rl, diags: &d.Diags, errs: len(hazards)}
	if len(kinds) > 1 {
		c.errorf(posOf(kindKeys[1]), "a document has one of detection, correlation or filter, not both %s and %s", kinds[0], kinds[1])
		return false
	}
	switch kinds[0] {
	case "detection":
		d.Kind = KindRule
		d.Rule = &Rule{}
	case "correlation":
		d.Kind = KindCorrelation
		d.Correlation = &Correlation{}
	case "filter":
		d.Kind = KindFilter
		d.Filter = &Filter{}
	}
	if len(hazards) > 0 {
		return false // the tree holds aliases or duplicates: do not interpret it
	}
	loadMeta(c, d, root)
	switch d.Kind {
	case KindRule:
		loadRule(c, d, root)
	case KindCorrelation:
		loadCorrelation(c, d, root)
	case KindFilter:
		loadFilter(c, d, root)
	}
	d.Diags.Sort()
	return false
}

// mapGet returns the value node of key in a mapping, and the key node.
func mapGet(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1], m.Content[i]
		}
	}
	return nil, nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// scalarString returns the text of a string-like scalar (str, int, float, bool, timestamp).
func scalarString(n *yaml.Node) (string, bool) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// stringList accepts a string or a list of strings.
func stringList(c *docCtx, n *yaml.Node, what string, sev Severity) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		c.add(posOf(n), sev, fmt.Sprintf("%s must be a list of strings, got %s", what, kindName(n)))
		return nil
	}
	var out []string
	for _, it := range n.Content {
		s, ok := scalarString(it)
		if !ok {
			c.add(posOf(it), sev, fmt.Sprintf("%s must be a list of strings, got an item that is %s", what, kindName(it)))
			continue
		}
		out = append(out, s)
	}
	return out
}
