package tagger

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Input formats understood by ReadArticles.
const (
	FormatJSONL   = "jsonl"   // one JSON object per line; blank lines are skipped
	FormatText    = "text"    // the whole input is one article: first non-empty line is the title, the rest the body
	FormatListing = "listing" // blocks of title line, body lines and a date line "June 25, 2025 -", optionally separated by "-" lines
)

// Formats lists the formats ReadArticles accepts.
var Formats = []string{FormatJSONL, FormatText, FormatListing}

// MaxLineBytes is the longest input line ReadArticles accepts (64 MiB). A longer line is reported as a
// *LineError with ReasonTooLong and skipped without being held in memory.
const MaxLineBytes = 64 << 20

// A LineError is an input error at a line of a multi-article input; it wraps a *DecodeError.
type LineError struct {
	Line int // 1-based line number where the bad record starts
	Err  error
}

// Error returns "line N: " and the underlying error.
func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// ReadArticles reads articles in the given format (FormatJSONL, FormatText or FormatListing) from r and calls fn
// for each, in input order. A malformed record does not stop the reading: fn is called with a zero Article and a
// *LineError that names the line, and reading goes on. If fn returns an error, ReadArticles stops and returns it;
// otherwise it returns the first read error, or nil at the end of the input. Memory use is bounded by the longest
// line (at most MaxLineBytes). ReadArticles blocks on r; to stop it early, make fn return an error (for example
// ctx.Err()).
func ReadArticles(r io.Reader, format string, fn func(Article, error) error) error {
	switch format {
	case FormatJSONL, "json", "ndjson":
		return readJSONL(r, DecodeArticle, fn)
	}
	lr := &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
	switch format {
	case FormatText:
		return readText(lr, fn)
	case FormatListing:
		return readListing(lr, fn)
	}
	return fmt.Errorf("tagger: unknown input format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// lineReader yields lines without their line ending, counting them.
type lineReader struct {
	r    *bufio.Reader
	buf  []byte
	line int
}

// next returns the next line (valid until the following call), errTooLong for a line over MaxLineBytes (which
// is consumed), or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	tooLong := false
	for {
		frag, err := lr.r.ReadSlice('\n')
		if !tooLong {
			if len(lr.buf)+len(frag) > MaxLineBytes+2 {
				tooLong = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, frag...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && (len(lr.buf) > 0 || tooLong) {
			err = nil
		} else if err != nil {
			return nil, err
		}
		lr.line++
		if tooLong {
			return nil, errTooLong
		}
		line := lr.buf
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if lr.line == 1 {
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		// Shrink a buffer grown by one huge line, so memory stays bounded by the current line.
		if cap(lr.buf) > 1<<20 && len(lr.buf) < 1<<16 {
			lr.buf = nil
		}
		return line, nil
	}
}

var errTooLong = errors.New("line too long")

func tooLongErr(line int) error {
	return &LineError{Line: line, Err: decodeErr(ReasonTooLong, "", ErrTooLong, nil,
		"line exceeds %d bytes", MaxLineBytes)}
}

// ReadLines calls fn with each non-blank line of a line-per-record input (FormatJSONL) and its 1-based line
// number, in input order, without decoding it, so that callers can decode lines on other goroutines
// (DecodeArticle, Decoder.Decode). The line has no line ending (nor, on line 1, a byte order mark) and is valid
// only during the call. A line over MaxLineBytes is passed as nil with a *LineError (ReasonTooLong) and not held
// in memory. ReadLines returns fn's first error, or the first read error, or nil at the end of the input.
func ReadLines(r io.Reader, fn func(line []byte, n int, err error) error) error {
	lr := &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
	for {
		line, err := lr.next()
		if err == errTooLong {
			if err := fn(nil, lr.line, tooLongErr(lr.line)); err != nil {
				return err
			}
			continue
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tagger: read line %d: %w", lr.line+1, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := fn(line, lr.line, nil); err != nil {
			return err
		}
	}
}

// readJSONL calls fn with each non-blank line decoded by decode.
func readJSONL(r io.Reader, decode func([]byte) (Article, error), fn func(Article, error) error) error {
	return ReadLines(r, func(line []byte, n int, err error) error {
		if err != nil {
			return fn(Article{}, err)
		}
		a, err := decode(line)
		if err != nil {
			err = &LineError{Line: n, Err: err}
		}
		return fn(a, err)
	})
}

func readText(lr *lineReader, fn func(Article, error) error) error {
	var title string
	var body strings.Builder
	haveTitle := false
	for {
		line, err := lr.next()
		if err == errTooLong {
			return fn(Article{}, tooLongErr(lr.line))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("tagger: read line %d: %w", lr.line+1, err)
		}
		if !haveTitle {
			if t := strings.TrimSpace(string(line)); t != "" {
				title, haveTitle = t, true
			}
			continue
		}
		body.Write(line)
		body.WriteByte('\n')
	}
	if !haveTitle {
		return nil // an empty file holds no article
	}
	return fn(textArticle(title, strings.TrimSpace(body.String())), nil)
}

func textArticle(title, body string) Article {
	a := Article{Title: title, Body: body}
	if !utf8.ValidString(title) || !utf8.ValidString(body) {
		a.Title = strings.ToValidUTF8(title, "\uFFFD")
		a.Body = strings.ToValidUTF8(body, "\uFFFD")
		a.Repaired = true
	}
	return a
}

// listingDate matches a listing's date line: "June 25, 2025 -" (the trailing dash is optional).
var listingDate = regexp.MustCompile(`^\s*(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)\s+(\d{1,2}),\s*(\d{4})\s*-?\s*$`)

// parseListingDate returns the ISO date of a listing date line, ok=false if the line is not a date line, and an
// error if it looks like one but names no real day.
func parseListingDate(line string) (date string, ok bool, err error) {
	m := listingDate.FindStringSubmatch(line)
	if m == nil {
		return "", false, nil
	}
	month := strings.TrimSuffix(m[1], ".")
	if len(month) > 3 {
		month = month[:3]
	}
	t, err := time.Parse("Jan 2 2006", month+" "+m[2]+" "+m[3])
	if err != nil {
		return "", true, err
	}
	return t.Format(time.DateOnly), true, nil
}

func readListing(lr *lineReader, fn func(Article, error) error) error {
	var lines []string
	flush := func(date string, dateErr error) error {
		defer func() { lines = lines[:0] }()
		// Drop blank lines at the edges; the first remaining line is the title.
		for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
			lines = lines[1:]
		}
		if dateErr != nil {
			return fn(Article{}, &LineError{Line: lr.line, Err: decodeErr(ReasonBadDate, "", ErrBadDate, dateErr,
				"%v", dateErr)})
		}
		if len(lines) == 0 {
			return nil
		}
		a := textArticle(strings.TrimSpace(lines[0]), strings.TrimSpace(strings.Join(lines[1:], "\n")))
		if date != "" {
			v, _ := json.Marshal(date)
			a.SetField("published_at", v)
		}
		return fn(a, nil)
	}
	for {
		line, err := lr.next()
		if err == errTooLong {
			lines = lines[:0]
			if err := fn(Article{}, tooLongErr(lr.line)); err != nil {
				return err
			}
			continue
		}
		if err == io.EOF {
			return flush("", nil)
		}
		if err != nil {
			return fmt.Errorf("tagger: read line %d: %w", lr.line+1, err)
		}
		s := string(line)
		if strings.TrimSpace(s) == "-" {
			if err := flush("", nil); err != nil {
				return err
			}
			continue
		}
		if date, ok, derr := parseListingDate(s); ok && len(lines) > 0 {
			if err := flush(date, derr); err != nil {
				return err
			}
			continue
		}
		lines = append(lines, s)
	}
}
