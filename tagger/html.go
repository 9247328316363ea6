package tagger

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTML modes of a Decoder: what it does with a body that holds HTML.
const (
	HTMLAuto  = "auto"  // a body that holds tags of known HTML elements is turned into text; others are kept
	HTMLStrip = "strip" // every body is read as HTML and turned into text (whitespace collapses as in a browser)
	HTMLOff   = "off"   // bodies are tagged as they are
)

// HTMLModes lists the HTML modes a Decoder accepts.
var HTMLModes = []string{HTMLAuto, HTMLStrip, HTMLOff}

// LooksLikeHTML reports whether s holds at least one start, end or self-closing tag of a known HTML element
// (<p>, </div>, <br/>, <a href=...>) or a doctype. Text such as "a < b", "I <3 Seoul" or "<Kim>" is not HTML.
func LooksLikeHTML(s string) bool {
	if strings.IndexByte(s, '<') < 0 {
		return false
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.DoctypeToken:
			return true
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if htmlElements[atom.Lookup(name)] {
				return true
			}
		}
	}
}

// htmlElements are the element names that make a body HTML for LooksLikeHTML: the ones article markup uses.
// (atom.Lookup alone also knows attribute names such as href, which are no evidence of HTML as tags.)
var htmlElements = func() map[atom.Atom]bool {
	m := map[atom.Atom]bool{}
	for _, a := range []atom.Atom{atom.A, atom.Abbr, atom.Article, atom.Aside, atom.B, atom.Blockquote, atom.Body,
		atom.Br, atom.Caption, atom.Center, atom.Cite, atom.Code, atom.Dd, atom.Div, atom.Dl, atom.Dt, atom.Em,
		atom.Figcaption, atom.Figure, atom.Font, atom.Footer, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Head, atom.Header, atom.Hr, atom.Html, atom.I, atom.Iframe, atom.Img, atom.Li, atom.Link, atom.Main,
		atom.Meta, atom.Nav, atom.Noscript, atom.Ol, atom.P, atom.Picture, atom.Pre, atom.Q, atom.S, atom.Script,
		atom.Section, atom.Small, atom.Source, atom.Span, atom.Strong, atom.Style, atom.Sub, atom.Sup, atom.Table,
		atom.Tbody, atom.Td, atom.Template, atom.Th, atom.Thead, atom.Time, atom.Title, atom.Tr, atom.U, atom.Ul,
		atom.Video} {
		m[a] = true
	}
	return m
}()

// dropped are the elements whose content is not article text.
var dropped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Nav: true, atom.Noscript: true,
	atom.Template: true, atom.Head: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Svg: true, atom.Math: true, atom.Canvas: true, atom.Select: true, atom.Button: true}

// Breaks after and before block elements: a paragraph break ("\n\n") or a line break ("\n").
var breaks = func() map[atom.Atom]int {
	m := map[atom.Atom]int{atom.Br: 1, atom.Li: 1, atom.Dt: 1, atom.Dd: 1, atom.Tr: 1, atom.Option: 1}
	for _, a := range []atom.Atom{atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Blockquote, atom.Pre, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Section, atom.Article, atom.Header,
		atom.Footer, atom.Aside, atom.Main, atom.Figure, atom.Figcaption, atom.Hr, atom.Address, atom.Details,
		atom.Summary, atom.Fieldset, atom.Form, atom.Caption, atom.Center, atom.Body, atom.Html} {
		m[a] = 2
	}
	return m
}()

// HTMLText returns the text of the HTML document or fragment s, as the article text to tag: tags removed, block
// elements (p, div, h1, li, br, ...) as paragraph or line breaks, character references decoded (&rsquo; is ’,
// &nbsp; a space), whitespace collapsed as a browser does (kept in pre), soft hyphens and zero-width spaces
// removed, and the content of script, style, nav, noscript, template, head, iframe, svg and other non-text
// elements dropped. Parsing follows the HTML5 algorithm (golang.org/x/net/html), so unclosed and misnested tags
// are read as a browser reads them. The result holds no leading or trailing whitespace.
func HTMLText(s string) string {
	doc, err := html.ParseWithOptions(strings.NewReader(s))
	if err != nil { // elements nested deeper than the parser's limit (512)
		return tokenText(s)
	}
	var w textWriter
	w.b.Grow(len(s))
	// An iterative walk: parsed documents may nest deeper than a recursion should go. Every element entered is
	// left once; dropped elements are neither entered nor left.
	pre := 0
	for n := doc; n != nil; {
		enter := n.Type == html.DocumentNode
		switch n.Type {
		case html.TextNode:
			w.text(n.Data, pre > 0)
		case html.ElementNode:
			if enter = !dropped[n.DataAtom]; enter {
				w.brk(breaks[n.DataAtom])
				switch n.DataAtom {
				case atom.Td, atom.Th:
					w.space = true
				case atom.Pre:
					pre++
				}
			}
		}
		if enter && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		for n != nil {
			if n.Type == html.ElementNode && !dropped[n.DataAtom] {
				w.brk(breaks[n.DataAtom])
				if n.DataAtom == atom.Pre {
					pre--
				}
			}
			if n.NextSibling != nil {
				n = n.NextSibling
				break
			}
			n = n.Parent
		}
	}
	return w.String()
}

// tokenText is HTMLText for a document too deep for the parser: the same rules applied to the tags as they
// come, without the HTML5 tree's implied and misnested tags.
func tokenText(s string) string {
	var w textWriter
	w.b.Grow(len(s))
	z := html.NewTokenizer(strings.NewReader(s))
	skip := map[atom.Atom]int{} // open dropped elements
	skipping := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return w.String()
		case html.TextToken:
			if skipping == 0 {
				w.text(string(z.Text()), false)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if dropped[a] {
				if tt == html.StartTagToken {
					skip[a]++
					skipping++
				} else if tt == html.EndTagToken && skip[a] > 0 {
					skip[a]--
					skipping--
				}
				continue
			}
			if skipping == 0 {
				w.brk(breaks[a])
			}
		}
	}
}

// textWriter accumulates text with collapsed whitespace and pending breaks, so that text has no leading
// whitespace and no more than one paragraph break in a row.
type textWriter struct {
	b     strings.Builder
	brks  int  // pending breaks: 0, 1 ("\n") or 2 ("\n\n")
	space bool // a space is pending
}

// String returns the text, trimmed, with any invalid UTF-8 the input held replaced by U+FFFD.
func (w *textWriter) String() string {
	s := strings.TrimSpace(w.b.String())
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

func (w *textWriter) brk(n int) {
	w.brks = max(w.brks, n)
}

// text writes the text of a text node; pre keeps its whitespace. Runs of ordinary bytes are copied at once.
func (w *textWriter) text(s string, pre bool) {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			w.whitespace(c, pre)
			i++
			continue
		case c == 0xC2 && strings.HasPrefix(s[i:], "\u00A0"): // no-break space
			w.whitespace(' ', pre)
			i += 2
			continue
		case c == 0xC2 && strings.HasPrefix(s[i:], "\u00AD"): // soft hyphen
			i += 2
			continue
		case c == 0xE2 && strings.HasPrefix(s[i:], "\u200B"), c == 0xEF && strings.HasPrefix(s[i:], "\uFEFF"):
			i += 3 // zero-width space, BOM
			continue
		}
		j := i + 1
		for j < len(s) && !textSpecial[s[j]] {
			j++
		}
		w.flush()
		w.b.WriteString(s[i:j])
		i = j
	}
}

// textSpecial marks the bytes textWriter.text looks at: whitespace and the lead bytes of the characters it
// drops or turns into spaces.
var textSpecial = func() (t [256]bool) {
	for _, c := range []byte(" \t\n\r\f\xC2\xE2\xEF") {
		t[c] = true
	}
	return t
}()

func (w *textWriter) whitespace(c byte, pre bool) {
	switch {
	case !pre:
		w.space = true
	case c == '\n':
		w.brks = min(w.brks+1, 2)
	case w.b.Len() > 0:
		w.flush()
		w.b.WriteByte(' ')
	}
}

// flush writes the pending break or space, unless nothing has been written yet.
func (w *textWriter) flush() {
	if w.b.Len() > 0 {
		switch {
		case w.brks > 0:
			w.b.WriteString("\n\n"[:w.brks])
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.brks, w.space = 0, false
}
