package esqlcheck

import (
	"strings"
	"testing"
)

func known(name string) (string, bool) {
	switch name {
	case "data_stream.dataset":
		return "constant_keyword", true
	case "azure.signinlogs.category", "source.as", "user.name":
		return "keyword", true
	case "source.ip":
		return "ip", true
	case "@timestamp":
		return "date", true
	case "n":
		return "long", true
	case "b":
		return "boolean", true
	}
	return "", false
}

func TestValid(t *testing.T) {
	for _, q := range []string{
		`FROM logs-azure.signinlogs-* METADATA _id, _version, _index
| WHERE data_stream.dataset == "azure.signinlogs"
    and azure.signinlogs.category IN ("SignInLogs", "NonInteractiveUserSignInLogs")
    and NOT COALESCE(TO_LOWER(user.name) LIKE "*ad\\*min*", false)`,
		`from logs-* | where source.ip == TO_IP("1.2.3.4") or CIDR_MATCH(source.ip, "10.0.0.0/8", "::1/128")`,
		`FROM a,b | WHERE source.` + "`as`" + ` IS NOT NULL and user.name IS NULL`,
		`FROM a | WHERE user.name NOT IN ("a", "b") and user.name NOT LIKE "x?" and user.name RLIKE """a\.b"""`,
		`FROM a | WHERE DATE_EXTRACT("HOUR_OF_DAY", @timestamp) >= -3 and source.ip IS NOT NULL and true`,
		`FROM a | WHERE (user.name == "a" or user.name == "b\n\t\r\"\\") and NOT NOT n < 1.5e3`,
		`FROM a | WHERE n IN (1, -2) and b == false and b IN (true, false) and TO_STRING(source.ip) LIKE "1.*"`,
		`FROM a | WHERE LOCATE(user.name, user.name) > 0 | WHERE STARTS_WITH(user.name, "x")`,
		// Correlation forms: EVAL columns usable to their right and later, STATS scoping.
		`FROM a
| WHERE user.name IS NOT NULL
| EVAL
    Esql.rule_0 = COALESCE(user.name == "a", false),
    Esql.rule_1 = n > 1,
    Esql.who = CASE(Esql.rule_0, user.name, Esql.rule_1, TO_STRING(source.ip)),
    Esql.t = CASE(Esql.rule_0, @timestamp),
    Esql.e = CASE(Esql.rule_1, 1, 0),
    Esql.time_window_date_trunc = DATE_TRUNC(10 minutes, @timestamp)
| STATS
    Esql.event_count = COUNT(*),
    Esql.n = COUNT(user.name),
    Esql.first = MIN(Esql.t),
    Esql.seen = MAX(Esql.e),
    Esql.sum = SUM(n),
    Esql.avg = AVG(TO_DOUBLE(user.name)),
    Esql.p = PERCENTILE(n, 99.5),
    Esql.end_time = MAX(@timestamp)
  BY Esql.time_window_date_trunc, Esql.who, source.ip
| EVAL Esql.count = Esql.seen + Esql.seen
| WHERE Esql.event_count >= 10 and Esql.count == 2 and Esql.first < Esql.end_time and source.ip == TO_IP("1.2.3.4")`,
		`FROM a | EVAL w = DATE_TRUNC(1 hour, @timestamp) | STATS s = MIN(@timestamp), e = MAX(@timestamp) BY w, user.name | STATS c = COUNT(user.name), s = MIN(s) BY w | WHERE c > 3`,
		`FROM a | STATS c = COUNT(*)`,
		`FROM a | EVAL x = DATE_TRUNC(5 ms, @timestamp), y = DATE_TRUNC(2 days, @timestamp) | WHERE x IS NOT NULL`,
	} {
		if errs := Check(q, known); len(errs) > 0 {
			t.Errorf("%v\n%s", errs, q)
		}
	}
}

func TestInvalid(t *testing.T) {
	tests := []struct{ name, q, want string }{
		{"unbalanced paren", `FROM a | WHERE (user.name == "a"`, `unexpected token "<EOF>"`},
		{"extra paren", `FROM a | WHERE user.name == "a")`, `unexpected token ")"`},
		{"unknown field", `FROM a | WHERE user.nme == "a"`, `1:16: unknown field user.nme`},
		{"unquoted string", `FROM a | WHERE user.name == admin`, `unknown field admin`},
		{"misspelled function", `FROM a | WHERE TO_LOWR(user.name) == "a"`, `unknown function TO_LOWR`},
		{"wrong arity", `FROM a | WHERE TO_LOWER(user.name, "x") == "a"`, `TO_LOWER takes 1..1 arguments, got 2`},
		{"trailing and", `FROM a | WHERE user.name == "a" and`, `unexpected token "<EOF>"`},
		{"single equals", `FROM a | WHERE user.name = "a"`, `unexpected token "="`},
		{"bad escape", `FROM a | WHERE user.name == "a\x"`, `invalid input text`},
		{"bad like escape", `FROM a | WHERE user.name LIKE "a\\b"`, `escape character is not followed by *, ? or \`},
		{"like ends in escape", `FROM a | WHERE user.name LIKE "a\\"`, `ends in an escape character`},
		{"unknown metadata", `FROM a METADATA _idx | WHERE true`, `unknown METADATA field "_idx"`},
		{"string on long", `FROM a | WHERE n == "5"`, `n is a long field: compare it with a number`},
		{"number on keyword", `FROM a | WHERE user.name IN ("a", 5)`, `user.name is a keyword field: compare it with a string`},
		{"string on boolean", `FROM a | WHERE b == "false"`, `b is a boolean field: compare it with true or false`},
		{"string on ip", `FROM a | WHERE source.ip == "1.2.3.4"`, `source.ip is an ip field: compare it with TO_IP("...")`},
		{"eq null", `FROM a | WHERE user.name == null`, `comparing with null is always null; use IS NULL`},
		{"like on long", `FROM a | WHERE n LIKE "5*"`, `LIKE and RLIKE need a string operand`},
		{"rlike on ip", `FROM a | WHERE source.ip RLIKE "1.*"`, `LIKE and RLIKE need a string operand`},
		{"no from", `WHERE user.name == "a"`, `unexpected token`},
		{"unterminated string", `FROM a | WHERE user.name == "a`, `invalid input text`},
		// Broken correlation queries.
		{"column before its EVAL", `FROM a | EVAL x = Esql.rule_0 | EVAL Esql.rule_0 = true`, `1:19: unknown field Esql.rule_0`},
		{"column right of its use", `FROM a | EVAL x = CASE(y, 1, 0), y = true`, `unknown field y`},
		{"unknown aggregate", `FROM a | STATS c = COUNTX(*) BY user.name`, `STATS c: the value must be one aggregate function call`},
		{"scalar as aggregate", `FROM a | STATS c = TO_LOWER(user.name) BY user.name`, `STATS c: the value must be one aggregate function call`},
		{"aggregate in WHERE", `FROM a | WHERE COUNT(*) > 1`, `aggregate function COUNT outside a STATS column`},
		{"aggregate in EVAL", `FROM a | EVAL c = MAX(n)`, `aggregate function MAX outside a STATS column`},
		{"nested aggregate", `FROM a | STATS c = MAX(MIN(n))`, `aggregate function MIN outside a STATS column`},
		{"aggregate arity", `FROM a | STATS c = PERCENTILE(n)`, `PERCENTILE takes 2..2 arguments, got 1`},
		{"star outside COUNT", `FROM a | STATS c = MAX(*)`, `MAX(*): only COUNT takes *`},
		{"star in scalar", `FROM a | WHERE TO_LOWER(*) == "a"`, `TO_LOWER(*): only COUNT takes *`},
		{"percentile range", `FROM a | STATS c = PERCENTILE(n, 101)`, `PERCENTILE's percentile must be within 0..100, got 101`},
		{"percentile not literal", `FROM a | STATS c = PERCENTILE(n, n)`, `PERCENTILE's percentile must be a number literal`},
		{"sum of keyword", `FROM a | STATS c = SUM(user.name)`, `SUM needs a number, got a keyword column`},
		{"source field after STATS", `FROM a | STATS c = COUNT(*) BY source.ip | WHERE user.name == "a"`, `unknown column user.name (after STATS only its aggregates and BY columns exist)`},
		{"unknown BY column", `FROM a | STATS c = COUNT(*) BY Esql.bucket`, `unknown column Esql.bucket`},
		{"aggregate compared with string", `FROM a | STATS c = COUNT(*) | WHERE c >= "10"`, `c is a long field: compare it with a number`},
		{"date_trunc without span", `FROM a | EVAL w = DATE_TRUNC(10, @timestamp)`, `DATE_TRUNC's interval must be a time span literal`},
		{"span outside date_trunc", `FROM a | WHERE n > 10 minutes`, `a time span is only allowed as DATE_TRUNC's interval`},
		{"bad span unit", `FROM a | EVAL w = DATE_TRUNC(10 fortnights, @timestamp)`, `unexpected token "fortnights"`},
		{"case condition not boolean", `FROM a | EVAL x = CASE(user.name, 1, 0)`, `CASE condition 1 is a keyword, not a boolean`},
		{"plus on keyword", `FROM a | EVAL x = user.name + 1`, `+ needs numbers, got a keyword operand`},
		{"eval without name", `FROM a | EVAL TO_LOWER(user.name)`, `unexpected token`},
		{"stats without name", `FROM a | STATS COUNT(*)`, `unexpected token`},
		{"by without column", `FROM a | STATS c = COUNT(*) BY`, `unexpected token "<EOF>"`},
		{"trailing comma in stats", `FROM a | STATS c = COUNT(*), BY n`, `unexpected token`},
	}
	for _, tt := range tests {
		errs := Check(tt.q, known)
		if len(errs) == 0 {
			t.Errorf("%s: accepted %s", tt.name, tt.q)
			continue
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		if all := strings.Join(msgs, "; "); !strings.Contains(all, tt.want) {
			t.Errorf("%s: got %q, want it to contain %q", tt.name, all, tt.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	for raw, want := range map[string]string{
		`""`: "", `"a\\b"`: `a\b`, `"\""`: `"`, `"\n\r\t"`: "\n\r\t", `"""a\b"""`: `a\b`,
	} {
		got, err := Unquote(raw)
		if err != nil || got != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", raw, got, err, want)
		}
	}
}
