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
