"""Checks deploy/k8s and helm/tessera; run through scripts/check-deploy.

Besides schema validity and hardening: /metrics is reachable only through the management port
(a ClusterIP Service of its own, scraped by the ServiceMonitor, never routed by the Ingress), and
the chart refuses an Ingress without trusted proxies unless told to accept it."""

import json
import os
import subprocess
import sys
import tempfile

import jsonschema
import yaml
from helm_python import lint
from helm_python.chart import Chart

K8S_VERSION = "1.31.0"
CHART = "helm/tessera"
failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL {what}", file=sys.stderr)


def validate(objects, source):
    """Validates Kubernetes objects against the API schemas (CRDs checked for shape only)."""
    builtin = [o for o in objects if o.get("apiVersion") != "monitoring.coreos.com/v1"]
    for o in objects:
        if o not in builtin:
            endpoint = o["spec"]["endpoints"][0]
            check(o.get("kind") == "ServiceMonitor" and endpoint["path"] == "/metrics"
                  and endpoint["port"] == "metrics", f"{source}: ServiceMonitor scrapes the metrics port")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump_all(builtin, f)
    result = subprocess.run(["kubernetes-validate", "-k", K8S_VERSION, "--strict", f.name],
                            capture_output=True, text=True, env={**os.environ, "PATH": os.path.dirname(sys.executable) + ":" + os.environ["PATH"]})
    os.unlink(f.name)
    check(result.returncode == 0, f"{source}: schema validation\n{result.stdout}{result.stderr}")


def by_kind(objects):
    return {o["kind"]: o for o in objects}


def hardened(deployment, source):
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    sc = container["securityContext"]
    check(pod["securityContext"]["runAsNonRoot"] is True, f"{source}: runs as non-root")
    check(sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False,
          f"{source}: read-only root, no privilege escalation")
    check(container["readinessProbe"]["httpGet"]["path"] == "/health/ready", f"{source}: readiness")
    check(container["livenessProbe"]["httpGet"]["path"] == "/health/live", f"{source}: liveness")
    env = {e["name"]: e for e in container["env"]}
    for secret in ["TESSERA_SECRETS__MASTER_KEY", "TESSERA_DATABASE__URL", "TESSERA_REDIS__URL"]:
        check("secretKeyRef" in env.get(secret, {}).get("valueFrom", {}),
              f"{source}: {secret} comes from a Secret")
    check("resources" in container and "limits" in container["resources"], f"{source}: resources")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports == {"http": 8080, "metrics": 9090}, f"{source}: container ports {ports}")
    check(env.get("TESSERA_HTTP__BIND", {}).get("value") == "0.0.0.0:8080"
          and env.get("TESSERA_HTTP__MANAGEMENT_BIND", {}).get("value") == "0.0.0.0:9090",
          f"{source}: public and management listeners on their ports")


def metrics_kept_inside(objects, source):
    """The metrics port is only in a ClusterIP Service of its own, which the Ingress never routes
    and which the ServiceMonitor (if any) selects; the public Service has no metrics port."""
    services = [o for o in objects if o["kind"] == "Service"]
    with_metrics = [s for s in services if any(p["name"] == "metrics" for p in s["spec"]["ports"])]
    public = [s for s in services if s not in with_metrics]
    check(len(with_metrics) == 1 and len(public) == 1, f"{source}: one public and one metrics Service")
    if len(with_metrics) != 1 or len(public) != 1:
        return
    metrics, public = with_metrics[0], public[0]
    check(metrics["spec"].get("type", "ClusterIP") == "ClusterIP"
          and [p["name"] for p in metrics["spec"]["ports"]] == ["metrics"]
          and metrics["spec"]["ports"][0]["targetPort"] == "metrics",
          f"{source}: the metrics Service is ClusterIP with the metrics port only")
    check([p.get("targetPort") for p in public["spec"]["ports"]] == ["http"],
          f"{source}: the public Service has the http port only")
    for ingress in (o for o in objects if o["kind"] == "Ingress"):
        backends = [path["backend"]["service"] for rule in ingress["spec"]["rules"]
                    for path in rule["http"]["paths"]]
        check(backends and all(b["name"] == public["metadata"]["name"] and b["port"] == {"name": "http"}
                               for b in backends), f"{source}: the Ingress routes the public http port only")
    for monitor in (o for o in objects if o["kind"] == "ServiceMonitor"):
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        selects = lambda service: wanted <= service["metadata"].get("labels", {}).items()
        check(selects(metrics) and not selects(public), f"{source}: the ServiceMonitor selects the metrics Service")


# Kustomize: base and the example overlay.
for target in ["deploy/k8s/base", "deploy/k8s/overlays/example"]:
    rendered = subprocess.run(["kubectl", "kustomize", target], capture_output=True, text=True)
    check(rendered.returncode == 0, f"{target}: kustomize renders\n{rendered.stderr}")
    objects = [o for o in yaml.safe_load_all(rendered.stdout) if o]
    kinds = by_kind(objects)
    check(set(kinds) == {"Deployment", "Service", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler"},
          f"{target}: objects {sorted(kinds)}")
    validate(objects, target)
    hardened(kinds["Deployment"], target)
    metrics_kept_inside(objects, target)

# Helm: lint, then render value sets. publicUrl has no default: every install gives it.
PUBLIC_URL = "https://login.acme.test"
report = lint(CHART, {"publicUrl": PUBLIC_URL})
check(not report["errors"] and all(m["severity"] < 2 for m in report["messages"]), f"helm lint: {report}")
schema = json.load(open(f"{CHART}/values.schema.json"))
defaults = yaml.safe_load(open(f"{CHART}/values.yaml"))
jsonschema.validate(defaults, schema)

scenarios = {
    "defaults": {},
    "sentinel, ingress, monitor, fixed replicas, admin secret": {
        "redis": {"mode": "sentinel"},
        "ingress": {"enabled": True, "className": "nginx", "host": "id.example.com"},
        "serviceMonitor": {"enabled": True},
        "autoscaling": {"enabled": False},
        "replicaCount": 3,
        "bootstrapAdmin": {"existingSecret": "tessera-admin", "key": "password"},
        "telemetry": {"otlpEndpoint": "http://otel-collector:4318"},
        "trustedProxies": ["10.0.0.0/8", "fd00::/8"],
        "http": {"headerReadTimeoutMs": 5000, "maxConnections": 1000},
        "audit": {"retentionDays": 400},
    },
    "sentinel over TLS with a client certificate and a sentinel password": {
        "redis": {"mode": "sentinel",
                  "tls": {"existingSecret": "redis-tls", "caKey": "ca.crt", "certKey": "tls.crt", "keyKey": "tls.key"},
                  "sentinelPassword": {"existingSecret": "redis-sentinel", "key": "password"}},
    },
    "TLS with the authority only": {
        "redis": {"tls": {"existingSecret": "redis-ca", "caKey": "ca.pem"}},
    },
    "cluster, no job, no pdb": {
        "redis": {"mode": "cluster"},
        "migrationJob": {"enabled": False},
        "podDisruptionBudget": {"enabled": False},
    },
    "load balancer, ingress accepted without trusted proxies, monitor": {
        "service": {"type": "LoadBalancer"},
        "ingress": {"enabled": True, "host": "id.example.com", "allowWithoutTrustedProxies": True},
        "serviceMonitor": {"enabled": True},
    },
}
chart = Chart.load(CHART)
for name, values in scenarios.items():
    merged = json.loads(json.dumps(defaults))
    for key, value in values.items():
        if isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    merged["publicUrl"] = PUBLIC_URL
    jsonschema.validate(merged, schema)
    files = chart.render({"publicUrl": PUBLIC_URL, **values}, name="r", namespace="identity")
    objects = []
    for path, text in files.items():
        if path.endswith("NOTES.txt"):
            check("admin" in text, f"{name}: NOTES tells how to get the admin password")
            mode = values.get("redis", {}).get("mode", "standalone")
            scheme = {"sentinel": "redis+sentinel://", "cluster": "redis+cluster://"}.get(mode, "redis://")
            check(scheme in text, f"{name}: NOTES names the {mode} URL form")
            continue
        objects += [o for o in yaml.safe_load_all(text) if o]
    kinds = by_kind(objects)
    validate(objects, f"helm {name}")
    hardened(kinds["Deployment"], f"helm {name}")
    metrics_kept_inside(objects, f"helm {name}")
    check(("Ingress" in kinds) == bool(values.get("ingress", {}).get("enabled")), f"{name}: ingress toggle")
    check(("ServiceMonitor" in kinds) == bool(values.get("serviceMonitor", {}).get("enabled")), f"{name}: monitor toggle")
    check(("Job" in kinds) == values.get("migrationJob", {}).get("enabled", True), f"{name}: job toggle")
    check(("HorizontalPodAutoscaler" in kinds) == values.get("autoscaling", {}).get("enabled", True), f"{name}: hpa toggle")
    env = {e["name"]: e.get("value") for e in kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]}
    check(env.get("TESSERA_HTTP__PUBLIC_URL") == PUBLIC_URL, f"{name}: public URL passed through")
    retention = values.get("audit", {}).get("retentionDays", defaults["audit"]["retentionDays"])
    check(env.get("TESSERA_AUDIT__RETENTION_DAYS") == str(retention), f"{name}: audit retention passed through")
    endpoint = values.get("telemetry", {}).get("otlpEndpoint")
    check(env.get("TESSERA_TELEMETRY__OTLP_ENDPOINT") == endpoint, f"{name}: OTLP endpoint passed through")
    proxies = ",".join(values.get("trustedProxies", [])) or None
    check(env.get("TESSERA_HTTP__TRUSTED_PROXIES") == proxies, f"{name}: trusted proxies passed through")
    http = {**defaults["http"], **values.get("http", {})}
    check(env.get("TESSERA_HTTP__HEADER_READ_TIMEOUT_MS") == str(http["headerReadTimeoutMs"])
          and env.get("TESSERA_HTTP__MAX_CONNECTIONS") == str(http["maxConnections"]),
          f"{name}: connection limits passed through")
    # Redis TLS files: mounted from the Secret, named by the TLS keys; the sentinels' password from its Secret.
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    tls = values.get("redis", {}).get("tls", {})
    mounted = {m["mountPath"] for m in container.get("volumeMounts", [])}
    items = {i["key"]: i["path"] for v in pod.get("volumes", []) for i in v.get("secret", {}).get("items", [])}
    expected = {}
    if tls.get("caKey"):
        expected[tls["caKey"]] = "ca.crt"
    if tls.get("certKey") and tls.get("keyKey"):
        expected.update({tls["certKey"]: "tls.crt", tls["keyKey"]: "tls.key"})
    check(items == expected, f"{name}: Redis TLS Secret items {items}")
    check(("/etc/tessera/redis-tls" in mounted) == bool(expected), f"{name}: Redis TLS mount")
    for var, path in [("TESSERA_REDIS__TLS_CA_FILE", "ca.crt"), ("TESSERA_REDIS__TLS_CERT_FILE", "tls.crt"),
                      ("TESSERA_REDIS__TLS_KEY_FILE", "tls.key")]:
        want = f"/etc/tessera/redis-tls/{path}" if path in expected.values() else None
        check(env.get(var) == want, f"{name}: {var}")
    refs = {e["name"]: e.get("valueFrom", {}).get("secretKeyRef") for e in container["env"]}
    sentinel = values.get("redis", {}).get("sentinelPassword", {}).get("existingSecret")
    check((refs.get("TESSERA_REDIS__SENTINEL_PASSWORD") or {}).get("name") == sentinel,
          f"{name}: the sentinels' password comes from its Secret")

# The schema refuses what the chart cannot deploy.
for bad in [{"redis": {"mode": "bogus"}}, {"publicUrl": "id.example.com"}, {"replicaCount": 0}, {"colour": "red"},
            {"trustedProxies": ["the ingress"]}, {"http": {"maxConnections": 0}},
            {"http": {"idleTimeoutMs": 10}}, {"audit": {"retentionDays": -1}}]:
    merged = {**defaults, **{k: ({**defaults.get(k, {}), **v} if isinstance(v, dict) else v) for k, v in bad.items()}}
    try:
        jsonschema.validate(merged, schema)
        check(False, f"schema accepted {bad}")
    except jsonschema.ValidationError:
        check(True, "")

# No publicUrl, or the documentation's example, is refused with a message naming the value.
for values, says in [({}, "publicUrl is required"), ({"publicUrl": "https://id.example.com/"}, "example")]:
    try:
        chart.render(values, name="r", namespace="identity")
        check(False, f"the chart rendered with publicUrl {values.get('publicUrl')!r}")
    except Exception as refused:  # helm_python raises its own error types, carrying Helm's message
        check("publicUrl" in str(refused) and says in str(refused), f"publicUrl refused: {refused}")

# An Ingress without trusted proxies is refused (every client would share the ingress's address,
# so one attacker's failed logins would lock out every admin), with a message that says why.
for values in [{"ingress": {"enabled": True}},
               {"ingress": {"enabled": True, "allowWithoutTrustedProxies": False}, "trustedProxies": []}]:
    try:
        chart.render({"publicUrl": PUBLIC_URL, **values}, name="r", namespace="identity")
        check(False, f"the chart rendered an ingress without trusted proxies: {values}")
    except Exception as refused:  # helm_python raises its own error types, carrying Helm's message
        message = str(refused)
        check("trustedProxies" in message and "allowWithoutTrustedProxies" in message and "lock" in message,
              f"the refusal names trustedProxies and the way out: {message}")

print(f"deploy: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
