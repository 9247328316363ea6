package tagger

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"<p>Kim&rsquo;s &ldquo;test&rdquo; &amp; &#8212; &#x41;&nbsp;B</p>", "Kim’s “test” & — A B"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<div>  lots \n\t of   space </div>", "lots of space"},
		{"<ul><li>one<li>two</ul>after", "one\ntwo\n\nafter"},
		{"<h1>Head</h1>text<h2>Sub</h2>", "Head\n\ntext\n\nSub"},
		{"<p>in<b>line</b> <i>tags</i> stay<a href=x>inline</a></p>", "inline tags stayinline"},
		{"<script>var x = '<p>no</p>';</script><style>p{color:red}</style><p>yes</p>", "yes"},
		{"<nav><a>Home</a></nav><noscript>enable JS</noscript><template><p>t</p></template><p>body</p>", "body"},
		{"<html><head><title>T</title><meta charset=utf-8></head><body><p>b</p></body></html>", "b"},
		{"<p>unclosed<p>second<div>third", "unclosed\n\nsecond\n\nthird"},
		{"<pre>  a\n    b</pre>after", "a\n    b\n\nafter"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"nu&shy;clear zero\u200bwidth", "nuclear zerowidth"},
		{"<!-- comment --><!DOCTYPE html><p>x</p>", "x"},
		{"plain text, no tags", "plain text, no tags"},
		{"", ""},
		{"<p></p><div> </div>", ""},
		{"a < b > c", "a < b > c"},
		{"<iframe src=x>frame</iframe><svg><text>s</text></svg>ok", "ok"},
	}
	for _, tt := range tests {
		if got := HTMLText(tt.in); got != tt.want {
			t.Errorf("HTMLText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestLooksLikeHTML(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"<p>x</p>", true},
		{"text then <br> a break", true},
		{"a closing </div> only", true},
		{"<!DOCTYPE html>", true},
		{`<a href="https://example.org">link</a>`, true},
		{"<img src=x>", true},
		{"plain", false},
		{"a < b and b > c", false},
		{"I <3 Seoul", false},
		{"<Kim> is not a tag name we know", false},
		{"x <href> y", false},
		{"Tom &amp; Jerry", false},
		{"<", false},
		{"<!-- only a comment -->", false},
	}
	for _, tt := range tests {
		if got := LooksLikeHTML(tt.in); got != tt.want {
			t.Errorf("LooksLikeHTML(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHTMLTextDeepNesting(t *testing.T) {
	// Deeper than x/net/html's parser goes: the tokenizer's reading applies the same rules.
	in := "<p>top</p><script>x()</script>" + strings.Repeat("<div><span>", 2000) + "deep &amp; <b>bold</b>" +
		strings.Repeat("</span></div>", 2000)
	if got, want := HTMLText(in), "top\n\ndeep & bold"; got != want {
		t.Errorf("got %.200q, want %q", got, want)
	}
}

// FuzzHTMLText checks that any input gives valid UTF-8 without markup-only whitespace at the edges, that text
// without '<' or '&' keeps its words, and that LooksLikeHTML does not fail.
func FuzzHTMLText(f *testing.F) {
	for _, s := range []string{"<p>One</p><p>Two</p>", "<script>x</script>y", "a&rsquo;b", "<pre>\n x\n</pre>",
		"<table><td>a<td>b", "plain\n\ntext", "<svg><p>x", "\xff<p>\xfe</p>", "<b>a</b >&#0;&#x110000;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		LooksLikeHTML(s)
		got := HTMLText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, got)
		}
		if strings.TrimSpace(got) != got {
			t.Fatalf("untrimmed text from %q: %q", s, got)
		}
		if strings.Contains(got, "\n\n\n") {
			t.Fatalf("more than a paragraph break from %q: %q", s, got)
		}
		if !strings.ContainsAny(s, "<&\r\x00") && utf8.ValidString(s) {
			// Plain text keeps its words: HTMLText only drops soft hyphens, zero-width spaces and BOMs and
			// collapses HTML whitespace (and no-break spaces), and trims the edges of any Unicode space.
			dropped := strings.NewReplacer("\u00AD", "", "\u200B", "", "\uFEFF", "").Replace(s)
			fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
			if w, g := fields(dropped), fields(got); w != g {
				t.Fatalf("plain text %q changed its words: %q", s, got)
			}
		}
	})
}
