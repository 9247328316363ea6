// Package pipeline runs the tagger as a Kafka service: it consumes raw articles, tags them, produces enriched
// records and dead-letters what cannot be tagged, committing offsets only after the output is acknowledged.
//
// The two types to learn first are Config (every setting, with defaults, layered flags > environment > YAML file
// > defaults, and Validate) and Pipeline (New, then Run until the context ends).
//
// How a record flows: a kafka-go consumer-group Reader fetches it (fetching pauses while Config.MaxInFlight
// records are unacknowledged), a pool of Config.Workers goroutines decodes and tags it, and an asynchronous
// kafka-go Writer with explicit batching produces the tagged record (plus per-label route copies) or a dead
// letter. The Writer's completion callback acknowledges the record to an ordered-commit tracker; a committer
// commits each partition up to the last record acknowledged in order, so delivery is at least once and a commit
// never skips unwritten output.
//
// Besides Pipeline the package offers Producer (articles into a topic, for `tagpipe ingest`), Tail (read a topic
// without a group, for `tagpipe consume`), PublishRules (for `tagpipe rules publish`) and Embedded, an in-process
// Kafka-protocol broker (franz-go's kfake) for `tagpipe demo` and tests. kafka-go's consumer groups work against
// kfake: joining, rebalancing between two members, committing and resuming are covered by the tests.
//
// Known kafka-go limits the package works around or documents: NewReader panics on an invalid config (Run calls
// ReaderConfig.Validate first); the Writer's default batching crawls (Config sets it explicitly); the Reader
// returns a nil value for both an empty value and a tombstone (both are dead-lettered with ReasonEmpty); and the
// Reader retries a rejected SASL login forever, so Run dials and authenticates once before starting.
package pipeline
