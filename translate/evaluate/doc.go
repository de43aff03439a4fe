// Package evaluate is entrasig's embedded evaluator: it runs translated rules (the backend-neutral
// IR of package translate) over Entra ID sign-in events and is the reference meaning of every rule.
// A backend's output is right when, on any event, it selects exactly the events this package matches.
//
// # Events
//
// Events are JSON objects keyed by Sentinel column names, one per line (JSON Lines, the shape of a
// Log Analytics export). Reader streams them with their line numbers; a bad line is a positioned
// *LineError ("name:line: message") and reading goes on with the next line. Numbers are kept as
// their JSON text (json.Number). TimeGenerated (RFC 3339) is required and is the event time. The
// table is the event's Type column, else the reader's default table; it must be one of the four
// sign-in tables. Dynamic columns (DeviceDetail, Status, LocationDetails, ConditionalAccessPolicies,
// MfaDetail) may arrive as JSON objects or as JSON text; sub-keys (DeviceDetail.isCompliant) are
// read from either form (JSON text is parsed once per event, on first use). Column names and
// sub-keys are matched exactly (case-sensitively), as Kusto does.
//
// # Evaluation
//
// Compile turns a *translate.Query into a *Program once (patterns, regexes, prefixes and numbers
// prepared); Program.Match evaluates one event: the Leg whose table is the event's table decides,
// and an event of a table the rule is not routed to never matches. A Program is immutable and safe
// for concurrent use; an Event memoizes parsed JSON text, so one Event is used by one goroutine at a
// time. Match keeps nothing per event, so memory does not grow with the number of events.
//
// Program.NewRun evaluates a Program over a stream: Run.Add feeds one event and returns the
// findings that became final, Run.Close returns the rest. For a plain rule a finding is a matching
// event. For a correlation it is a group (see below).
//
// # Correlations
//
// Compile compiles each of Correlation.Rules (a nested correlation recursively) into a Program.
// The meaning is the one every backend shares (the correlation semantics document); the evaluator
// is its reference:
//
//   - Event set. An event belongs to the correlation when it matches at least one referenced rule
//     (with that rule's routing). Its group-by values come from CorrField.PerRule of the rule it
//     matched. An event matching several rules is one event of its group (event_count and the
//     value_* types count it once; its value is read through the first of those rules, in
//     reference order) and counts for each of them for temporal and temporal_ordered. If aliases
//     give it different group-by values through different rules, it is one event in each of
//     those groups.
//   - Windows. Fixed buckets of Timespan aligned to the Unix epoch (UTC): bucket(t) =
//     floor(t/Timespan)*Timespan, as Kusto's bin(); the group is (bucket, group-by values), and
//     without group-by the bucket alone. Findings are reported per bucket, then by the group's
//     first event time, then by a fixed encoding of the group-by values.
//   - Null groups. A group-by value that is null (absent, JSON null, missing sub-key) or the empty
//     string is null, as `field: null` means in this package; all such events form one group per
//     combination of the other values, reported with GroupValue.Null. The string "null" is a value.
//   - event_count: events in the group. value_count: distinct non-null, non-empty string forms of
//     the field (exact, case-sensitive like Kusto's count_distinct). value_sum / value_avg: sum /
//     mean of the field's numeric values (a JSON number, or a string in JSON number syntax; other
//     values are ignored); a group without any numeric value has no aggregate and is never a
//     finding (whatever the condition). value_percentile: nearest-rank over the numeric values:
//     the ceil(P/100*n)-th smallest (the smallest for P = 0), always one of the values. Kusto's
//     percentile() estimates this same nearest-rank definition (T-Digest, approximate); Splunk's
//     perc() is nearest-rank below 1000 distinct values and approximate above, exactperc() exact;
//     ES|QL's PERCENTILE is a T-Digest estimate that interpolates, so it can return a value between
//     two observed ones.
//   - temporal: distinct referenced rules with an event in the group. temporal_ordered: the length
//     of the in-order prefix found greedily (the earliest event of rule 1, then the earliest event
//     of rule 2 strictly later, ...): the group matches when it reaches every rule, i.e. there
//     are events e1 < e2 < ... < en (strictly increasing times) with ei matching rule i. Greedy is
//     optimal, so this is exact. For two rules it is min(time of rule 1) < max(time of rule 2).
//     A temporal_ordered condition must hold exactly when all rules are found (gte: n, eq: n,
//     gt: n-1); any other condition is a *CompileError, as the backends reject it.
//   - Conditions are ANDed (gt, gte, lt, lte, eq, neq against Threshold.Value); temporal types
//     without a condition require all rules.
//   - Chains. A finding of a nested correlation is one event of the outer correlation at the
//     finding's End (its last event time), with the nested group-by values as its fields
//     (CorrSource.Column); its Lines and Start carry into the outer finding.
//
// # Streams, ordering and memory
//
// Events are expected in TimeGenerated order (an export sorted by TimeGenerated). A window closes
// when an event at or past its end arrives (any event, whether it matches or not); Close closes
// the rest. An event earlier than a window already closed, by the correlation or one it
// references, is a *LineError for its line ("name:line: event at T is earlier than a window
// already closed (events must be sorted by TimeGenerated)") and is ignored; evaluation goes on.
// Within a window events may come in any order, except for temporal_ordered over three or more
// rules, whose greedy state needs them in order: there an event earlier than one before it is a
// *LineError too. A nested correlation reports a group only when its window closes, so the outer
// correlation holds its own events (pending items) from the nested correlation's earliest open
// window on, and puts everything in its groups in time order.
//
// Memory is bounded by the open windows, not by the stream: a Run keeps, per open group, its
// counters, at most 2*MaxFindingLines line numbers, and what the aggregate needs: the distinct
// values (value_count) or the numeric values (value_percentile) of the group; O(1) for
// event_count, value_sum, value_avg, temporal and temporal_ordered (the earliest time of rule 1
// and latest of rule 2, or the greedy prefix length and its last time). With sorted input, one
// bucket is open per correlation (the current one), plus, under a chain, the outer correlation's
// events since the start of the nested correlation's open bucket.
//
// # Semantic decisions
//
// The value of a field is one of: null (the column is absent, JSON null, or a sub-key that is
// missing, reached through a non-object, or read from text that is not JSON), a string, a number, a
// bool, or an object/array. Every comparison below uses the value's string form: a string as is, a
// number as its JSON text, a bool as "true"/"false", an object or array as compact JSON text (keys
// sorted, no HTML escaping; a column that arrived as JSON text keeps its text as given).
//
//   - Null and empty. Sentinel strings are never null: an export carries "" where a string has no
//     value, and the kusto backend tests `field: null` with isempty(). So OpNull holds for null and
//     for the empty string, and OpExists is its exact negation (a field "exists" when it has a
//     non-empty value; the spec's "present but empty" cannot be told apart in Sentinel data). Every
//     other operator treats "" as the empty string it is (`field: ”` and `field: '*'` match it) and
//     treats null as matching nothing (so `not field: x` holds for null).
//   - Strings. OpEq patterns (`*` any run, `?` exactly one character = one Unicode code point) match
//     the whole string form, case-insensitively unless Cased: translate.FoldEq, Unicode simple
//     case folding except that an ASCII letter equals only its ASCII partner (the Kelvin sign
//     U+212A is not k, the long s U+017F is not s), as Kusto's case-insensitive operators fold.
//   - Numbers. An int or float value equals a JSON number when both are numerically equal (exactly
//     as int64 when both are integers, else as float64), and equals a string when the string is the
//     value's text exactly as written in the rule (ResultType: 50053 matches the string column
//     "50053", not "050053"); this is how the backends type a number for a string column. A number
//     never equals a bool or an object. A string pattern is matched against a number's JSON text.
//   - Bools. A bool value equals a JSON bool of the same value or a string equal to "true"/"false"
//     under case folding (JSON text columns such as DeviceDetail on the non-interactive table).
//   - Regex (OpRegex): Go's RE2, unanchored, with the i/m/s flags as (?i)(?m)(?s); a regex RE2 cannot
//     compile is a *CompileError at the Match's position. `$` without m is RE2's end of text (not
//     PCRE's "before a final newline"), as in Kusto's RE2.
//   - CIDR: the string form must parse as an IP address (net/netip) inside one of the prefixes; an
//     IPv4-mapped IPv6 address is not in an IPv4 prefix (no unmapping, as ipv4_is_in_range).
//   - Ordering (lt, lte, gt, gte): the field is a JSON number, or a string in JSON number syntax;
//     anything else (bools, "NaN", "0x10", " 5") is false.
//   - Time parts: the field is a date-time (TimeGenerated is the parsed event time; any other field's
//     string form must be RFC 3339); the part is taken in UTC: minute 0-59, hour 0-23, day of month
//     1-31, week = ISO 8601 week number 1-53 (Sigma says "1 to 52" without a definition; ISO weeks
//     are what Kusto's week_of_year and pySigma's reference backends use), month 1-12, year.
//   - Field references (OpFieldRef): both fields non-null; the field's string form equals (or with
//     RefPrefix/RefSuffix ends with / starts with / contains) the referenced field's string form,
//     case-insensitively unless Cased, as every Sigma string comparison.
//   - Keywords: a keyword matches when one of its patterns matches the string form of any top-level
//     column of the event (every column, including Type and TimeGenerated as written; dynamic columns
//     as their JSON text, so nested values, and keys, are searched): the event seen as its
//     columns' string forms, as Kusto's `where * contains` sees a row (the kusto backend rejects
//     keywords; this is their meaning for targets that can search text).
package evaluate
