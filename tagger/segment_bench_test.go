package tagger

import (
	"strings"
	"testing"

	"github.com/jdkato/prose/v2"

	"github.com/tagpipe/tagpipe/rules"
)

// segmentBody is a wire-style body of about 3 KB: attributions, abbreviations and quotes, as the relevance
// model's sentence factors meet them.
var segmentBody = strings.Repeat(`North Korea fired two short-range ballistic missiles into the East Sea on Tuesday, `+
	`the Joint Chiefs of Staff said. The U.S. and S. Korea condemned the launch. "We will respond firmly," `+
	`Gen. Kim told reporters. Analysts said the test followed drills by the allies. `, 10)

// BenchmarkSegmentProse measures prose's sentence segmenter alone (no tagging, no NER), the candidate source of
// rules.Doc.Sentences; BenchmarkSegmentRules is the whole rules.Match with its built-in splitter, for scale.
func BenchmarkSegmentProse(b *testing.B) {
	b.SetBytes(int64(len(segmentBody)))
	for b.Loop() {
		doc, err := prose.NewDocument(segmentBody, prose.WithTagging(false), prose.WithExtraction(false),
			prose.WithTokenization(false))
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Sentences()) == 0 {
			b.Fatal("no sentences")
		}
	}
}

func BenchmarkSegmentRules(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(segmentBody)))
	for b.Loop() {
		rs.Match(rules.Doc{Title: "North Korea fires missiles", Body: segmentBody})
	}
}
