package tagger

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want string // tokens separated by |, a possessive marked with ~, a line break before a token with ^
	}{
		{"Choi Seong-ryong's group", "Choi|Seong-ryong|~'s|group"},
		{"Kim’s aide, O'Neil’s", "Kim|~’s|aide|,|O'Neil|~’s"},
		{"N. Korea (DPRK)", "N|.|Korea|(|DPRK|)"},
		{"Workers' Party", "Workers|'|Party"},
		{"5,000-ton anti-US", "5|,|000-ton|anti-US"},
		{"“Hope” -- end-", "“|Hope|”|-|-|end|-"},
		{"line one\n  Line two", "line|one|^Line|two"},
		{"Ŏ Jŏng-ŭn é\u0301", "Ŏ|Jŏng-ŭn|é\u0301"},
		{"the 's alone 'sz", "the|'|s|alone|'|sz"},
		{"", ""},
	}
	for _, tt := range tests {
		toks := tokenize(tt.in, nil)
		var parts []string
		for _, tk := range toks {
			s := tt.in[tk.start:tk.end]
			if tk.kind == tokPoss {
				s = "~" + s
			}
			if tk.nl {
				s = "^" + s
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, "|"); got != tt.want {
			t.Errorf("tokenize(%q) = %s, want %s", tt.in, got, tt.want)
		}
		// Code point offsets agree with byte offsets.
		for _, tk := range toks {
			if rs := utf8.RuneCountInString(tt.in[:tk.start]); rs != tk.rstart {
				t.Errorf("%q: token %q rstart %d, want %d", tt.in, tt.in[tk.start:tk.end], tk.rstart, rs)
			}
			if re := utf8.RuneCountInString(tt.in[:tk.end]); re != tk.rend {
				t.Errorf("%q: token %q rend %d, want %d", tt.in, tt.in[tk.start:tk.end], tk.rend, re)
			}
		}
	}
}

func TestTokenFlags(t *testing.T) {
	toks := tokenize("KCNA Kim Jong-un x9 eu", nil)
	want := []struct{ upper, allCaps, digit, hyphen bool }{
		{true, true, false, false}, {true, false, false, false}, {true, false, false, true},
		{false, false, true, false}, {false, false, false, false},
	}
	if len(toks) != len(want) {
		t.Fatalf("%d tokens, want %d", len(toks), len(want))
	}
	for i, w := range want {
		tk := toks[i]
		if tk.upper != w.upper || tk.allCaps != w.allCaps || tk.digit != w.digit || tk.hyphen != w.hyphen {
			t.Errorf("token %d: %+v, want %+v", i, tk, w)
		}
	}
}

func TestSentenceStarts(t *testing.T) {
	tests := []struct {
		in   string
		want string // the words that start a sentence
	}{
		{"Officials met. Gen. Park spoke. Then N. Korea replied!", "Officials|Gen|Then"},
		{`He said: "Stop." “Now” we go`, "He|Stop|Now"},
		{"first line\nSecond line? Yes", "first|Second|Yes"},
		{"Mr. Lee and Dr. Han met U.S. envoys.", "Mr"},
	}
	for _, tt := range tests {
		toks := tokenize(tt.in, nil)
		init := sentenceStarts(tt.in, toks, nil)
		var got []string
		for i, tk := range toks {
			if init[i] {
				got = append(got, tt.in[tk.start:tk.end])
			}
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("sentenceStarts(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}
