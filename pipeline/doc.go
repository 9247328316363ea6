// Package pipeline runs the tagger as a Kafka service: it consumes raw articles, tags them, produces enriched
// records and dead-letters what cannot be tagged, committing offsets only after the output is acknowledged.
//
// The two types to learn first are Config (a plain struct: every setting with its default in DefaultConfig,
// and Validate; the command line layering of flags, environment and YAML lives in cmd/tagpipe) and Pipeline
// (New, then Run until the context ends).
//
// How a record flows: the pipeline joins the consumer group through kafka-go's ConsumerGroup; for each
// generation it starts one partition reader per assigned partition (consume.go), and fetching pauses while
// Config.MaxInFlight records are unacknowledged. A pool of Config.Workers goroutines decodes and tags each
// record, bounded by Config.MaxTagTime (tag.go), and an asynchronous kafka-go Writer with explicit batching
// produces the tagged record (plus per-label route copies) or a dead letter with a ReasonCode (produce.go,
// dlq.go). The Writer's completion callback acknowledges the record to an ordered-commit tracker (tracker.go);
// a committer commits each partition up to the last record acknowledged in order, through the current
// generation only: when a rebalance ends the generation nothing is committed until the next assignment, which
// drops the pending offsets of the partitions that went elsewhere. Delivery is at least once and a commit never skips unwritten output.
// Rule packs published to Config.RulesTopic are hot-reloaded (rulesync.go). Fetch, produce and the rules
// watcher retry with one jittered backoff (backoff.go).
//
// Hot path cost per record: decoding, tagging and encoding are the tagger's (linear in the article's size,
// see package tagger); the pipeline adds O(log n) for the tracker insert in a partition with n records in
// flight, O(1) amortized for the acknowledgement, and one copy of the value into the produce batch.
//
// The Kafka client tools (connection, admin, Producer, Tail, the embedded broker) are in package kafkaio.
//
// Known kafka-go limits the package works around or documents: the Reader with a GroupID has no revocation
// hook (hence ConsumerGroup and Generation.CommitOffsets); the Writer's default batching crawls (Config sets it
// explicitly); the Reader returns a nil value for both an empty value and a tombstone (both are dead-lettered
// with ReasonEmpty); and the Reader retries a rejected SASL login forever, so Run dials and authenticates once
// before starting.
package pipeline
