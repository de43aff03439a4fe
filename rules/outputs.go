package rules

// Outputs lists the documents of files that are compiled on their own, in file and document order:
// every rule and correlation, except filters (they modify the rules they name) and rules (or
// nested correlations) that correlations reference, unless one of those correlations sets
// `generate: true` (Sigma v2: what only feeds a correlation is not emitted by itself). Call it
// after Resolve.
func Outputs(files []*File) []*Document {
	referenced := make(map[*Document]bool)
	generated := make(map[*Document]bool)
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind != KindCorrelation || d.Correlation == nil {
				continue
			}
			for _, r := range d.Correlation.Rules {
				if r.Target == nil {
					continue
				}
				referenced[r.Target] = true
				if d.Correlation.Generate {
					generated[r.Target] = true
				}
			}
		}
	}
	var out []*Document
	for _, f := range files {
		for _, d := range f.Docs {
			if d.Kind == KindFilter {
				continue
			}
			if referenced[d] && !generated[d] {
				continue
			}
			out = append(out, d)
		}
	}
	return out
}
