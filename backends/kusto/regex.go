package kusto

import (
	"errors"
	"regexp/syntax"
	"strings"
)

// checkRE2 parses a Sigma regex the way RE2 (Kusto's engine for `matches regex`) does, with Go's
// regexp/syntax in Perl mode, which implements RE2's syntax. It returns a reason when RE2 cannot
// express the regex (lookaround, backreferences, possessive quantifiers, atomic groups, \Z, ...),
// and reports whether the regex holds a `$` outside multi-line mode.
func checkRE2(expr string, flags syntax.Flags) (reason string, endText bool) {
	re, err := syntax.Parse(expr, flags)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return re2Reason(se), false
		}
		return err.Error(), false
	}
	return "", hasEndText(re)
}

func re2Reason(se *syntax.Error) string {
	detail := string(se.Code) + " `" + se.Expr + "`"
	switch {
	case (se.Code == syntax.ErrInvalidPerlOp || se.Code == syntax.ErrInvalidNamedCapture) && (strings.HasPrefix(se.Expr, "(?=") || strings.HasPrefix(se.Expr, "(?!") || strings.HasPrefix(se.Expr, "(?<=") || strings.HasPrefix(se.Expr, "(?<!")):
		n := 3
		if strings.HasPrefix(se.Expr, "(?<") {
			n = 4
		}
		return "Kusto's regex engine (RE2) has no lookahead or lookbehind (`" + se.Expr[:n] + "`)"
	case se.Code == syntax.ErrInvalidPerlOp && strings.HasPrefix(se.Expr, "(?>"):
		return "Kusto's regex engine (RE2) has no atomic groups (" + detail + ")"
	case se.Code == syntax.ErrInvalidRepeatOp:
		return "Kusto's regex engine (RE2) has no possessive quantifiers (" + detail + ")"
	case se.Code == syntax.ErrInvalidEscape && len(se.Expr) >= 2 && se.Expr[1] >= '1' && se.Expr[1] <= '9':
		return "Kusto's regex engine (RE2) has no backreferences (" + detail + ")"
	case se.Code == syntax.ErrInvalidEscape:
		return "Kusto's regex engine (RE2) does not know this escape (" + detail + "); PCRE's \\Z, \\G, \\K, \\R and backreferences do not exist in RE2"
	}
	return "Kusto's regex engine (RE2) rejects it (" + detail + ")"
}

// hasEndText reports whether re holds `$` as end-of-text (RE2 matches only at the very end, PCRE
// also before a final newline).
func hasEndText(re *syntax.Regexp) bool {
	if re.Op == syntax.OpEndText && re.Flags&syntax.WasDollar != 0 {
		return true
	}
	for _, s := range re.Sub {
		if hasEndText(s) {
			return true
		}
	}
	return false
}
