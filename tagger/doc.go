// Package tagger turns article text into topics and canonical entities, each with the evidence that produced it.
//
// The two types to learn first are Tagger (built once from a compiled rules.RuleSet, safe for concurrent use) and
// Record (the enriched output: the article's own fields plus topics, entities and tagger metadata).
package tagger
