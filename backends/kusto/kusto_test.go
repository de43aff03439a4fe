package kusto

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/entrasig/entrasig/translate"
)

func TestEmit(t *testing.T) {
	for _, c := range emitCases(t) {
		t.Run(c.name, func(t *testing.T) {
			out, err := c.b.Emit(c.q)
			if c.err != "" {
				if err == nil {
					t.Fatalf("no error; got query:\n%s", out.Query)
				}
				if err.Error() != c.err {
					t.Fatalf("error:\n got %s\nwant %s", err, c.err)
				}
				var ue *translate.UnsupportedError
				if errors.As(err, &ue) && ue.Pos != c.errPos {
					t.Errorf("error position %v, want %v", ue.Pos, c.errPos)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.Query != c.want {
				t.Errorf("query:\n got:\n%s\nwant:\n%s", out.Query, c.want)
			}
			var msgs []string
			for _, w := range out.Warnings {
				msgs = append(msgs, w.Msg)
				if w.Pos != pos {
					t.Errorf("warning position %v, want %v", w.Pos, pos)
				}
			}
			if !slices.Equal(msgs, c.warns) {
				t.Errorf("warnings %q, want %q", msgs, c.warns)
			}
			again, err := c.b.Emit(c.q)
			if err != nil || again.Query != out.Query {
				t.Errorf("second emit differs: %v\n%s", err, again.Query)
			}
		})
	}
}

// TestUnsupportedIsTyped checks that statements of non-support are *translate.UnsupportedError
// and internal problems are not.
func TestUnsupportedIsTyped(t *testing.T) {
	for _, c := range emitCases(t) {
		if c.err == "" {
			continue
		}
		_, err := c.b.Emit(c.q)
		var ue *translate.UnsupportedError
		typed := errors.As(err, &ue)
		if want := c.errPos.IsValid(); typed != want {
			t.Errorf("%s: UnsupportedError %v, want %v (%v)", c.name, typed, want, err)
		}
	}
}

func TestEmitConcurrent(t *testing.T) {
	cases := emitCases(t)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range cases {
				out, err := c.b.Emit(c.q)
				if c.err == "" && (err != nil || out.Query != c.want) {
					t.Errorf("%s: concurrent emit differs", c.name)
				}
			}
		}()
	}
	wg.Wait()
}

func TestNormColumns(t *testing.T) {
	got := normColumns()
	want := []string{"Status", "LocationDetails", "ConditionalAccessPolicies", "MfaDetail", "DeviceDetail"}
	if !slices.Equal(got, want) {
		t.Errorf("normalized columns %q, want %q", got, want)
	}
}

func TestBackendNames(t *testing.T) {
	var b translate.Backend = Backend{}
	if b.Name() != "kusto" {
		t.Errorf("name %q", b.Name())
	}
	if b.Describe() == "" {
		t.Error("empty description")
	}
}

func BenchmarkEmit(b *testing.B) {
	cases := emitCases(b)
	var qs []emitCase
	for _, c := range cases {
		if c.err == "" {
			qs = append(qs, c)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := qs[i%len(qs)]
		if _, err := c.b.Emit(c.q); err != nil {
			b.Fatal(err)
		}
	}
}
