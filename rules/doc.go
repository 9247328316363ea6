// Package rules is tagpipe's rule language: it parses rule files (YAML), validates them and compiles them into a
// RuleSet that finds gazetteer entities and scores topic labels in an article. docs/rule-language.md is the
// reference for the language.
//
// The two types to learn first are File (one parsed rule file, with positions for every value) and RuleSet (the
// compiled, immutable, concurrency-safe matcher). One loader reads a pack from a directory or file on disk
// (LoadPath), an fs.FS (LoadFS) or a set of named files such as a published pack (LoadFiles); all three go
// through the same parse, validate and compile steps and return a Pack (Files, Sources, Rules). The stages are
// also separate functions, so a caller can stop after any of them:
//
//	files, errs := rules.ParsePath(dir)              // or Parse(name, src), ParseFS(fsys, dir): syntax, shape
//	errs = append(errs, rules.Validate(files...)...) // values, regexes, duplicates, across files
//	rs, err := rules.Compile(files)                  // matching structures (validates again)
//	res := rs.Match(rules.Doc{Title: t, Body: b})    // per article, from any goroutine
//
// Default() returns the embedded pack (rules/pack), compiled once. Problems come back as an ErrorList of *Error,
// each with a Position (file:line:col, the file named as the loader was given it) and a short stable Code.
//
// # Cost of Match
//
// Match is linear in the size of the article; n is the number of bytes of title and body, m the number of
// mentions and term occurrences found, k a bound set by the pack (longest alias or term, ambiguous candidates per
// alias, conditions per topic):
//
//   - folding (Fold: lower-case, Latin diacritics removed, punctuation runs as one separator): O(n), one pass;
//   - the trie walk: one trie of every folded alias, demonym, term and relevance cue word, walked from each word
//     start as far as the trie goes: O(n·k), hardly dependent on the size of the pack;
//   - leftmost-longest selection of entity aliases: O(m log m) (a sort of the candidates);
//   - ambiguity resolution: one pass over the mentions with per-entity state (has an unambiguous mention, where
//     its latest mention ends): O(m·k); implied mentions are inserted in the same order without a sort;
//   - grouping of occurrences by term and entity: O(m) (a counting sort);
//   - term hits per topic: O(m·k);
//   - `near` and `unless`: a sweep over the condition's occurrences sorted by word (prefix maxima, then a binary
//     search per occurrence): O(m log m) per condition; few occurrences are compared pairwise, at most 1024 pairs;
//   - `patterns`: RE2 (linear) over the whole field, or only over merged windows around a required literal for
//     a pattern of bounded width: O(n) per pattern. A literal with a space is found by the trie walk (its part
//     after the first space starts at a word start); any other by IndexByte on its rarest byte.
//
// MatchContext is Match with a context and a work budget (DefaultWorkPerByte units per byte unless
// WithWorkBudget says otherwise): it checks both every few thousand units of work and stops with an error
// wrapping ctx.Err() or ErrBudget. Ordinary news costs about 2 units per byte, the costliest known input (one
// ambiguous alias repeated) about 4.
//
// Discovery's list tests are one fold of the argument and one map lookup, precomputed at compile time.
//
// The package uses only the standard library, go.yaml.in/yaml/v3 and golang.org/x/text; it knows nothing of Kafka
// or of statistical NLP.
package rules
