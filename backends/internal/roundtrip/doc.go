// Package roundtrip is the proof harness that every backend's output means what the rule means.
// Golden files prove an output did not change; this package proves it is right, in two ways that
// work from the emitted text alone:
//
//  1. Read back. A backend's test parses each query it emitted (with a participle grammar for the
//     subset it emits) and rebuilds its meaning: a Pred per sign-in table, over canonical fields,
//     with escapes decoded and the backend's documented rewrites undone (a category filter becomes
//     the table a branch applies to, TO_LOWER(f) LIKE "abc*" a case-insensitive pattern, and so
//     on). FromQuery builds the same from the IR, and Diff compares the two after Normalize: De
//     Morgan, flattening, constant folding, and merging one field's string tests into one
//     alternation. String tests are compared as languages (Equivalent decides whether two regexes
//     accept the same strings, on the product of their automata), so `=~ "a"` and `matches regex
//     "(?i)^a$"` agree while a lost escape, a dropped case fold or a widened wildcard does not, and
//     the message names a value that tells them apart. Correlations compare as CorrMeaning.
//  2. Evaluate. The backend's test interprets the parsed query over streams of events with the
//     target language's documented semantics (case rules, wildcards, regex flavour, CIDR, null and
//     missing fields, time buckets) and CheckEval compares the events (or correlation groups) it
//     selects with the embedded evaluator's (translate/evaluate, Sigma's meaning). Streams are the
//     pack's test cases plus events Generate builds from the rule itself to expose differences:
//     case variants, metacharacters standing in for wildcards, missing and empty fields, fields a
//     table lacks, and window boundaries. A difference is accepted only on a rule whose output
//     carries a warning, and accepted differences are pinned in a golden file.
//
// The package is imported by backends' tests only.
package roundtrip
