#!/usr/bin/env bash
# local.sh runs a real single-node Apache Kafka 4.x broker (KRaft, combined broker and
# controller) on 127.0.0.1 for development and tests, from jars fetched from Maven
# Central. No Docker needed: a JDK 17+ and Maven are enough.
#
#   deploy/kafka/local.sh start     start (or find running) and print the bootstrap address last
#   deploy/kafka/local.sh stop      stop the broker this work dir started, wait for it to exit
#   deploy/kafka/local.sh status    exit 0 if running (prints pid and addresses)
#   deploy/kafka/local.sh restart   stop, then start with the running broker's settings
#   deploy/kafka/local.sh env       print `export` lines for tests (TAGPIPE_KAFKA_*)
#   deploy/kafka/local.sh topics …  kafka-topics passthrough (--bootstrap-server added)
#   deploy/kafka/local.sh logs [N]  last N lines of the broker log (default 50)
#   deploy/kafka/local.sh reset     stop and delete the work dir (all topics are lost)
#   deploy/kafka/local.sh acls …    kafka-acls passthrough (--bootstrap-server added)
#   deploy/kafka/local.sh configs … kafka-configs passthrough (--bootstrap-server added)
#
# With KAFKA_NODES=N (N > 1) it runs a cluster of N KRaft nodes (each broker and controller,
# one controller quorum of N voters) in KAFKA_WORKDIR/node1..N; node i listens on
# KAFKA_PORT + (i-1)*KAFKA_PORT_STEP (likewise the controller and SASL ports). Then also:
#   deploy/kafka/local.sh start-node I | stop-node I | kill-node I (SIGKILL) | pid I
#
# Environment (defaults in brackets); see deploy/kafka/README.md:
#   KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  KAFKA_SASL_PORT [9094]
#   KAFKA_SECURITY [plaintext] or sasl_ssl (adds a SASL_SSL listener with SCRAM-SHA-512)
#   KAFKA_SCRAM_USER [tagpipe]  KAFKA_SCRAM_PASSWORD [tagpipe-test-secret]
#   KAFKA_WORKDIR [deploy/kafka/.work]  data, config, log, pid file, TLS files
#   KAFKA_VERSION [4.1.1]  TAGPIPE_CACHE [~/.cache/tagpipe]  jar cache
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]  KAFKA_START_TIMEOUT [120] seconds
#   KAFKA_NUM_PARTITIONS [3]
#   KAFKA_NODES [1]  KAFKA_PORT_STEP [10]  (cluster: heap default -Xms128m -Xmx384m per node)
#   KAFKA_AUTHORIZER [none] or standard (StandardAuthorizer, deny when no ACL matches)
#   KAFKA_SUPER_USERS [admin]  KAFKA_EXTRA_SCRAM_USERS ["" | "name=password name=password"]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-9094}"
KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"
KAFKA_SCRAM_USER="${KAFKA_SCRAM_USER:-tagpipe}"
KAFKA_SCRAM_PASSWORD="${KAFKA_SCRAM_PASSWORD:-tagpipe-test-secret}"
KAFKA_WORKDIR="${KAFKA_WORKDIR:-$HERE/.work}"
KAFKA_NODES="${KAFKA_NODES:-}"
KAFKA_PORT_STEP="${KAFKA_PORT_STEP:-10}"
KAFKA_AUTHORIZER="${KAFKA_AUTHORIZER:-none}"
KAFKA_SUPER_USERS="${KAFKA_SUPER_USERS:-admin}"
KAFKA_EXTRA_SCRAM_USERS="${KAFKA_EXTRA_SCRAM_USERS:-}"
# A cluster's work dir remembers its size, so stop/status/env need only KAFKA_WORKDIR.
if [[ -z "$KAFKA_NODES" && -f "$KAFKA_WORKDIR/cluster.env" ]]; then
	KAFKA_NODES="$(sed -n 's/^KAFKA_NODES=//p' "$KAFKA_WORKDIR/cluster.env")"
fi
KAFKA_NODES="${KAFKA_NODES:-1}"
if [[ "$KAFKA_NODES" == 1 ]]; then
	KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
else
	KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
fi
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_NUM_PARTITIONS="${KAFKA_NUM_PARTITIONS:-3}"
CACHE_ROOT="${TAGPIPE_CACHE:-${HOME:-/tmp}/.cache/tagpipe}"
KAFKA_HOME="$CACHE_ROOT/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"

HOST=127.0.0.1
PIDFILE="$KAFKA_WORKDIR/kafka.pid"
LOGFILE="$KAFKA_WORKDIR/kafka.log"
CONFIG="$KAFKA_WORKDIR/server.properties"
DATADIR="$KAFKA_WORKDIR/data"
TLSDIR="${_KAFKA_TLSDIR:-$KAFKA_WORKDIR/tls}"
CLIENT_SASL_CONFIG="$KAFKA_WORKDIR/client-sasl.properties"
STAMP="$KAFKA_WORKDIR/format.stamp"
STATEFILE="$KAFKA_WORKDIR/broker.env"
# Set by the cluster commands for each node's own invocation of this script.
NODE_ID="${_KAFKA_NODE_ID:-1}"
VOTERS="${_KAFKA_VOTERS:-1@127.0.0.1:$KAFKA_CONTROLLER_PORT}"
REPLICATION="${_KAFKA_RF:-1}"
MIN_ISR="${_KAFKA_MIN_ISR:-1}"

log() { printf 'local.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
	command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"
}

# validate checks the settings before anything is written.
validate() {
	local p
	for p in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_SASL_PORT KAFKA_NUM_PARTITIONS KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT KAFKA_NODES KAFKA_PORT_STEP; do
		[[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
	done
	case "$KAFKA_SECURITY" in
	plaintext | sasl_ssl) ;;
	*) die "KAFKA_SECURITY must be plaintext or sasl_ssl, got '$KAFKA_SECURITY'" ;;
	esac
	# The SCRAM credentials end up inside StorageTool's --add-scram [k=v,...] syntax
	# and a properties file: keep them to characters that need no quoting there.
	[[ "$KAFKA_SCRAM_USER" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SCRAM_USER may only use A-Z a-z 0-9 . _ -"
	[[ "$KAFKA_SCRAM_PASSWORD" =~ ^[A-Za-z0-9._-]+$ ]] || die "KAFKA_SCRAM_PASSWORD may only use A-Z a-z 0-9 . _ -"
	case "$KAFKA_AUTHORIZER" in
	none | standard) ;;
	*) die "KAFKA_AUTHORIZER must be none or standard, got '$KAFKA_AUTHORIZER'" ;;
	esac
	local u
	for u in $KAFKA_EXTRA_SCRAM_USERS; do
		[[ "$u" =~ ^[A-Za-z0-9._-]+=[A-Za-z0-9._-]+$ ]] || die "KAFKA_EXTRA_SCRAM_USERS: want name=password (A-Z a-z 0-9 . _ -), got '${u%%=*}=...'"
	done
	[[ "$KAFKA_SUPER_USERS" =~ ^[A-Za-z0-9._,-]+$ ]] || die "KAFKA_SUPER_USERS: want user names separated by commas"
	((KAFKA_NODES >= 1 && KAFKA_NODES <= 9)) || die "KAFKA_NODES must be 1..9, got $KAFKA_NODES"
}

# fetch_jars downloads the broker jars once into the cache; a finished download is
# marked by libs/.complete, so an interrupted one is redone.
fetch_jars() {
	[[ -f "$LIBS/.complete" ]] && return 0
	need mvn "install Maven"
	log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
	mkdir -p "$KAFKA_HOME"
	local tmp="$KAFKA_HOME/libs.tmp.$$"
	rm -rf "$tmp"
	if ! mvn -B -Dstyle.color=never -f "$HERE/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
		dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KAFKA_HOME/mvn.log" 2>&1; then
		grep -E 'ERROR|BUILD' "$KAFKA_HOME/mvn.log" >&2 || tail -n 40 "$KAFKA_HOME/mvn.log" >&2
		rm -rf "$tmp"
		die "mvn dependency:copy-dependencies failed for Kafka $KAFKA_VERSION (full log: $KAFKA_HOME/mvn.log)"
	fi
	ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || die "kafka_2.13-$KAFKA_VERSION.jar missing after download"
	touch "$tmp/.complete"
	rm -rf "$LIBS"
	mv "$tmp" "$LIBS"
}

# build_probe compiles the readiness probe into the cache, next to the jars.
# The class goes into a directory named for the source's hash: checkouts with different
# versions of Probe.java share the jar cache without overwriting each other's probe.
PROBE_DIR="$KAFKA_HOME/probe-$(sha256sum "$HERE/Probe.java" 2>/dev/null | cut -c1-12)"
build_probe() {
	local out="$PROBE_DIR"
	if [[ ! -f "$out/Probe.class" ]]; then
		need javac "install a JDK 17+"
		local tmp="$out.tmp.$$"
		mkdir -p "$tmp"
		javac -nowarn -d "$tmp" -cp "$LIBS/*" "$HERE/Probe.java" >&2 || { rm -rf "$tmp"; die "cannot compile Probe.java"; }
		mv -T "$tmp" "$out" 2>/dev/null || rm -rf "$tmp" # another start may have won the race
	fi
}

# is_ours reports whether pid is a live kafka.Kafka JVM running this work dir's config.
is_ours() {
	local pid="$1" cmd exe
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	[[ -r "/proc/$pid/cmdline" ]] || return 1
	exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
	[[ "${exe##*/}" == java ]] || return 1
	cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
	[[ "$cmd" == *kafka.Kafka* && "$cmd" == *"$CONFIG"* ]]
}

# find_pid scans /proc for this work dir's broker (the pid file may be stale or,
# when setsid had to fork, hold the wrong pid).
find_pid() {
	local d
	for d in /proc/[0-9]*; do
		is_ours "${d#/proc/}" && { printf '%s\n' "${d#/proc/}"; return 0; }
	done
	return 1
}

running_pid() {
	local pid
	[[ -f "$PIDFILE" ]] || return 1
	pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
	is_ours "$pid" || return 1
	printf '%s\n' "$pid"
}

port_busy() {
	# bash's /dev/tcp: a successful connect means something listens there.
	(exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

# save_state records what a started broker listens on, so status/env/topics report the
# running broker's addresses whatever the caller's environment says.
save_state() {
	{
		printf 'KAFKA_PORT=%q\n' "$KAFKA_PORT"
		printf 'KAFKA_SASL_PORT=%q\n' "$KAFKA_SASL_PORT"
		printf 'KAFKA_SECURITY=%q\n' "$KAFKA_SECURITY"
		printf 'KAFKA_SCRAM_USER=%q\n' "$KAFKA_SCRAM_USER"
		printf 'KAFKA_SCRAM_PASSWORD=%q\n' "$KAFKA_SCRAM_PASSWORD"
	} >"$STATEFILE"
	chmod 600 "$STATEFILE"
}

load_state() {
	# shellcheck disable=SC1090 # written by save_state
	[[ -f "$STATEFILE" ]] && running_pid >/dev/null && source "$STATEFILE"
	return 0
}

bootstrap() { printf '%s:%s' "$HOST" "$KAFKA_PORT"; }
sasl_bootstrap() { printf '%s:%s' "$HOST" "$KAFKA_SASL_PORT"; }

# make_tls writes a throwaway CA and a broker certificate for 127.0.0.1/localhost as
# PEM files; the broker reads PEM directly (ssl.keystore.type=PEM), clients trust ca.pem.
make_tls() {
	[[ -f "$TLSDIR/ca.pem" && -f "$TLSDIR/broker.pem" ]] && return 0
	need openssl "install openssl"
	log "generating test CA and broker certificate in $TLSDIR"
	mkdir -p "$TLSDIR"
	chmod 700 "$TLSDIR"
	(
		cd "$TLSDIR"
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
			-subj "/CN=tagpipe local test CA" -keyout ca.key -out ca.pem \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
			-keyout broker.key.pem -out broker.csr 2>/dev/null
		printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
			"basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
			"extendedKeyUsage=serverAuth" >broker.ext
		openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 3650 -sha256 -extfile broker.ext -out broker.crt 2>/dev/null
		# Kafka's PEM keystore wants a PKCS#8 key followed by the certificate chain.
		openssl pkcs8 -topk8 -nocrypt -in broker.key.pem -out broker.key 2>/dev/null
		cat broker.key broker.crt ca.pem >broker.pem
		rm -f broker.csr broker.ext broker.key.pem ca.srl
		chmod 600 ca.key broker.key broker.pem
	) || die "openssl failed to make the test certificates"
}

write_config() {
	mkdir -p "$KAFKA_WORKDIR" "$DATADIR"
	local listeners="PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT"
	local advertised="PLAINTEXT://$HOST:$KAFKA_PORT"
	local protomap="PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
	if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
		listeners+=",SASL_SSL://$HOST:$KAFKA_SASL_PORT"
		advertised+=",SASL_SSL://$HOST:$KAFKA_SASL_PORT"
		protomap+=",SASL_SSL:SASL_SSL"
	fi
	cat >"$CONFIG" <<EOF
# Written by deploy/kafka/local.sh on every start; edits are overwritten.
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$VOTERS
controller.listener.names=CONTROLLER
listeners=$listeners
advertised.listeners=$advertised
listener.security.protocol.map=$protomap
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATADIR
num.partitions=$KAFKA_NUM_PARTITIONS
default.replication.factor=$REPLICATION
min.insync.replicas=$MIN_ISR
offsets.topic.replication.factor=$REPLICATION
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$REPLICATION
transaction.state.log.min.isr=$MIN_ISR
share.coordinator.state.topic.replication.factor=$REPLICATION
share.coordinator.state.topic.min.isr=$MIN_ISR
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
	if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
		cat >>"$CONFIG" <<EOF
# SASL_SSL listener: TLS with the test CA in $TLSDIR, SCRAM-SHA-512 users from the
# metadata log (created at format time with StorageTool --add-scram).
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$TLSDIR/broker.pem
listener.name.sasl_ssl.ssl.truststore.type=PEM
listener.name.sasl_ssl.ssl.truststore.location=$TLSDIR/ca.pem
listener.name.sasl_ssl.ssl.client.auth=none
EOF
		cat >"$CLIENT_SASL_CONFIG" <<EOF
# Java client settings for the SASL_SSL listener $(sasl_bootstrap) (written by local.sh).
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_SCRAM_USER" password="$KAFKA_SCRAM_PASSWORD";
ssl.truststore.type=PEM
ssl.truststore.location=$TLSDIR/ca.pem
EOF
		chmod 600 "$CLIENT_SASL_CONFIG"
	fi
	if [[ "$KAFKA_AUTHORIZER" == standard ]]; then
		local supers="" u
		for u in ${KAFKA_SUPER_USERS//,/ }; do supers+="User:$u;"; done
		cat >>"$CONFIG" <<EOF
# KRaft's StandardAuthorizer: a request no ACL allows is refused. The PLAINTEXT and
# CONTROLLER listeners on $HOST carry the nodes' own traffic (principal User:ANONYMOUS),
# so ANONYMOUS is a super user: clients are only held to ACLs on SASL_SSL.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=${supers}User:ANONYMOUS
EOF
	fi
	cat >"$KAFKA_WORKDIR/log4j2.properties" <<'EOF'
# Broker logging for local.sh: INFO to stdout (redirected to kafka.log).
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.kclients.name = org.apache.kafka.clients
logger.kclients.level = WARN
EOF
	cat >"$KAFKA_WORKDIR/tools-log4j2.properties" <<'EOF'
# Logging for local.sh's tool and probe JVMs: warnings and errors only.
status = error
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m (%c)%n
rootLogger.level = ERROR
rootLogger.appenderRef.err.ref = STDERR
EOF
}

# format_storage formats the data dir once. The SCRAM user is always added, so the
# SASL_SSL listener can be switched on and off without losing data; the data dir is
# wiped and reformatted only when what is baked into it changes (controller port,
# SCRAM user or password).
format_storage() {
	local want have=""
	# The stamp of a plain single node is what it always was, so existing work dirs keep their data.
	want="controller=$KAFKA_CONTROLLER_PORT scram=$(printf '%s:%s' "$KAFKA_SCRAM_USER" "$KAFKA_SCRAM_PASSWORD" | sha256sum | cut -c1-16)"
	[[ -z "$KAFKA_EXTRA_SCRAM_USERS" ]] || want+=" users=$(printf '%s' "$KAFKA_EXTRA_SCRAM_USERS" | sha256sum | cut -c1-16)"
	[[ "$VOTERS" == "1@$HOST:$KAFKA_CONTROLLER_PORT" ]] || want+=" voters=$VOTERS"
	[[ -f "$STAMP" ]] && have="$(cat "$STAMP")"
	if [[ -f "$DATADIR/meta.properties" && "$have" == "$want" ]]; then
		return 0
	fi
	if [[ -f "$DATADIR/meta.properties" ]]; then
		log "settings changed ($have -> $want): wiping $DATADIR and reformatting"
	fi
	rm -rf "$DATADIR"
	mkdir -p "$DATADIR"
	local cluster_id
	cluster_id="${_KAFKA_CLUSTER_ID:-$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')}"
	local args=(format -t "$cluster_id" -c "$CONFIG"
		--add-scram "SCRAM-SHA-512=[name=$KAFKA_SCRAM_USER,password=$KAFKA_SCRAM_PASSWORD]")
	local u
	for u in $KAFKA_EXTRA_SCRAM_USERS; do
		args+=(--add-scram "SCRAM-SHA-512=[name=${u%%=*},password=${u#*=}]")
	done
	if ! java -Dlog4j2.configurationFile="$KAFKA_WORKDIR/tools-log4j2.properties" \
		-cp "$LIBS/*" kafka.tools.StorageTool "${args[@]}" >"$KAFKA_WORKDIR/format.log" 2>&1; then
		cat "$KAFKA_WORKDIR/format.log" >&2
		die "kafka.tools.StorageTool format failed"
	fi
	printf '%s\n' "$want" >"$STAMP"
}

log_tail() {
	if [[ -f "$LOGFILE" ]]; then
		log "last ${1:-40} lines of $LOGFILE:"
		tail -n "${1:-40}" "$LOGFILE" >&2
	fi
}

probe() {
	# probe TIMEOUT BOOTSTRAP[=client.properties]...
	java -Dprobe.brokers="${PROBE_BROKERS:-1}" -Dlog4j2.configurationFile="$KAFKA_WORKDIR/tools-log4j2.properties" \
		-cp "$PROBE_DIR:$LIBS/*" Probe "$@"
}

cmd_start() {
	validate
	local pid
	if pid="$(running_pid)"; then
		log "already running (pid $pid)"
		local want="$KAFKA_SECURITY"
		load_state
		[[ "$want" == sasl_ssl && "$KAFKA_SECURITY" != sasl_ssl ]] &&
			log "warning: running without the SASL_SSL listener; run '$0 restart' with KAFKA_SECURITY=sasl_ssl"
		bootstrap
		echo
		return 0
	fi
	need java "install a JDK 17+"
	local p
	for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
		port_busy "$p" && die "port $p on $HOST is already in use by another process (set KAFKA_PORT/KAFKA_CONTROLLER_PORT/KAFKA_WORKDIR for a second broker)"
	done
	if [[ "$KAFKA_SECURITY" == sasl_ssl ]] && port_busy "$KAFKA_SASL_PORT"; then
		die "port $KAFKA_SASL_PORT on $HOST is already in use (KAFKA_SASL_PORT)"
	fi
	fetch_jars
	build_probe
	rm -f "$CLIENT_SASL_CONFIG" "$STATEFILE"
	[[ "$KAFKA_SECURITY" == sasl_ssl ]] && make_tls
	write_config
	format_storage
	save_state

	local t0=$SECONDS
	log "starting Kafka $KAFKA_VERSION ($KAFKA_SECURITY) in $KAFKA_WORKDIR"
	: >"$LOGFILE"
	# setsid: the broker outlives this script and is not hit by the caller's Ctrl-C;
	# it is stopped only through `local.sh stop`.
	# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags.
	setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
		-Djava.awt.headless=true -Dkafka.logs.dir="$KAFKA_WORKDIR" \
		-Dlog4j2.configurationFile="$KAFKA_WORKDIR/log4j2.properties" \
		-cp "$LIBS/*" kafka.Kafka "$CONFIG" >>"$LOGFILE" 2>&1 </dev/null &
	pid=$!
	local i
	for ((i = 0; i < 50; i++)); do
		is_ours "$pid" && break
		pid="$(find_pid)" && break
		pid=$!
		sleep 0.1
	done
	is_ours "$pid" || { log_tail 60; die "broker process did not start (log: $LOGFILE)"; }
	printf '%s\n' "$pid" >"$PIDFILE"
	# A cluster node cannot answer before a quorum of its peers runs: the cluster start waits.
	[[ -n "${_KAFKA_NO_WAIT:-}" ]] && { log "node $NODE_ID launched (pid $pid)"; return 0; }

	# The probe JVM starts alongside the broker and retries until the broker answers a
	# real metadata request (and, with sasl_ssl, authenticates over the SASL_SSL listener).
	local targets=("$(bootstrap)") prc=0 probe_pid
	[[ "$KAFKA_SECURITY" == sasl_ssl ]] && targets+=("$(sasl_bootstrap)=$CLIENT_SASL_CONFIG")
	probe "$KAFKA_START_TIMEOUT" "${targets[@]}" >&2 &
	probe_pid=$!
	while kill -0 "$probe_pid" 2>/dev/null; do
		if ! is_ours "$pid"; then
			kill "$probe_pid" 2>/dev/null || true
			wait "$probe_pid" 2>/dev/null || true
			rm -f "$PIDFILE"
			log_tail 60
			die "broker exited during startup (log: $LOGFILE)"
		fi
		sleep 0.2
	done
	wait "$probe_pid" || prc=$?
	if ((prc != 0)); then
		log_tail 60
		cmd_stop >/dev/null 2>&1 || true
		case "$prc" in
		3) die "SASL_SSL listener $(sasl_bootstrap) rejected user $KAFKA_SCRAM_USER" ;;
		*) die "broker did not answer metadata requests within ${KAFKA_START_TIMEOUT}s (log: $LOGFILE)" ;;
		esac
	fi
	[[ "$KAFKA_SECURITY" == sasl_ssl ]] &&
		log "SASL_SSL (SCRAM-SHA-512) on $(sasl_bootstrap), user $KAFKA_SCRAM_USER, CA $TLSDIR/ca.pem"
	log "ready in $((SECONDS - t0))s (pid $pid, log $LOGFILE)"
	bootstrap
	echo
}

cmd_stop() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "$PIDFILE"
		log "not running"
		return 0
	fi
	log "stopping pid $pid"
	kill -TERM "$pid" 2>/dev/null || true
	local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
	while is_ours "$pid"; do
		if ((SECONDS >= deadline)); then
			log "pid $pid still alive after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
			break
		fi
		sleep 0.2
	done
	rm -f "$PIDFILE"
	log "stopped"
}

cmd_status() {
	local pid
	if pid="$(running_pid)"; then
		load_state
		printf 'running pid %s bootstrap %s' "$pid" "$(bootstrap)"
		[[ "$KAFKA_SECURITY" == sasl_ssl ]] && printf ' sasl_ssl %s ca %s' "$(sasl_bootstrap)" "$TLSDIR/ca.pem"
		echo
		return 0
	fi
	echo "not running"
	return 1
}

# cmd_env prints shell exports for the test suite (eval "$(local.sh env)").
cmd_env() {
	load_state
	printf 'export TAGPIPE_KAFKA_BROKERS=%q\n' "$(bootstrap)"
	if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
		printf 'export TAGPIPE_KAFKA_SASL_BROKERS=%q\n' "$(sasl_bootstrap)"
		printf 'export TAGPIPE_KAFKA_CA=%q\n' "$TLSDIR/ca.pem"
		printf 'export TAGPIPE_KAFKA_SCRAM_MECHANISM=SCRAM-SHA-512\n'
		printf 'export TAGPIPE_KAFKA_SCRAM_USER=%q\n' "$KAFKA_SCRAM_USER"
		printf 'export TAGPIPE_KAFKA_SCRAM_PASSWORD=%q\n' "$KAFKA_SCRAM_PASSWORD"
	fi
}

# tool CLASS ARGS... runs a Kafka command-line tool against the running broker (or node 1).
tool() {
	local class="$1"
	shift
	if ((KAFKA_NODES > 1)); then
		node_env 1
		(export "${NODE_ENV[@]}" && bash "$HERE/local.sh" "__tool" "$class" "$@")
		return
	fi
	running_pid >/dev/null || die "broker not running (run '$0 start')"
	load_state
	java -Dlog4j2.configurationFile="$KAFKA_WORKDIR/tools-log4j2.properties" \
		-cp "$LIBS/*" "$class" --bootstrap-server "$(bootstrap)" "$@"
}

cmd_topics() { tool org.apache.kafka.tools.TopicCommand "$@"; }

# --- clusters (KAFKA_NODES > 1): each node is this script run for one node's work dir ---

CLUSTER_ROOT="$KAFKA_WORKDIR"

node_port() { printf '%s' $(($1 + ($2 - 1) * KAFKA_PORT_STEP)); }

# node_env I sets NODE_ENV to the environment of node I's own invocation of this script.
node_env() {
	local i="$1" voters="" j rf="$KAFKA_NODES" isr=1
	for ((j = 1; j <= KAFKA_NODES; j++)); do
		voters+="${voters:+,}$j@$HOST:$(node_port "$KAFKA_CONTROLLER_PORT" "$j")"
	done
	((rf > 3)) && rf=3
	((rf >= 3)) && isr=2
	NODE_ENV=(KAFKA_NODES=1 _KAFKA_NODE_ID="$i" _KAFKA_VOTERS="$voters" _KAFKA_RF="$rf" _KAFKA_MIN_ISR="$isr"
		_KAFKA_TLSDIR="$CLUSTER_ROOT/tls" KAFKA_WORKDIR="$CLUSTER_ROOT/node$i"
		KAFKA_PORT="$(node_port "$KAFKA_PORT" "$i")" KAFKA_CONTROLLER_PORT="$(node_port "$KAFKA_CONTROLLER_PORT" "$i")"
		KAFKA_SASL_PORT="$(node_port "$KAFKA_SASL_PORT" "$i")" KAFKA_HEAP_OPTS="$KAFKA_HEAP_OPTS"
		KAFKA_SECURITY="$KAFKA_SECURITY" KAFKA_SCRAM_USER="$KAFKA_SCRAM_USER" KAFKA_SCRAM_PASSWORD="$KAFKA_SCRAM_PASSWORD"
		KAFKA_AUTHORIZER="$KAFKA_AUTHORIZER" KAFKA_SUPER_USERS="$KAFKA_SUPER_USERS"
		KAFKA_EXTRA_SCRAM_USERS="$KAFKA_EXTRA_SCRAM_USERS" KAFKA_NUM_PARTITIONS="$KAFKA_NUM_PARTITIONS")
	[[ -f "$CLUSTER_ROOT/cluster.id" ]] && NODE_ENV+=(_KAFKA_CLUSTER_ID="$(cat "$CLUSTER_ROOT/cluster.id")")
	return 0
}

# on_node I ACTION runs this script's ACTION for node I.
on_node() {
	local i="$1"
	shift
	[[ "$i" =~ ^[0-9]+$ ]] && ((i >= 1 && i <= KAFKA_NODES)) || die "node must be 1..$KAFKA_NODES, got '$i'"
	node_env "$i"
	(export "${NODE_ENV[@]}" && bash "$HERE/local.sh" "$@")
}

# cluster_load reads the running cluster's settings, as load_state does for one broker.
cluster_load() {
	# shellcheck disable=SC1091 # written by cluster_start
	[[ -f "$CLUSTER_ROOT/cluster.env" ]] && source "$CLUSTER_ROOT/cluster.env"
	return 0
}

cluster_list() {
	local which="$1" i out=""
	for ((i = 1; i <= KAFKA_NODES; i++)); do
		out+="${out:+,}$HOST:$(node_port "$which" "$i")"
	done
	printf '%s' "$out"
}

cluster_start() {
	validate
	if cluster_status >/dev/null 2>&1; then
		log "cluster already running"
		cluster_load
		cluster_list "$KAFKA_PORT"
		echo
		return 0
	fi
	need java "install a JDK 17+"
	fetch_jars
	build_probe
	mkdir -p "$CLUSTER_ROOT"
	[[ -f "$CLUSTER_ROOT/cluster.id" ]] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$CLUSTER_ROOT/cluster.id"
	{
		printf 'KAFKA_NODES=%q\n' "$KAFKA_NODES"
		printf 'KAFKA_PORT=%q\n' "$KAFKA_PORT"
		printf 'KAFKA_CONTROLLER_PORT=%q\n' "$KAFKA_CONTROLLER_PORT"
		printf 'KAFKA_SASL_PORT=%q\n' "$KAFKA_SASL_PORT"
		printf 'KAFKA_PORT_STEP=%q\n' "$KAFKA_PORT_STEP"
		printf 'KAFKA_SECURITY=%q\n' "$KAFKA_SECURITY"
		printf 'KAFKA_SCRAM_USER=%q\n' "$KAFKA_SCRAM_USER"
		printf 'KAFKA_SCRAM_PASSWORD=%q\n' "$KAFKA_SCRAM_PASSWORD"
		printf 'KAFKA_AUTHORIZER=%q\n' "$KAFKA_AUTHORIZER"
		printf 'KAFKA_SUPER_USERS=%q\n' "$KAFKA_SUPER_USERS"
		printf 'KAFKA_EXTRA_SCRAM_USERS=%q\n' "$KAFKA_EXTRA_SCRAM_USERS"
		printf 'KAFKA_NUM_PARTITIONS=%q\n' "$KAFKA_NUM_PARTITIONS"
		printf 'KAFKA_HEAP_OPTS=%q\n' "$KAFKA_HEAP_OPTS"
	} >"$CLUSTER_ROOT/cluster.env"
	chmod 600 "$CLUSTER_ROOT/cluster.env"
	local t0=$SECONDS i
	log "starting a $KAFKA_NODES-node Kafka $KAFKA_VERSION cluster ($KAFKA_SECURITY) in $CLUSTER_ROOT"
	for ((i = 1; i <= KAFKA_NODES; i++)); do
		node_env "$i"
		(export "${NODE_ENV[@]}" _KAFKA_NO_WAIT=1 && bash "$HERE/local.sh" start >/dev/null) || {
			cluster_stop >/dev/null 2>&1 || true
			die "node $i did not start"
		}
	done
	local targets=("$(cluster_list "$KAFKA_PORT")") prc=0
	[[ "$KAFKA_SECURITY" == sasl_ssl ]] &&
		targets+=("$(cluster_list "$KAFKA_SASL_PORT")=$CLUSTER_ROOT/node1/client-sasl.properties")
	KAFKA_WORKDIR="$CLUSTER_ROOT/node1" PROBE_BROKERS="$KAFKA_NODES" probe "$KAFKA_START_TIMEOUT" "${targets[@]}" >&2 &
	local probe_pid=$! dead=""
	# A node that exits (a port taken meanwhile, a bad config) fails the start at once, not at the timeout.
	while kill -0 "$probe_pid" 2>/dev/null; do
		for ((i = 1; i <= KAFKA_NODES; i++)); do
			local npid
			npid="$(cat "$CLUSTER_ROOT/node$i/kafka.pid" 2>/dev/null)" || npid=""
			[[ -n "$npid" && -d "/proc/$npid" ]] || dead="$i"
		done
		if [[ -n "$dead" ]]; then
			kill "$probe_pid" 2>/dev/null || true
			break
		fi
		sleep 1
	done
	wait "$probe_pid" || prc=$?
	[[ -n "$dead" ]] && { log "node $dead exited during startup"; prc=1; }
	if ((prc != 0)); then
		for ((i = 1; i <= KAFKA_NODES; i++)); do
			log "node $i:"
			tail -n 20 "$CLUSTER_ROOT/node$i/kafka.log" >&2 || true
		done
		cluster_stop >/dev/null 2>&1 || true
		die "the cluster did not register $KAFKA_NODES brokers within ${KAFKA_START_TIMEOUT}s"
	fi
	log "cluster of $KAFKA_NODES ready in $((SECONDS - t0))s (logs $CLUSTER_ROOT/node*/kafka.log)"
	cluster_list "$KAFKA_PORT"
	echo
}

cluster_stop() {
	cluster_load
	local i pids=()
	# In parallel: a node stopped last would wait for a controller quorum that is gone.
	for ((i = 1; i <= KAFKA_NODES; i++)); do
		on_node "$i" stop &
		pids+=($!)
	done
	local rc=0
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	return "$rc"
}

cluster_status() {
	cluster_load
	local i rc=0 line
	for ((i = 1; i <= KAFKA_NODES; i++)); do
		line="$(on_node "$i" status 2>/dev/null)" || rc=1
		printf 'node %s: %s\n' "$i" "$line"
	done
	return "$rc"
}

cluster_env() {
	cluster_load
	printf 'export TAGPIPE_KAFKA_BROKERS=%q\n' "$(cluster_list "$KAFKA_PORT")"
	if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
		printf 'export TAGPIPE_KAFKA_SASL_BROKERS=%q\n' "$(cluster_list "$KAFKA_SASL_PORT")"
		printf 'export TAGPIPE_KAFKA_CA=%q\n' "$CLUSTER_ROOT/tls/ca.pem"
		printf 'export TAGPIPE_KAFKA_SCRAM_MECHANISM=SCRAM-SHA-512\n'
		printf 'export TAGPIPE_KAFKA_SCRAM_USER=%q\n' "$KAFKA_SCRAM_USER"
		printf 'export TAGPIPE_KAFKA_SCRAM_PASSWORD=%q\n' "$KAFKA_SCRAM_PASSWORD"
	fi
}

cmd_kill() {
	local pid
	pid="$(running_pid)" || { log "not running"; return 0; }
	kill -KILL "$pid"
	while is_ours "$pid"; do sleep 0.05; done
	rm -f "$PIDFILE"
	log "killed pid $pid (SIGKILL)"
}

cmd_reset() {
	cmd_stop
	[[ -d "$KAFKA_WORKDIR" ]] || return 0
	# Only delete what looks like a local.sh work dir.
	[[ -f "$KAFKA_WORKDIR/server.properties" || -d "$KAFKA_WORKDIR/data" ]] || die "$KAFKA_WORKDIR does not look like a local.sh work dir; not deleting"
	rm -rf "$KAFKA_WORKDIR"
	log "removed $KAFKA_WORKDIR"
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

if ((KAFKA_NODES > 1)); then
	case "${1:-}" in
	start) cluster_start ;;
	stop) cluster_stop ;;
	status) cluster_status ;;
	restart) cluster_load && cluster_stop && cluster_start ;;
	env) cluster_env ;;
	start-node | stop-node | kill-node | pid)
		action="${1%-node}"
		[[ "$action" == kill ]] && action=__kill
		[[ "$action" == pid ]] && action=__pid
		cluster_load
		on_node "${2:-}" "$action"
		;;
	topics) shift && cmd_topics "$@" ;;
	acls) shift && tool org.apache.kafka.tools.AclCommand "$@" ;;
	configs) shift && tool kafka.admin.ConfigCommand "$@" ;;
	logs) tail -n "${3:-50}" "$CLUSTER_ROOT/node${2:-1}/kafka.log" ;;
	reset)
		cluster_stop
		[[ -f "$CLUSTER_ROOT/cluster.env" ]] || die "$CLUSTER_ROOT does not look like a local.sh cluster work dir; not deleting"
		rm -rf "$CLUSTER_ROOT"
		log "removed $CLUSTER_ROOT"
		;;
	-h | --help | help) usage ;;
	*) usage >&2 && exit 2 ;;
	esac
	exit
fi

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
restart)
	# Same settings as the running broker (stop, then start, to change them).
	load_state
	cmd_stop && cmd_start
	;;
env) cmd_env ;;
topics) shift && cmd_topics "$@" ;;
acls) shift && tool org.apache.kafka.tools.AclCommand "$@" ;;
configs) shift && tool kafka.admin.ConfigCommand "$@" ;;
__tool) shift && tool "$@" ;;
__kill) cmd_kill ;;
__pid) running_pid ;;
logs) tail -n "${2:-50}" "$LOGFILE" ;;
reset) cmd_reset ;;
-h | --help | help) usage ;;
*) usage >&2 && exit 2 ;;
esac
