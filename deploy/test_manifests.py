"""Static checks of the deployment files that cannot run here (no Docker, no cluster):
they parse, and they agree with what tagpipe serves and with each other."""

import pathlib

import pytest

yaml = pytest.importorskip("yaml")

DEPLOY = pathlib.Path(__file__).resolve().parent


def _docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def _one(name):
    docs = _docs(DEPLOY / "k8s" / name)
    assert len(docs) == 1, f"{name}: want one document, got {len(docs)}"
    return docs[0]


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(DEPLOY)) for p in DEPLOY.rglob("*.yaml") if ".work" not in p.parts)
)
def test_yaml_parses(path):
    assert _docs(DEPLOY / path), f"{path} is empty"


def _container():
    dep = _one("deployment.yaml")
    assert dep["kind"] == "Deployment"
    (c,) = dep["spec"]["template"]["spec"]["containers"]
    return dep, c


def test_deployment_probes_and_port():
    _, c = _container()
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    assert ports == {"http": 9464}
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {e["name"]: e.get("value") for e in c["env"]}
    assert env["TAGPIPE_HTTP"].endswith(":9464")
    assert "TAGPIPE_BROKERS" in env
    assert c["args"][0] == "run"


def test_deployment_rules_volume():
    dep, c = _container()
    env = {e["name"]: e.get("value") for e in c["env"]}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    assert env["TAGPIPE_RULES"] == mounts["rules"]
    vols = {v["name"]: v for v in dep["spec"]["template"]["spec"]["volumes"]}
    assert vols["rules"]["configMap"]["name"] == "tagpipe-rules"


def test_deployment_hardening_and_resources():
    dep, c = _container()
    pod = dep["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    assert c["securityContext"]["allowPrivilegeEscalation"] is False
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind])


def test_http_token_comes_from_the_secret_and_probes_need_none():
    _, c = _container()
    secret = _one("secret.example.yaml")
    token = secret["stringData"]["http-token"]
    secret_ref = next(e for e in c["env"] if e["name"] == "TAGPIPE_HTTP_TOKEN")["valueFrom"]["secretKeyRef"]
    assert secret_ref == {"name": secret["metadata"]["name"], "key": "http-token"}
    assert token
    probes = {"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"}
    for probe, path in probes.items():
        assert c[probe]["httpGet"]["path"] == path, probe
        assert "httpHeaders" not in c[probe]["httpGet"], probe


def test_service_selects_deployment_pods():
    dep, _ = _container()
    svc = _one("service.yaml")
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items()
    assert svc["spec"]["ports"][0]["targetPort"] == "http"


def test_kustomization_lists_existing_files():
    k = _one("kustomization.yaml")
    for res in k["resources"]:
        assert (DEPLOY / "k8s" / res).is_file(), res


def test_compose_kafka_and_tagpipe():
    compose = _docs(DEPLOY / "compose.yaml")[0]
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:4.")
    env = kafka["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    internal = next(l for l in env["KAFKA_ADVERTISED_LISTENERS"].split(",") if l.startswith("INTERNAL://"))
    tp = compose["services"]["tagpipe"]
    assert tp["environment"]["TAGPIPE_BROKERS"] == internal.removeprefix("INTERNAL://")
    assert tp["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (DEPLOY.parent / tp["build"]["dockerfile"]).is_file()
    assert tp["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_dockerfile_static_nonroot():
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "CGO_ENABLED=0" in text
    assert "./cmd/tagpipe" in text
    final = text[text.rindex("\nFROM ") :]
    assert "USER 65532" in final
    assert "EXPOSE 9464" in final
