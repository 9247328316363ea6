package tagger

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

type readResult struct {
	articles []Article
	errs     []*LineError
}

func readAll(t *testing.T, r io.Reader, format string) readResult {
	t.Helper()
	var res readResult
	err := ReadArticles(r, format, func(a Article, err error) error {
		if err != nil {
			le, ok := errors.AsType[*LineError](err)
			if !ok {
				t.Fatalf("error is not a *LineError: %v", err)
			}
			res.errs = append(res.errs, le)
			return nil
		}
		res.articles = append(res.articles, a)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadArticles: %v", err)
	}
	return res
}

func TestReadArticlesJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"1","title":"First","body":"one"}`,
		``,
		`{"id":"2","title":`, // line 3: truncated
		`{"id":"3","title":"Third"}`,
		`[1]`, // line 5: not an object
		`{"id":"6","body":7}`,
		"{\"id\":\"7\",\"title\":\"CRLF\"}\r",
		`{"id":"8","title":"no newline at end"}`,
	}, "\n")
	res := readAll(t, strings.NewReader(in), FormatJSONL)
	var ids []string
	for _, a := range res.articles {
		ids = append(ids, a.ID)
	}
	if got, want := strings.Join(ids, ","), "1,3,7,8"; got != want {
		t.Errorf("ids = %s, want %s", got, want)
	}
	want := []struct {
		line   int
		reason string
	}{{3, ReasonNotJSON}, {5, ReasonNotObject}, {6, ReasonBadField}}
	if len(res.errs) != len(want) {
		t.Fatalf("got %d errors (%v), want %d", len(res.errs), res.errs, len(want))
	}
	for i, w := range want {
		if res.errs[i].Line != w.line || Reason(res.errs[i]) != w.reason {
			t.Errorf("error %d = line %d %q, want line %d %q", i, res.errs[i].Line, Reason(res.errs[i]), w.line, w.reason)
		}
	}
}

func TestReadArticlesStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ReadArticles(strings.NewReader("{}\n{}\n{}\n"), FormatJSONL, func(Article, error) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("err = %v after %d calls, want stop after 2", err, n)
	}
}

func TestReadArticlesUnknownFormat(t *testing.T) {
	if err := ReadArticles(strings.NewReader(""), "xml", nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestReadArticlesHugeLine(t *testing.T) {
	body := strings.Repeat("Ten megabytes of a very long article body. ", 10<<20/43+1)
	in := `{"id":"big","title":"Big","body":"` + body + "\"}\n" + `{"id":"small","title":"Small"}` + "\n"
	res := readAll(t, strings.NewReader(in), FormatJSONL)
	if len(res.errs) != 0 || len(res.articles) != 2 {
		t.Fatalf("got %d articles, errors %v", len(res.articles), res.errs)
	}
	if res.articles[0].Body != body || res.articles[1].ID != "small" {
		t.Error("huge line not read intact")
	}
}

func TestLineReaderTooLong(t *testing.T) {
	// A line over MaxLineBytes is reported and skipped; the next line is still read.
	r := io.MultiReader(strings.NewReader(`{"title":"`), &repeatReader{b: 'x', n: MaxLineBytes + 10},
		strings.NewReader("\"}\n{\"id\":\"after\"}\n"))
	res := readAll(t, r, FormatJSONL)
	if len(res.errs) != 1 || res.errs[0].Line != 1 || Reason(res.errs[0]) != ReasonTooLong {
		t.Fatalf("errors = %v, want one too_long at line 1", res.errs)
	}
	if len(res.articles) != 1 || res.articles[0].ID != "after" {
		t.Fatalf("articles = %v, want the one after the long line", res.articles)
	}
}

type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range k {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

func TestReadArticlesText(t *testing.T) {
	tests := []struct {
		name, in    string
		title, body string
		none        bool
	}{
		{name: "title and body", in: "\n  Ferry service resumes  \nThe first line.\n\nSecond paragraph.\n\n",
			title: "Ferry service resumes", body: "The first line.\n\nSecond paragraph."},
		{name: "title only", in: "Just a headline", title: "Just a headline"},
		{name: "empty", in: "\n \n", none: true},
		{name: "invalid utf-8", in: "Head\xfeline\nbody", title: "Head\uFFFDline", body: "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, strings.NewReader(tt.in), FormatText)
			if tt.none {
				if len(res.articles) != 0 {
					t.Fatalf("got %d articles, want none", len(res.articles))
				}
				return
			}
			if len(res.articles) != 1 {
				t.Fatalf("got %d articles, want 1", len(res.articles))
			}
			a := res.articles[0]
			if a.Title != tt.title || a.Body != tt.body {
				t.Errorf("got %q / %q, want %q / %q", a.Title, a.Body, tt.title, tt.body)
			}
		})
	}
}

func TestReadArticlesListing(t *testing.T) {
	in := `-
Harbour cranes arrive at the port
The cranes were unloaded on Tuesday.
A second line of body.
March 3, 2024 -
Council approves budget
The city council voted 7-2.
Feb. 30, 2024 -
Library extends hours
Readers welcomed the change.
-
Bridge closed for repairs
Traffic was diverted.
December 1, 2023
Headline without a date
Body without a date.
`
	res := readAll(t, strings.NewReader(in), FormatListing)
	want := []struct{ title, body, date string }{
		{"Harbour cranes arrive at the port", "The cranes were unloaded on Tuesday.\nA second line of body.", `"2024-03-03"`},
		{"Library extends hours", "Readers welcomed the change.", ""},
		{"Bridge closed for repairs", "Traffic was diverted.", `"2023-12-01"`},
		{"Headline without a date", "Body without a date.", ""},
	}
	if len(res.articles) != len(want) {
		t.Fatalf("got %d articles, want %d: %+v", len(res.articles), len(want), res.articles)
	}
	for i, w := range want {
		a := res.articles[i]
		d, _ := a.Field("published_at")
		if a.Title != w.title || a.Body != w.body || string(d) != w.date {
			t.Errorf("article %d = %q / %q / %s, want %q / %q / %s", i, a.Title, a.Body, d, w.title, w.body, w.date)
		}
	}
	if len(res.errs) != 1 || res.errs[0].Line != 8 || Reason(res.errs[0]) != ReasonBadDate {
		t.Errorf("errors = %v, want one bad_date at line 8", res.errs)
	}
}

func TestParseListingDate(t *testing.T) {
	tests := []struct {
		in, want string
		ok, err  bool
	}{
		{"June 25, 2025 -", "2025-06-25", true, false},
		{"June 14, 2025", "2025-06-14", true, false},
		{"Sept. 9, 2021 -", "2021-09-09", true, false},
		{"Feb 29, 2023 -", "", true, true},
		{"June 25 2025", "", false, false},
		{"In June 25, 2025 -", "", false, false},
	}
	for _, tt := range tests {
		got, ok, err := parseListingDate(tt.in)
		if got != tt.want || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("parseListingDate(%q) = %q, %v, %v; want %q, %v, err=%v", tt.in, got, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}

func ExampleReadArticles() {
	in := "{\"id\":\"a\",\"title\":\"One\"}\nnot json\n{\"id\":\"b\",\"title\":\"Two\"}\n"
	_ = ReadArticles(strings.NewReader(in), FormatJSONL, func(a Article, err error) error {
		if err != nil {
			fmt.Println("skip:", err)
			return nil
		}
		fmt.Println(a.ID, a.Title)
		return nil
	})
	// Output:
	// a One
	// skip: line 2: article: not_json: invalid character 'o' in literal null (expecting 'u')
	// b Two
}
