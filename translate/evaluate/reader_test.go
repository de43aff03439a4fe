package evaluate

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// readAll renders every result of the reader as one line: "line table time" or the error.
func readAll(t *testing.T, r *Reader) []string {
	t.Helper()
	var out []string
	for i := 0; i < 1000; i++ {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				return append(out, "fatal: "+err.Error())
			}
			out = append(out, err.Error())
			continue
		}
		out = append(out, fmt.Sprintf("%d %s %s", ev.Line, ev.Table.Name, ev.Time.Format(time.RFC3339Nano)))
	}
	t.Fatal("reader did not stop")
	return nil
}

func TestReader(t *testing.T) {
	input := strings.Join([]string{
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z",`,
		``,
		`   `,
		`[1,2]`,
		`"text"`,
		`{"TimeGenerated":"yesterday","Type":"SigninLogs"}`,
		`{"TimeGenerated":42,"Type":"SigninLogs"}`,
		`{"Type":"SigninLogs"}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"AuditLogs"}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":7}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z"}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"} {}`,
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs",}`,
		`{"TimeGenerated":"2024-05-06T09:08:09.1234567+02:00","Type":"AADServicePrincipalSignInLogs"}`,
		`{"TimeGenerated":"2024-05-06T07:08:09","Type":"SigninLogs"}`,
		"{\"TimeGenerated\":\"2024-05-06t07:08:09z\",\"Type\":\"SigninLogs\"}\r",
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}`,
	}, "\n") // no newline after the last line
	got := readAll(t, NewReader(strings.NewReader(input), "events.jsonl", ""))
	want := []string{
		"1 SigninLogs 2024-05-06T07:08:09Z",
		"events.jsonl:2: invalid JSON: unexpected end of line",
		"events.jsonl:5: not a JSON object (got an array)",
		"events.jsonl:6: not a JSON object (got a string)",
		`events.jsonl:7: TimeGenerated "yesterday" is not an RFC 3339 date-time`,
		"events.jsonl:8: TimeGenerated is a number, want an RFC 3339 date-time string",
		"events.jsonl:9: TimeGenerated is missing",
		`events.jsonl:10: unknown table "AuditLogs" (want one of SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs, AADManagedIdentitySignInLogs)`,
		"events.jsonl:11: Type is a number, want the table name as a string",
		"events.jsonl:12: no table: the event has no Type column and no default table was given",
		"events.jsonl:13: invalid JSON at byte 62: unexpected data after the JSON value",
		"events.jsonl:14: invalid JSON at byte 61: invalid character '}' looking for beginning of object key string",
		"15 AADServicePrincipalSignInLogs 2024-05-06T07:08:09.1234567Z",
		`events.jsonl:16: TimeGenerated "2024-05-06T07:08:09" is not an RFC 3339 date-time`,
		"17 SigninLogs 2024-05-06T07:08:09Z",
		"18 SigninLogs 2024-05-06T07:08:09Z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReaderDefaultTable(t *testing.T) {
	input := `{"TimeGenerated":"2024-05-06T07:08:09Z"}` + "\n" +
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}` + "\n" +
		`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":""}` + "\n"
	got := readAll(t, NewReader(strings.NewReader(input), "x", "AADManagedIdentitySignInLogs"))
	want := []string{
		"1 AADManagedIdentitySignInLogs 2024-05-06T07:08:09Z",
		"2 SigninLogs 2024-05-06T07:08:09Z", // the event's own Type wins
		"3 AADManagedIdentitySignInLogs 2024-05-06T07:08:09Z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := ValidTable("SigninLogs"); err != nil {
		t.Errorf("ValidTable(SigninLogs) = %v", err)
	}
	if err := ValidTable("signinlogs"); err == nil || !strings.HasPrefix(err.Error(), `unknown table "signinlogs"`) {
		t.Errorf("ValidTable(signinlogs) = %v", err)
	}
}

func TestReaderBOMAndCRLF(t *testing.T) {
	input := "\xef\xbb\xbf" + `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}` + "\r\n\r\n" +
		`{"TimeGenerated":"2024-05-06T07:08:10Z","Type":"SigninLogs"}` + "\r\n"
	got := readAll(t, NewReader(strings.NewReader(input), "x", ""))
	want := []string{"1 SigninLogs 2024-05-06T07:08:09Z", "3 SigninLogs 2024-05-06T07:08:10Z"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReaderLongLine(t *testing.T) {
	ok := `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}` // 60 bytes
	long := `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs","X":"` + strings.Repeat("a", 200) + `"}`
	input := ok + "\n" + long + "\n" + ok + "\r\n" + long // the last long line has no line ending
	r := NewReader(strings.NewReader(input), "big.jsonl", "")
	r.maxLine = len(ok) // a line of exactly the limit is accepted, with or without \r\n
	r.br.Reset(strings.NewReader(input))
	got := readAll(t, r)
	want := []string{
		"1 SigninLogs 2024-05-06T07:08:09Z",
		"big.jsonl:2: line too long (more than 60 bytes)",
		"3 SigninLogs 2024-05-06T07:08:09Z",
		"big.jsonl:4: line too long (more than 60 bytes)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReaderMaxLineBytes(t *testing.T) {
	head := `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs","X":"`
	fits := head + strings.Repeat("a", MaxLineBytes-len(head)-2) + `"}`
	over := head + strings.Repeat("a", MaxLineBytes-len(head)-1) + `"}`
	input := fits + "\n" + over + "\n" + fits + "\n"
	got := readAll(t, NewReader(strings.NewReader(input), "big.jsonl", ""))
	want := []string{
		"1 SigninLogs 2024-05-06T07:08:09Z",
		"big.jsonl:2: line too long (more than 4194304 bytes)",
		"3 SigninLogs 2024-05-06T07:08:09Z",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReaderReadError(t *testing.T) {
	good := `{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs"}` + "\n"
	r := NewReader(io.MultiReader(strings.NewReader(good), iotest.ErrReader(errors.New("disk on fire"))), "in.jsonl", "")
	got := readAll(t, r)
	want := []string{"1 SigninLogs 2024-05-06T07:08:09Z", "fatal: in.jsonl: disk on fire"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzDecodeEvent checks that any line gives either an error or an event with a table and a time,
// and that a compiled program of every construct evaluates it without panicking.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(benchEvent))
	f.Add([]byte(`{"TimeGenerated":"2024-05-06T07:08:09Z","Type":"SigninLogs","DeviceDetail":"{\"isCompliant\":true}","ResultType":50053}`))
	f.Add([]byte(`{"TimeGenerated":"2024-05-06T07:08:09Z","LocationDetails":"[1,{\"a\":null}]","IPAddress":"::ffff:1.2.3.4"}`))
	f.Add([]byte(`[]`))
	p := everyConstruct(f)
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, err := DecodeEvent(line, "AADNonInteractiveUserSignInLogs")
		if err != nil {
			if ev != nil {
				t.Fatal("event with an error")
			}
			return
		}
		if ev.Table == nil || ev.Time.IsZero() && ev.Fields["TimeGenerated"] == nil {
			t.Fatalf("incomplete event %+v", ev)
		}
		first := p.Match(ev)
		if p.Match(ev) != first {
			t.Fatal("Match is not stable on one event")
		}
	})
}
