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
// the full names they refer to (see discover.go for the steps). Discovery costs a fraction of Match; the optional
// WithProseNER mode uses prose's statistical recognizer instead and is about a hundred times slower.
//
// Output: Record.MarshalJSON is deterministic: the article's members first, in input order, then topics, entities
// (one per mention, in text order, title first; offsets in code points) and tagger metadata.
package tagger
