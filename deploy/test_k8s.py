"""deploy/k8s, validated offline: `kustomize build` renders it, every built-in kind validates against the
Kubernetes JSON schemas shipped by kubernetes-validate (strict: unknown fields are errors), and the KEDA
ScaledObject, which those schemas do not cover, is checked field by field against KEDA's kafka scaler.

kustomize and kubernetes-validate are installed by deploy/setup.sh; without them the tests skip, except in CI
(CI=true), where they fail."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

yaml = pytest.importorskip("yaml")

DEPLOY = pathlib.Path(__file__).resolve().parent
REPO = DEPLOY.parent
K8S_VERSION = "1.33.0"


def _need(what, ok):
    if not ok:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing in CI (deploy/setup.sh installs it)")
        pytest.skip(f"{what} not installed (bash deploy/setup.sh)")


def _kustomize():
    exe = shutil.which("kustomize")
    if exe is None:
        gopath = subprocess.run(["go", "env", "GOPATH"], capture_output=True, text=True).stdout.strip()
        cand = pathlib.Path(gopath or "~/go").expanduser() / "bin" / "kustomize"
        exe = str(cand) if cand.exists() else None
    _need("kustomize", exe)
    return exe


@pytest.fixture(scope="module")
def built():
    out = subprocess.run(
        [_kustomize(), "build", "--load-restrictor", "LoadRestrictionsNone", str(DEPLOY / "k8s")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, f"kustomize build failed:\n{out.stderr}"
    docs = [d for d in yaml.safe_load_all(out.stdout) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def test_kustomize_builds_every_resource(built):
    assert set(built) == {
        ("ConfigMap", "tagpipe-rules"),
        ("Deployment", "tagpipe"),
        ("Service", "tagpipe-metrics"),
        ("PodDisruptionBudget", "tagpipe"),
        ("ScaledObject", "tagpipe"),
    }
    for d in built.values():
        assert d["metadata"]["labels"]["app.kubernetes.io/part-of"] == "tagpipe"


def test_builtin_kinds_validate_against_the_kubernetes_schemas(built):
    try:
        import kubernetes_validate
    except ImportError:
        kubernetes_validate = None
    _need("kubernetes-validate", kubernetes_validate)
    checked = 0
    for (kind, name), doc in built.items():
        if doc["apiVersion"].startswith("keda.sh/"):
            continue
        # Raises ValidationError (with the path of the bad field) on failure; offline: schemas ship in the wheel.
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        checked += 1
    assert checked == 4


def test_validation_catches_a_bad_field(built):
    """The schema check is not a no-op: a misspelt field and a wrong type are refused."""
    try:
        import kubernetes_validate
    except ImportError:
        kubernetes_validate = None
    _need("kubernetes-validate", kubernetes_validate)
    import copy

    dep = copy.deepcopy(built[("Deployment", "tagpipe")])
    dep["spec"]["template"]["spec"]["terminationGracePeriodSecond"] = 45
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(dep, K8S_VERSION, strict=True)
    pdb = copy.deepcopy(built[("PodDisruptionBudget", "tagpipe")])
    pdb["spec"]["selector"] = "app=tagpipe"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pdb, K8S_VERSION, strict=True)


def _container(built):
    (c,) = built[("Deployment", "tagpipe")]["spec"]["template"]["spec"]["containers"]
    return c, {e["name"]: e.get("value") for e in c["env"]}


def _seconds(go_duration):
    m = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", go_duration)
    assert m and go_duration, go_duration
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def test_rules_configmap_is_the_pack_mounted_where_rules_reads_it(built):
    cm = built[("ConfigMap", "tagpipe-rules")]
    pack = sorted(p.name for p in (REPO / "rules" / "pack").glob("*.yaml"))
    assert sorted(cm["data"]) == pack, "kustomization.yaml's configMapGenerator must list every rules/pack file"
    for name in pack:
        assert cm["data"][name] == (REPO / "rules" / "pack" / name).read_text(encoding="utf-8")
    c, env = _container(built)
    pod = built[("Deployment", "tagpipe")]["spec"]["template"]["spec"]
    vols = {v["name"]: v for v in pod["volumes"]}
    mount = next(m for m in c["volumeMounts"] if vols[m["name"]].get("configMap", {}).get("name") == "tagpipe-rules")
    assert env["TAGPIPE_RULES"] == mount["mountPath"]
    assert "subPath" not in mount, "a subPath mount never sees ConfigMap updates"
    assert mount["readOnly"] is True


def test_grace_period_outlasts_the_shutdown_timeout(built):
    _, env = _container(built)
    pod = built[("Deployment", "tagpipe")]["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > _seconds(env["TAGPIPE_SHUTDOWN_TIMEOUT"]) + 5


def test_non_root_read_only_with_resources_and_probes(built):
    c, _ = _container(built)
    pod = built[("Deployment", "tagpipe")]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind])
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_pdb_selects_the_pods_and_allows_a_drain_at_one_replica(built):
    pdb = built[("PodDisruptionBudget", "tagpipe")]
    labels = built[("Deployment", "tagpipe")]["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert "minAvailable" not in pdb["spec"] and pdb["spec"]["maxUnavailable"] == 1


# The kafka scaler's metadata keys (KEDA 2.x docs, scalers/apache-kafka) and ScaledObject spec fields.
KEDA_KAFKA_KEYS = {
    "bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
    "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag",
    "partitionLimitation", "version", "sasl", "tls", "unsafeSsl", "ensureEvenDistributionOfPartitions",
}
KEDA_SPEC_KEYS = {
    "scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount",
    "minReplicaCount", "maxReplicaCount", "fallback", "advanced", "triggers",
}


def test_keda_scaledobject_fields(built):
    so = built[("ScaledObject", "tagpipe")]
    dep = built[("Deployment", "tagpipe")]
    _, env = _container(built)
    assert so["apiVersion"] == "keda.sh/v1alpha1"
    spec = so["spec"]
    assert set(spec) <= KEDA_SPEC_KEYS, set(spec) - KEDA_SPEC_KEYS
    ref = spec["scaleTargetRef"]
    assert (ref.get("apiVersion", "apps/v1"), ref.get("kind", "Deployment"), ref["name"]) == (
        "apps/v1", "Deployment", dep["metadata"]["name"])
    assert "replicas" not in dep["spec"], "KEDA owns the replica count; a fixed one fights the HPA on every apply"
    # No more instances than input partitions: extra group members get no partition.
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] == int(env["TAGPIPE_PARTITIONS"])
    (trig,) = spec["triggers"]
    assert trig["type"] == "kafka"
    md = trig["metadata"]
    assert set(md) <= KEDA_KAFKA_KEYS, set(md) - KEDA_KAFKA_KEYS
    assert md["topic"] == env["TAGPIPE_IN"]
    assert md["consumerGroup"] == env["TAGPIPE_GROUP"]
    assert md["bootstrapServers"] == env["TAGPIPE_BROKERS"]
    for k in ("lagThreshold", "activationLagThreshold"):
        assert isinstance(md[k], str) and int(md[k]) > 0, f"{k} must be a quoted positive integer"
    assert md["offsetResetPolicy"] in ("earliest", "latest")
    for k in ("allowIdleConsumers", "excludePersistentLag"):
        assert md[k] in ("true", "false")
    assert md["allowIdleConsumers"] == "false", "idle consumers would scale past the partitions"
    down = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
    assert down["stabilizationWindowSeconds"] >= 60


def test_keda_check_catches_a_bad_scaledobject(built):
    """The KEDA field check is not a no-op: more replicas than partitions and an unknown key fail it."""
    import copy

    bad = dict(built)
    so = copy.deepcopy(built[("ScaledObject", "tagpipe")])
    so["spec"]["maxReplicaCount"] = 12
    so["spec"]["triggers"][0]["metadata"]["lagTreshold"] = "10"
    bad[("ScaledObject", "tagpipe")] = so
    with pytest.raises(AssertionError):
        test_keda_scaledobject_fields(bad)
