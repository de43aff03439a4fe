// Package translate is entrasig's middle end. It owns the Entra ID sign-in schema (the four
// tables, their columns and sub-keys, types per table, and each field's Elastic and Splunk names;
// SignIn), field resolution (canonical names, case fixes, raw JSON paths, aliases, did-you-mean),
// logsource routing (Route), and the lowering of a rules.Document into the backend-neutral IR
// (Translate): a Query whose Where is the rule's predicate over canonical fields and whose Legs
// hold that predicate folded per routed table (a column a table lacks is null there). It also
// defines the Backend contract and the typed UnsupportedError, and never imports a backend.
//
// Decisions recorded here:
//   - Typed values: on boolean fields the strings true/false (any case) become ValBool; on numeric
//     fields a string that is not a plain decimal number is an error unless it carries a wildcard
//     (then it is a pattern over the number's text); ResultType is a string column and keeps the
//     rule's kind and text (50053 stays the int "50053"); Value.Num is set for every unmodified
//     number and decimal-number string.
//   - `neq` negates the whole detection item as pySigma does: `f|neq: [a, b]` is not(f in (a, b)).
//   - windash follows pySigma: a `-` or `/` not preceded by a word character and followed by one
//     becomes each of - / en dash, em dash, horizontal bar; every combination.
//   - utf16le/utf16be/utf16/wide encode real UTF-16 and must be followed by base64 or
//     base64offset; base64offset cuts its three variants exactly as pySigma does.
//   - `Status: Success|Failure` means ResultType "0" / not "0"; `properties.message: Device
//     Code|ROPC` means AuthenticationProtocol deviceCode/ropc; both warn. A string modifier on
//     Status (`Status|contains`) matches the object's JSON text, Sigma's literal meaning.
//   - Fields seen in Elastic/Splunk data but not verified as Sentinel columns (SessionId, ...) are
//     not canonical: naming one is an error that says so.
package translate
