package evaluate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxLineBytes is the longest line (without its line ending) a Reader accepts.
const MaxLineBytes = 4 << 20

// LineError is a bad input line: invalid JSON, not an object, a bad TimeGenerated or Type, or a
// line that is too long. Reading goes on with the next line.
type LineError struct {
	Name string // the input's name as the user gave it ("" prints as "line N: ...")
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
}

// Reader streams events from JSON Lines input. Blank lines are skipped (but counted). It keeps
// only the current line, so memory is bounded by MaxLineBytes whatever the input size.
type Reader struct {
	br           *bufio.Reader
	name         string
	defaultTable string
	maxLine      int
	line         int
	buf          []byte
	err          error // sticky read error (io.EOF at the end)
}

// NewReader reads events from r. name prefixes error positions; defaultTable is the table of
// events without a Type column ("" for none; it must otherwise be a sign-in table, see ValidTable).
func NewReader(r io.Reader, name, defaultTable string) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), name: name, defaultTable: defaultTable, maxLine: MaxLineBytes}
}

// Next returns the next event. A bad line gives a nil event and a *LineError, and the following
// call goes on with the next line; at the end it returns io.EOF; a failure of the underlying reader
// is returned as is (wrapped with the input's name) and ends the stream.
func (r *Reader) Next() (*Event, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		line, got, tooLong, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			r.err = fmt.Errorf("%s: %w", r.name, err)
		} else if err != nil {
			r.err = io.EOF
		}
		if !got {
			continue // nothing read: end of input or read failure
		}
		r.line++
		if tooLong {
			return nil, &LineError{Name: r.name, Line: r.line, Msg: fmt.Sprintf("line too long (more than %d bytes)", r.maxLine)}
		}
		if r.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ev, err := DecodeEvent(line, r.defaultTable)
		if err != nil {
			return nil, &LineError{Name: r.name, Line: r.line, Msg: err.Error()}
		}
		ev.Source, ev.Line = r.name, r.line
		return ev, nil
	}
}

// readLine returns the next line without its line ending; got is false when there was no more
// input (err then says why). A line longer than maxLine is consumed and reported with tooLong.
// err may accompany a last line that has no line ending.
func (r *Reader) readLine() (line []byte, got, tooLong bool, err error) {
	r.buf = r.buf[:0]
	read := false
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(chunk) > 0 {
			read = true
		}
		if !tooLong {
			if len(r.buf)+len(chunk) > r.maxLine+2 { // room for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !read {
			return nil, false, false, err
		}
		line = bytes.TrimSuffix(r.buf, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !tooLong && len(line) > r.maxLine {
			tooLong = true
		}
		if tooLong {
			line = nil
		}
		return line, true, tooLong, err
	}
}
