// Package rules is tagpipe's rule language: it parses rule files (YAML), validates them and compiles them into a
// RuleSet that finds gazetteer entities and scores topic labels in an article. docs/rule-language.md is the
// reference for the language.
//
// The two types to learn first are File (one parsed rule file, with positions for every value) and RuleSet (the
// compiled, immutable, concurrency-safe matcher). The stages are separate functions, so a caller can stop after
// any of them:
//
//	files, errs := rules.ParsePath(dir)              // or Parse(name, src), ParseFS(fsys, dir): syntax, shape
//	errs = append(errs, rules.Validate(files...)...) // values, regexes, duplicates, across files
//	rs, err := rules.Compile(files)                  // matching structures (validates again)
//	res := rs.Match(rules.Doc{Title: t, Body: b})    // per article, from any goroutine
//
// Load(path) does all three and Default() returns the embedded pack (rules/pack), compiled once. Problems come
// back as an ErrorList of *Error, each with a Position (file:line:col) and a short stable Code.
//
// Matching folds each field (Fold: lower-case, Latin diacritics removed, punctuation runs as one separator) and
// walks one trie of every folded alias, demonym and term from each word start, so the cost of a match grows with
// the article, hardly with the pack. Regular expressions (`patterns`) run only where a literal they need occurs.
//
// The package uses only the standard library, yaml.v3 and golang.org/x/text; it knows nothing of Kafka or of
// statistical NLP.
package rules
