// Package kafkaio holds tagpipe's Kafka client tools: how to reach a cluster (Conn, with SASL and TLS), the
// kafka-go objects built from it (Cluster: dialer, transport, admin client; topic creation, deletion and
// description), a Producer of articles, Tail (read a topic without a consumer group) and Embedded, an
// in-process Kafka-protocol broker (franz-go's kfake) for `tagpipe demo` and tests. The commands ingest,
// consume, demo, bench and rules publish use it, and so does package pipeline.
//
// The two types to learn first are Conn (the settings; Validate and ResolveSecrets) and Cluster (Connect
// checks the brokers and the credentials once, so that a wrong address or password fails at once instead of
// kafka-go retrying forever in the background).
//
// Costs: Producer.Send is one synchronous produce of its articles, O(total bytes); Tail runs one reader
// goroutine per partition and calls its callback from one goroutine.
package kafkaio
