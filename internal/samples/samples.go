// Package samples ships a small corpus of original sample articles (written for tagpipe, not taken from any
// outlet) that `tagpipe demo` tags: North Korea, Russia, leaflets and military stories, plus hard negatives
// (botanical leaflets, a Russian River winery, a Korean restaurant chain).
package samples

import _ "embed"

//go:embed articles.jsonl
var articles []byte

// JSONL returns the sample articles, one JSON object ({"id", "title", "body"}) per line.
func JSONL() []byte { return articles }
