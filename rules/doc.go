// Package rules is tagpipe's rule language: it parses rule files (YAML), validates them and compiles them into a
// RuleSet that finds gazetteer entities and scores topic labels in an article.
//
// The two types to learn first are File (one parsed rule file, with positions for every node) and RuleSet (the
// compiled, immutable, concurrency-safe matcher). The stages are separate functions, so a caller can stop after
// any of them: Parse, Validate, Compile, then (*RuleSet).Match per article.
//
// The package uses only the standard library, yaml.v3 and an Aho-Corasick automaton; it knows nothing of Kafka or of
// statistical NLP.
package rules
