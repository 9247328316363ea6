package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/tagger"
)

// inputFlags are the flags that say how a record is decoded: its input format, field mappings and HTML bodies.
type inputFlags struct {
	format string // "" is "as --format says"
	fields []string
	html   string
}

func (f *inputFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.format, "input-format", "",
		"how each record is read: json (an object), text (first non-empty line is the title) or auto (objects as json, the rest as text); default json, or text with --format text; text alone implies --format text")
	cmd.Flags().StringArrayVar(&f.fields, "field", nil,
		"map an article field to JSON Pointers tried in order, NAME=/ptr[,/ptr...] for id, title, body, published_at (repeatable), e.g. --field title=/headline")
	cmd.Flags().StringVar(&f.html, "html", tagger.HTMLAuto,
		"HTML bodies: auto (a body with HTML tags is tagged as its text, carried in body_text), strip (every body is read as HTML) or off")
}

// decoder returns the Decoder for records of the file format (tagger.FormatJSONL, FormatText, FormatListing).
func (f *inputFlags) decoder(format string) (*tagger.Decoder, error) {
	in := f.format
	if in == "" && format == tagger.FormatText {
		in = tagger.InputText
	}
	if format == tagger.FormatListing && in != "" && in != tagger.InputText {
		return nil, usageError{fmt.Errorf("--input-format %s does not apply to --format listing (a text format)", in)}
	}
	d, err := tagger.NewDecoder(in, f.html, f.fields)
	if err != nil {
		return nil, usageError{fmt.Errorf("%w (flags --input-format %s, --html %s, --field)", err,
			strings.Join(tagger.InputFormats, "|"), strings.Join(tagger.HTMLModes, "|"))}
	}
	return d, nil
}
