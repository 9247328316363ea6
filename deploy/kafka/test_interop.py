"""Interop checks for the local broker started by deploy/kafka/local.sh.

They prove that the broker `make test` runs against is a real Kafka that third-party
clients can use: kcat (Debian's librdkafka) and confluent-kafka (Python, bundled
librdkafka) produce and consume over PLAINTEXT, and confluent-kafka does so over the
SASL_SSL listener with SCRAM-SHA-512 and the test CA, while a wrong password or a
missing CA is refused.

Environment (exported by `deploy/kafka/local.sh env`):
    TAGPIPE_KAFKA_BROKERS        PLAINTEXT bootstrap, e.g. 127.0.0.1:9092
    TAGPIPE_KAFKA_SASL_BROKERS   SASL_SSL bootstrap, e.g. 127.0.0.1:9094
    TAGPIPE_KAFKA_CA             PEM file of the test CA
    TAGPIPE_KAFKA_SCRAM_USER / TAGPIPE_KAFKA_SCRAM_PASSWORD

kcat is used on PLAINTEXT only: Debian 12's kcat links librdkafka 2.0.2, whose SCRAM
exchange Kafka 4.x rejects (fixed in librdkafka 2.6.1; see deploy/kafka/README.md).
"""

import os
import shutil
import subprocess
import time
import uuid

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer  # noqa: E402
from confluent_kafka.admin import AdminClient  # noqa: E402

IN_CI = os.environ.get("CI", "") not in ("", "false", "0")


def _env(name):
    value = os.environ.get(name, "")
    if not value:
        if IN_CI:
            pytest.fail(f"{name} is not set; .ci/run must export it (deploy/kafka/local.sh env)")
        pytest.skip(f"{name} not set: start the broker with `make kafka-start`")
    return value


@pytest.fixture(scope="module")
def plaintext():
    return {"bootstrap.servers": _env("TAGPIPE_KAFKA_BROKERS")}


@pytest.fixture(scope="module")
def sasl_ssl():
    return {
        "bootstrap.servers": _env("TAGPIPE_KAFKA_SASL_BROKERS"),
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": _env("TAGPIPE_KAFKA_SCRAM_USER"),
        "sasl.password": _env("TAGPIPE_KAFKA_SCRAM_PASSWORD"),
        "ssl.ca.location": _env("TAGPIPE_KAFKA_CA"),
    }


def _topic(prefix):
    return f"interop-{prefix}-{uuid.uuid4().hex[:12]}"


def _produce(conf, topic, messages):
    producer = Producer({**conf, "acks": "all", "message.timeout.ms": 20000})
    failures = []

    def report(err, _msg):
        if err is not None:
            failures.append(err)

    for key, value in messages:
        producer.produce(topic, key=key, value=value, on_delivery=report)
    remaining = producer.flush(30)
    assert remaining == 0, f"{remaining} message(s) not delivered"
    assert not failures, f"delivery failed: {failures}"


def _consume(conf, topic, want, timeout=30.0):
    consumer = Consumer(
        {
            **conf,
            "group.id": f"interop-{uuid.uuid4().hex[:8]}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    got = []
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + timeout
        while len(got) < want and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise KafkaException(msg.error())
            got.append((msg.key(), msg.value()))
    finally:
        consumer.close()
    return got


def _messages(n, tag):
    return [(f"k{i}".encode(), f"{tag} message {i} \u00e9\u4e2d".encode()) for i in range(n)]


def test_plaintext_roundtrip(plaintext):
    topic = _topic("plain")
    sent = _messages(20, "plaintext")
    _produce(plaintext, topic, sent)
    got = _consume(plaintext, topic, len(sent))
    assert sorted(got) == sorted(sent)


def test_topic_autocreated_with_default_partitions(plaintext):
    topic = _topic("auto")
    _produce(plaintext, topic, _messages(1, "auto"))
    md = AdminClient(plaintext).list_topics(topic=topic, timeout=10)
    assert topic in md.topics
    assert md.topics[topic].error is None
    assert len(md.topics[topic].partitions) == int(os.environ.get("KAFKA_NUM_PARTITIONS", "3"))


@pytest.mark.skipif(shutil.which("kcat") is None and not IN_CI, reason="kcat not installed")
def test_kcat_produces_confluent_consumes(plaintext):
    topic = _topic("kcat")
    lines = [f"kcat line {i}" for i in range(10)]
    subprocess.run(
        ["kcat", "-P", "-b", plaintext["bootstrap.servers"], "-t", topic, "-X", "acks=all"],
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
        timeout=60,
    )
    got = _consume(plaintext, topic, len(lines))
    assert sorted(v.decode() for _, v in got) == sorted(lines)


@pytest.mark.skipif(shutil.which("kcat") is None and not IN_CI, reason="kcat not installed")
def test_confluent_produces_kcat_consumes(plaintext):
    topic = _topic("kcatc")
    sent = _messages(5, "to-kcat")
    _produce(plaintext, topic, sent)
    out = subprocess.run(
        ["kcat", "-C", "-b", plaintext["bootstrap.servers"], "-t", topic,
         "-o", "beginning", "-e", "-q", "-f", "%k=%s\\n"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    want = sorted(f"{k.decode()}={v.decode()}" for k, v in sent)
    assert sorted(line for line in out.splitlines() if line) == want


def test_sasl_ssl_roundtrip(sasl_ssl):
    topic = _topic("sasl")
    sent = _messages(10, "sasl_ssl")
    _produce(sasl_ssl, topic, sent)
    got = _consume(sasl_ssl, topic, len(sent))
    assert sorted(got) == sorted(sent)


def _connect_errors(conf):
    """Tries a metadata request and returns the error codes the client reported."""
    errors = []
    admin = AdminClient(
        {**conf, "error_cb": errors.append, "log.connection.close": False, "log_level": 2}
    )
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=3)
    # error_cb runs only while the client is polled.
    deadline = time.monotonic() + 5
    while not errors and time.monotonic() < deadline:
        admin.poll(0.5)
    return {e.code() for e in errors}


@pytest.mark.parametrize(
    "override,want",
    [
        ({"sasl.password": "definitely-not-the-password"}, KafkaError._AUTHENTICATION),
        ({"sasl.username": "nobody-here"}, KafkaError._AUTHENTICATION),
        ({"ssl.ca.location": None}, KafkaError._SSL),
    ],
    ids=["wrong-password", "unknown-user", "untrusted-ca"],
)
def test_sasl_ssl_rejects(sasl_ssl, override, want):
    conf = {**sasl_ssl, **override}
    conf = {k: v for k, v in conf.items() if v is not None}
    codes = _connect_errors(conf)
    assert want in codes, f"want {want} among client errors, got {codes}"


def test_plaintext_client_on_sasl_port_fails(sasl_ssl):
    codes = _connect_errors({"bootstrap.servers": sasl_ssl["bootstrap.servers"]})
    assert codes, "a PLAINTEXT client must not get metadata from the SASL_SSL listener"
