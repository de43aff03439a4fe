package rules

import "testing"

func TestParseSegments(t *testing.T) {
	tests := []struct {
		raw    string
		expand bool
		want   string
	}{
		{``, false, `[]`},
		{`abc`, false, `[lit("abc")]`},
		{`a*b?c`, false, `[lit("a") star lit("b") qm lit("c")]`},
		{`*`, false, `[star]`},
		{`\*`, false, `[lit("*")]`},
		{`\?`, false, `[lit("?")]`},
		{`\\`, false, `[lit("\\")]`},
		{`\\*`, false, `[lit("\\") star]`},
		{`\\\*`, false, `[lit("\\*")]`},
		{`\\\\`, false, `[lit("\\\\")]`},
		{`\\\`, false, `[lit("\\\\")]`},
		{`C:\Windows\System32`, false, `[lit("C:\\Windows\\System32")]`},
		{`trailing\`, false, `[lit("trailing\\")]`},
		{`\`, false, `[lit("\\")]`},
		{`a\b`, false, `[lit("a\\b")]`},
		{`*\cmd.exe`, false, `[star lit("\\cmd.exe")]`},
		{`%x%`, false, `[lit("%x%")]`},
		{`%x%`, true, `[ph(x)]`},
		{`a%Servers%b*`, true, `[lit("a") ph(Servers) lit("b") star]`},
		{`\%plain%name%`, true, `[lit("%plain") ph(name)]`},
		{`\%x`, false, `[lit("\\%x")]`},
		{`100%`, true, `[lit("100%")]`},
		{`%%`, true, `[lit("%%")]`},
		{`ÄÖü*日本`, false, `[lit("ÄÖü") star lit("日本")]`},
		{`x?`, true, `[lit("x") qm]`},
	}
	for _, tt := range tests {
		if got := segString(ParseSegments(tt.raw, tt.expand)); got != tt.want {
			t.Errorf("ParseSegments(%q, %v) = %s, want %s", tt.raw, tt.expand, got, tt.want)
		}
	}
}

func TestValueKinds(t *testing.T) {
	src := rule(`sel:
    a: 00429
    b: 4624
    c: '4624'
    d: 1.5
    e: true
    f: null
    g: ''
    h: "x\\*"
    i|re: 'a.*\d'
    j: 2020-01-01
    k: 0x10
    l: ~
condition: sel`)
	f := wantDiags(t, src)
	fms := f.Docs[0].Rule.Detection.Searches[0].Maps[0]
	got := []string{}
	for _, fm := range fms {
		v := fm.Values[0]
		got = append(got, fm.Field+" "+v.Kind.String()+" "+v.Tag+" "+v.Raw+" "+segString(v.Segs))
	}
	exp := []string{
		`a float !!float 00429 [lit("00429")]`,
		`b int !!int 4624 [lit("4624")]`,
		`c string !!str 4624 [lit("4624")]`,
		`d float !!float 1.5 [lit("1.5")]`,
		`e bool !!bool true [lit("true")]`,
		`f null !!null null nil`,
		`g string !!str  []`,
		`h string !!str x\* [lit("x*")]`,
		`i string !!str a.*\d nil`,
		`j string !!timestamp 2020-01-01 [lit("2020-01-01")]`,
		`k int !!int 0x10 [lit("0x10")]`,
		`l null !!null ~ nil`,
	}
	for i := range exp {
		if i >= len(got) || got[i] != exp[i] {
			t.Errorf("value %d: got %q, want %q", i, got[i], exp[i])
		}
	}
	if !fms[2].Values[0].Quoted || fms[1].Values[0].Quoted {
		t.Errorf("Quoted flags wrong")
	}
	if !fms[4].Values[0].Bool {
		t.Errorf("Bool not set")
	}
}
