// Package tagger turns article text into topics and canonical entities, each with the evidence that produced it.
//
// The two types to learn first are Tagger (built once from a compiled rules.RuleSet, safe for concurrent use) and
// Record (the enriched output: the article's own fields plus topics, entities and tagger metadata).
//
// Input: DecodeArticle reads one JSON object (id, title and body are typed; every other member passes through
// verbatim and in order); ReadArticles reads a stream in the jsonl, text or listing format and reports malformed
// records with their line numbers without stopping. A Decoder reads record values as producers send them: JSON
// objects, plain text or either (InputAuto), objects of other shapes through JSON Pointers (FieldMap), and HTML
// bodies turned into text (HTMLText) that the record carries in body_text. Decoding errors are *DecodeError
// values with a short Reason code for dead-letter headers.
//
// Tagging: Tag runs rules.RuleSet.Match (topics and gazetteer mentions), then entity discovery: capitalized names no
// rule lists, typed by the pack's cue words and a few name patterns, with titles stripped and surnames resolved to
// the full names they refer to (see discover.go for the steps). Discovery costs a fraction of Match. WithNER picks
// the NER mode: NERBuiltin (discovery, the default), NERProse (prose's statistical recognizer instead) or NERHybrid
// (discovery plus prose's entities through a precision filter, see ner.go); the prose modes are a few hundred
// times slower. Tag checks its context as it goes; IsTimeout tells a record that ran out of time from other errors.
//
// Cost of the hot path, for an input of n bytes holding m members, t tokens and c discovered candidates:
//   - DecodeArticle: O(n). One pass over the bytes; members are indexed by name (a map past a few), so each
//     member costs O(1) plus its length, whatever their number; nesting is bounded (as encoding/json bounds it).
//   - Discovery: O(n + t + c log c). Tokenizing, coverage and sentence starts are single passes; a run is at most
//     24 tokens and each step in it looks at a bounded window; list lookups are map lookups; coreference sorts its
//     references once and binary-searches them; the merge with the gazetteer mentions is one pass.
//   - Record.MarshalJSON: O(size of the output), one pass with a pooled buffer.
//   - Match: see package rules.
//
// TestComplexity* in complexity_test.go check this on adversarial shapes of 10 KB and 1 MB.
//
// Output: Record.MarshalJSON is deterministic: the article's members first, in input order, then topics, entities
// (one per mention, in text order, title first; offsets in code points) and tagger metadata.
package tagger
