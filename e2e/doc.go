// Package e2e holds tagpipe's end-to-end reliability and security tests. They build the tagpipe binary once
// and drive it as a subprocess against a real Apache Kafka broker (deploy/kafka/local.sh): kill -9 in the middle
// of a run, a broker outage, poison input, an output topic that refuses writes, SASL/SCRAM over TLS, the HTTP
// endpoint's guards and interoperability with third-party clients. Each test counts what went in and what came
// out and logs one "RELIABILITY <fault>: in=... lost=..." line.
//
// The package has no API; see README.md in this directory for how to run the tests and what they measured.
package e2e
