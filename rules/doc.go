// Package rules is entrasig's front end: it reads Sigma files (rules, correlations and filters, the
// whole Sigma v2.1 language) from YAML into an ordered, positioned model, parses conditions into an
// AST whose positions point into the YAML file, validates everything a user can get wrong, and owns
// the diagnostic types every later stage reports through. It knows nothing about any SIEM or schema.
//
// API:
//   - LoadFile(path, data) parses one file into a *File (documents in order, each with its own
//     Diags; File.Diags for file-level problems). It never panics.
//   - Resolve(files) links correlation and filter references (by id, then name) across files and
//     reports unknown, ambiguous and cyclic references on the referencing document.
//   - CondString renders a condition canonically, fully parenthesized; FormatCond renders it as
//     condition text with the fewest parentheses, which parses back to the same tree;
//     ParseSegments applies Sigma's wildcard and escape rules; CanonicalModifier and
//     ModifierNames expose the modifier registry; ParseTimespan parses correlation timespans;
//     IsUUID checks ids.
//
// Loading works on yaml.Node trees from a yaml.Decoder loop, never following aliases: anchors,
// aliases, merge keys, duplicate keys, custom tags and non-string keys are errors. Guards run
// before expensive work: 1 MiB per file, 1000 documents, 4 KiB, 512 tokens and 32 nested
// parentheses per condition, 100 conditions per list, 1000 searches per detection, 20 errors per
// document (further errors are summarized).
//
// Decisions where the spec is silent are documented beside the code: condition keywords are
// lowercase only (condition.go); `all` may stand anywhere in a modifier chain (modifier.go);
// custom top-level keys are accepted, near-misses of known keys get a warning, and unknown keys
// inside spec-defined structures are errors (meta.go, correlation.go, detection.go).
package rules
