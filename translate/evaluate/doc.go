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
// Correlations are not evaluated yet (Compile rejects them). The types are laid out for it: a
// correlation evaluator compiles each of Correlation.Rules into a Program, takes each event's group
// key from Event.Text of the group-by fields (CorrField.PerRule for the rule that matched) and its
// time from Event.Time, and keeps state only per open window and key.
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
//     the whole string form, case-insensitively with Unicode simple case folding (the relation of
//     strings.EqualFold and of RE2's (?i)) unless Cased.
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
