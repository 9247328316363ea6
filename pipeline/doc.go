// Package pipeline runs the tagger as a Kafka service: it consumes raw articles, tags them, produces enriched
// records and dead-letters what cannot be tagged, committing offsets only after the output is acknowledged.
package pipeline
