# tagpipe developer entry points. `make test` is the one test command (README, .ci/run).
# Targets that need Kafka start a real local broker with deploy/kafka/local.sh
# (jars from Maven Central, cached in TAGPIPE_CACHE, default ~/.cache/tagpipe); see deploy/kafka/README.md.

SHELL := /bin/bash
GO ?= go
GOLD ?= ../shared/devset/seed-articles.jsonl
MIN_TOPIC_F1 ?= 0.95
MIN_ENTITY_F1 ?= 0.90
FUZZTIME ?= 10s
BENCHTIME ?= 1s
BENCH ?= .
# The local broker gets a SASL_SSL (SCRAM-SHA-512) listener beside PLAINTEXT.
export KAFKA_SECURITY ?= sasl_ssl

.PHONY: test vet fmt-check deploy-check demo eval bench fuzz soak kafka-start kafka-stop kafka-status kafka-env setup

## test: install missing tools, ensure a real broker, go vet, go test, interop tests
test:
	@bash deploy/test.sh

## setup: install kcat, confluent-kafka, pytest and Go modules if missing
setup:
	@bash deploy/setup.sh

vet:
	$(GO) vet ./...

## fmt-check: fail if any Go file is not gofmt-formatted
fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [[ -n "$$out" ]]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## deploy-check: parse and cross-check deploy/compose.yaml, deploy/k8s (kustomize build, Kubernetes schemas, KEDA) and deploy/Dockerfile; promtool the alerts
deploy-check:
	python3 -m pytest -q -p no:cacheprovider deploy/test_manifests.py deploy/test_k8s.py
	promtool check rules deploy/prometheus/alerts.yaml && promtool test rules deploy/prometheus/alerts_test.yaml

## demo: tag built-in sample articles end to end
demo:
	$(GO) run ./cmd/tagpipe demo

## eval: score the tagger against a gold file (GOLD=...)
eval:
	$(GO) run ./cmd/tagpipe eval --gold $(GOLD) --min-topic-f1 $(MIN_TOPIC_F1) --min-entity-f1 $(MIN_ENTITY_F1)

## bench: run all benchmarks once (BENCH=regexp, BENCHTIME=1s); output also in bench/out/
bench:
	@mkdir -p bench/out
	set -o pipefail; $(GO) test -run='^$$' -bench='$(BENCH)' -benchmem -benchtime=$(BENCHTIME) ./... | tee bench/out/bench.txt

## fuzz: run every Fuzz target found in *_test.go for FUZZTIME each
fuzz:
	@FUZZTIME=$(FUZZTIME) bash deploy/fuzz.sh

## soak: steady load on `tagpipe run` for SOAK (default 10m) against the local broker, RSS sampled (e2e/README.md; not in CI)
SOAK ?= 10m
soak:
	@deploy/kafka/local.sh start >/dev/null && eval "$$(deploy/kafka/local.sh env)" && \
		TAGPIPE_SOAK=$(SOAK) $(GO) test -count=1 -v -timeout 60m -run '^TestSoak$$' ./e2e

kafka-start:
	@deploy/kafka/local.sh start

kafka-stop:
	@deploy/kafka/local.sh stop

kafka-status:
	@deploy/kafka/local.sh status

## kafka-env: print the TAGPIPE_KAFKA_* exports for the running broker (eval "$$(make -s kafka-env)")
kafka-env:
	@deploy/kafka/local.sh env
