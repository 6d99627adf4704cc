"""Checks deploy/k8s and helm/tessera; run through scripts/check-deploy.

Besides schema validity and hardening: /metrics is reachable only through the management port
(a ClusterIP Service of its own, scraped by the ServiceMonitor, never routed by the Ingress), and
the chart refuses an Ingress without trusted proxies unless told to accept it. The admin listener
(adminListener.enabled) is kept inside the same way: a ClusterIP Service of its own, never routed,
reachable past a NetworkPolicy only from its own peers. Every chart value
is rendered and looked for in the objects (and bad ones refused by the schema); the kustomizations
use no positional patch and set no replicas beside an HPA; the image build (deploy/Dockerfile,
.dockerignore) takes its base images from build arguments, labels the image and keeps caches and
build outputs out of its context while keeping everything the build needs."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

import jsonschema
import yaml
from helm_python import lint
from helm_python.chart import Chart

K8S_VERSION = "1.31.0"
CHART = "helm/tessera"
failures = []
passed = 0


def crashed(kind, value, trace):
    """An unexpected error (an object missing, a render that failed) still ends with the count."""
    traceback.print_exception(kind, value, trace)
    failures.append(f"crashed: {value!r}")
    print(f"deploy: {passed} passed, {len(failures)} failed (stopped by an error)")


sys.excepthook = crashed


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
    check(pod.get("automountServiceAccountToken") is False, f"{source}: no service account token")
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
    ports.pop("admin", None)  # the admin listener's, when enabled: admin_kept_inside checks it
    check(ports == {"http": 8080, "metrics": 9090}, f"{source}: container ports {ports}")
    check(env.get("TESSERA_HTTP__BIND", {}).get("value") == "0.0.0.0:8080"
          and env.get("TESSERA_HTTP__MANAGEMENT_BIND", {}).get("value") == "0.0.0.0:9090",
          f"{source}: public and management listeners on their ports")


def metrics_kept_inside(objects, source):
    """The metrics port is only in a ClusterIP Service of its own, which the Ingress never routes
    and which the ServiceMonitor (if any) selects; the public Service has no metrics port."""
    services = [o for o in objects if o["kind"] == "Service"]
    with_metrics = [s for s in services if any(p["name"] == "metrics" for p in s["spec"]["ports"])]
    with_admin = [s for s in services if any(p["name"] == "admin" for p in s["spec"]["ports"])]
    public = [s for s in services if s not in with_metrics and s not in with_admin]
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


def admin_kept_inside(objects, source):
    """With the admin listener (TESSERA_HTTP__ADMIN_BIND), its port is the container port `admin`,
    in a ClusterIP Service of its own (`<deployment>-admin`) that selects the server, that no
    Ingress routes and no ServiceMonitor selects, and that a NetworkPolicy admits only from peers
    of its own. Without it, no port, Service or rule for it."""
    deployment = by_kind(objects)["Deployment"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    bind = next((e.get("value") for e in container["env"] if e["name"] == "TESSERA_HTTP__ADMIN_BIND"), None)
    port = next((p["containerPort"] for p in container["ports"] if p["name"] == "admin"), None)
    services = [o for o in objects if o["kind"] == "Service"]
    targets = {"admin", port} - {None}
    admin = [s for s in services if any(p["name"] == "admin" or p.get("targetPort") in targets for p in s["spec"]["ports"])]
    if bind is None:
        check(port is None and not admin, f"{source}: no admin port nor Service without the admin listener")
        return
    check(port is not None and bind == f"0.0.0.0:{port}", f"{source}: the admin listener binds the container port `admin` ({bind}, {port})")
    check(len(admin) == 1, f"{source}: one Service has the admin port {[s['metadata']['name'] for s in admin]}")
    if len(admin) != 1:
        return
    service = admin[0]
    name = service["metadata"]["name"]
    check(name == deployment["metadata"]["name"] + "-admin", f"{source}: the admin Service is named {name}")
    check(service["spec"].get("type", "ClusterIP") == "ClusterIP"
          and service["spec"]["ports"] == [{"name": "admin", "port": port, "targetPort": "admin"}],
          f"{source}: the admin Service is ClusterIP with the admin port only {service['spec']}")
    check(service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"],
          f"{source}: the admin Service selects the server's pods")
    for ingress in (o for o in objects if o["kind"] == "Ingress"):
        backends = [path["backend"]["service"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
        check(all(b["name"] != name and b["port"] not in ({"name": "admin"}, {"number": port}) for b in backends),
              f"{source}: the Ingress does not route the admin port {backends}")
    for monitor in (o for o in objects if o["kind"] == "ServiceMonitor"):
        wanted = monitor["spec"]["selector"]["matchLabels"].items()
        check(not wanted <= service["metadata"].get("labels", {}).items(), f"{source}: the ServiceMonitor leaves the admin Service alone")
    for policy in (o for o in objects if o["kind"] == "NetworkPolicy"):
        admitting = [r for r in policy["spec"]["ingress"] if any(p.get("port") in (port, "admin") for p in r.get("ports", []))]
        check(len(admitting) == 1 and admitting[0].get("from")
              and [p["port"] for p in admitting[0]["ports"]] == [port],
              f"{source}: the NetworkPolicy admits the admin port from its own peers only {admitting}")


def pod_templates(objects):
    """(object, pod template) of every Deployment and Job."""
    return [(o, o["spec"]["template"]) for o in objects if o["kind"] in ("Deployment", "Job")]


def server_pod_labels(objects):
    deployment = by_kind(objects)["Deployment"]
    return deployment["spec"]["template"]["metadata"]["labels"]


def consistent(objects, source):
    """The objects fit together: every selector selects the server's pods, the HPA scales the
    Deployment (which then sets no replicas of its own), the Ingress routes an existing Service, no
    container repeats an environment variable and every mount names a volume of its pod."""
    kinds = by_kind(objects)
    deployment = kinds["Deployment"]
    labels = server_pod_labels(objects).items()
    check(deployment["spec"]["selector"]["matchLabels"].items() <= labels,
          f"{source}: the Deployment selects its own pods")
    for service in (o for o in objects if o["kind"] == "Service"):
        check(service["spec"]["selector"].items() <= labels, f"{source}: {service['metadata']['name']} selects the server")
    for o in objects:
        if o["kind"] == "PodDisruptionBudget":
            check(o["spec"]["selector"]["matchLabels"].items() <= labels, f"{source}: the PDB selects the server")
        if o["kind"] == "NetworkPolicy":
            check(o["spec"]["podSelector"]["matchLabels"].items() <= labels, f"{source}: the NetworkPolicy selects the server")
        if o["kind"] == "HorizontalPodAutoscaler":
            target = o["spec"]["scaleTargetRef"]
            check(target["kind"] == "Deployment" and target["name"] == deployment["metadata"]["name"],
                  f"{source}: the HPA scales the Deployment")
            check("replicas" not in deployment["spec"], f"{source}: no replicas in a Deployment the HPA scales")
        if o["kind"] == "Ingress":
            names = {s["metadata"]["name"] for s in objects if s["kind"] == "Service"}
            check(all(path["backend"]["service"]["name"] in names for rule in o["spec"]["rules"]
                      for path in rule["http"]["paths"]), f"{source}: the Ingress routes an existing Service")
    for owner, template in pod_templates(objects):
        pod = template["spec"]
        volumes = {v["name"] for v in pod.get("volumes", [])}
        for container in pod["containers"]:
            names = [e["name"] for e in container.get("env", [])]
            check(len(names) == len(set(names)), f"{source}: {owner['kind']} {container['name']} repeats no variable {names}")
            mounts = {m["name"] for m in container.get("volumeMounts", [])}
            check(mounts <= volumes, f"{source}: {owner['kind']} mounts {mounts} are volumes {volumes}")
        for spread in pod.get("topologySpreadConstraints", []):
            check(spread["labelSelector"]["matchLabels"].items() <= labels, f"{source}: the spread counts the server's pods")


def json_patch_paths(kustomization_dir):
    """Every `path`/`from` of the JSON patches (RFC 6902) a kustomization applies, inline or in a file."""
    k = yaml.safe_load(open(os.path.join(kustomization_dir, "kustomization.yaml")))
    patches = list(k.get("patches", [])) + list(k.get("patchesJson6902", []))
    patches += [{"path": p} if isinstance(p, str) else {"patch": p} for p in k.get("patchesStrategicMerge", [])]
    paths = []
    for patch in patches:
        text = patch.get("patch")
        if text is None:
            text = open(os.path.join(kustomization_dir, patch["path"])).read()
        for doc in yaml.safe_load_all(text) if isinstance(text, str) else [text]:
            if isinstance(doc, list):
                paths += [op.get(key) for op in doc for key in ("path", "from") if op.get(key)]
    return paths


def positional(path):
    """A JSON patch path that names a list item by position (/containers/0/…) or appends (/-)."""
    return re.search(r"/([0-9]+|-)(/|$)", path) is not None


# Kustomize: no positional patches anywhere (a list item is named by position, which silently
# patches another item when the base's order changes: strategic merge patches match by name).
check(positional("/spec/template/spec/containers/0/env/1/value") and not positional("/spec/minReplicas")
      and positional("/spec/rules/-"), "positional patch paths are recognised")
with tempfile.TemporaryDirectory() as scratch:
    with open(os.path.join(scratch, "kustomization.yaml"), "w") as f:
        f.write("patches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n"
                "        path: /spec/template/spec/containers/0/image\n        value: x\n")
    check(any(positional(p) for p in json_patch_paths(scratch)), "a positional inline patch is found")
kustomizations = sorted(root for root, _, files in os.walk("deploy/k8s") if "kustomization.yaml" in files)
check(set(kustomizations) >= {"deploy/k8s/base", "deploy/k8s/overlays/example"}, f"kustomizations {kustomizations}")
for directory in kustomizations:
    bad = [p for p in json_patch_paths(directory) if positional(p)]
    check(not bad, f"{directory}: positional JSON patch paths {bad}")
base_deployment = yaml.safe_load(open("deploy/k8s/base/deployment.yaml"))
check("replicas" not in base_deployment["spec"], "deploy/k8s/base: the Deployment leaves replicas to the HPA")

# Kustomize: base and the example overlay.
BASE_KINDS = {"Deployment", "Service", "Job", "PodDisruptionBudget", "HorizontalPodAutoscaler"}
rendered_kustomize = {}
for target, kinds_wanted in [("deploy/k8s/base", BASE_KINDS),
                             ("deploy/k8s/overlays/example", BASE_KINDS | {"NetworkPolicy", "Ingress"})]:
    rendered = subprocess.run(["kubectl", "kustomize", target], capture_output=True, text=True)
    check(rendered.returncode == 0, f"{target}: kustomize renders\n{rendered.stderr}")
    objects = [o for o in yaml.safe_load_all(rendered.stdout) if o]
    rendered_kustomize[target] = objects
    kinds = by_kind(objects)
    check(set(kinds) == kinds_wanted, f"{target}: objects {sorted(kinds)}")
    validate(objects, target)
    hardened(kinds["Deployment"], target)
    metrics_kept_inside(objects, target)
    admin_kept_inside(objects, target)
    consistent(objects, target)
    job = kinds["Job"]
    # A Job's pod template cannot change: the finished Job removes itself so that the next apply
    # (with a new image) creates it again instead of failing.
    check(isinstance(job["spec"].get("ttlSecondsAfterFinished"), int) and 0 < job["spec"]["ttlSecondsAfterFinished"] <= 3600,
          f"{target}: the migration Job removes itself after it finishes")
    images = {c["image"] for _, t in pod_templates(objects) for c in t["spec"]["containers"]}
    check(len(images) == 1, f"{target}: the server and the migration run one image {images}")

overlay_dir = "deploy/k8s/overlays/example"
overlay = by_kind(rendered_kustomize[overlay_dir])
overlay_k = yaml.safe_load(open(f"{overlay_dir}/kustomization.yaml"))
image = overlay_k["images"][0]
check({c["image"] for _, t in pod_templates(rendered_kustomize[overlay_dir]) for c in t["spec"]["containers"]}
      == {f"{image['newName']}:{image['newTag']}"}, f"{overlay_dir}: the image is the overlay's")
env = {e["name"]: e.get("value") for e in overlay["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]}
host = overlay["Ingress"]["spec"]["rules"][0]["host"]
check(env.get("TESSERA_HTTP__PUBLIC_URL") == f"https://{host}", f"{overlay_dir}: the public URL is the Ingress's host")
check(any(host in t["hosts"] and t.get("secretName") for t in overlay["Ingress"]["spec"].get("tls", [])),
      f"{overlay_dir}: the Ingress serves its host over TLS")
check(bool(env.get("TESSERA_HTTP__TRUSTED_PROXIES")), f"{overlay_dir}: behind the Ingress, the trusted proxies are set")
check(overlay["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 3, f"{overlay_dir}: the HPA keeps three replicas")
policy = overlay["NetworkPolicy"]["spec"]
check(policy["podSelector"]["matchLabels"].get("app.kubernetes.io/component") == "server",
      f"{overlay_dir}: the NetworkPolicy is the server's")
rules = {p["port"]: r for r in policy["ingress"] for p in r.get("ports", [])}
check(set(rules) == {8080, 9090} and all(r.get("from") for r in rules.values()) and rules[8080] != rules[9090],
      f"{overlay_dir}: the API and metrics ports each admit their own peers only {rules}")

# Helm: lint, then render value sets. publicUrl has no default: every install gives it.
PUBLIC_URL = "https://login.acme.test"
report = lint(CHART, {"publicUrl": PUBLIC_URL})
check(not report["errors"] and all(m["severity"] < 2 for m in report["messages"]), f"helm lint: {report}")
schema = json.load(open(f"{CHART}/values.schema.json"))
defaults = yaml.safe_load(open(f"{CHART}/values.yaml"))
jsonschema.validate(defaults, schema)

def deep_merge(base, override):
    merged = json.loads(json.dumps(base))
    for key, value in override.items():
        merged[key] = deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


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
        "audit": {"retentionDays": 400, "stdout": True,
                  "webhook": {"url": "https://siem.acme.test/tessera", "existingSecret": "tessera-audit-webhook"}},
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
    "load balancer, ingress accepted without trusted proxies, monitor, admin listener, no console": {
        "service": {"type": "LoadBalancer"},
        "ingress": {"enabled": True, "host": "id.example.com", "allowWithoutTrustedProxies": True},
        "serviceMonitor": {"enabled": True},
        "adminListener": {"enabled": True},
        "apiConsole": False,
        "adminConsole": False,
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
    admin_kept_inside(objects, f"helm {name}")
    consistent(objects, f"helm {name}")
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
    # The admin listener, the console, the audit stream.
    admin = deep_merge(defaults["adminListener"], values.get("adminListener", {}))
    check(env.get("TESSERA_HTTP__ADMIN_BIND") == (f"0.0.0.0:{admin['port']}" if admin["enabled"] else None),
          f"{name}: the admin listener's address {env.get('TESSERA_HTTP__ADMIN_BIND')}")
    check((("Service", "r-tessera-admin") in {(o["kind"], o["metadata"]["name"]) for o in objects}) == admin["enabled"],
          f"{name}: admin Service toggle")
    check(env.get("TESSERA_HTTP__API_CONSOLE") == ("true" if values.get("apiConsole", True) else "false"),
          f"{name}: API console {env.get('TESSERA_HTTP__API_CONSOLE')}")
    check(env.get("TESSERA_HTTP__ADMIN_CONSOLE") == ("true" if values.get("adminConsole", True) else "false"),
          f"{name}: admin console {env.get('TESSERA_HTTP__ADMIN_CONSOLE')}")
    audit = deep_merge(defaults["audit"], values.get("audit", {}))
    check(env.get("TESSERA_AUDIT__STDOUT") == ("true" if audit["stdout"] else "false"), f"{name}: audit to stdout")
    check(env.get("TESSERA_AUDIT__WEBHOOK_URL") == (audit["webhook"]["url"] or None), f"{name}: audit webhook URL")
    check(refs.get("TESSERA_AUDIT__WEBHOOK_SECRET") == ({"name": audit["webhook"]["existingSecret"], "key": audit["webhook"]["key"]}
                                                       if audit["webhook"]["url"] else None),
          f"{name}: the audit webhook's key comes from its Secret {refs.get('TESSERA_AUDIT__WEBHOOK_SECRET')}")

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


def render(values, name="r"):
    """The chart's objects and NOTES.txt for these values (publicUrl added)."""
    files = chart.render({"publicUrl": PUBLIC_URL, **values}, name=name, namespace="identity")
    objects, notes = [], ""
    for path, text in files.items():
        if path.endswith("NOTES.txt"):
            notes = text
        else:
            objects += [o for o in yaml.safe_load_all(text) if o]
    return objects, notes


def refusal(values):
    """Helm's message refusing these values, or None when the chart renders them."""
    try:
        chart.render({"publicUrl": PUBLIC_URL, **values}, name="r", namespace="identity")
        return None
    except Exception as refused:  # helm_python raises its own error types, carrying Helm's message
        return str(refused)


def pod_of(objects, kind="Deployment"):
    return by_kind(objects)[kind]["spec"]["template"]


def env_of(objects, kind="Deployment"):
    return {e["name"]: e for e in pod_of(objects, kind)["spec"]["containers"][0]["env"]}


def rendered_and_valid(values, what, name="r", token=False):
    objects, notes = render(values, name=name)
    validate(objects, f"helm {what}")
    consistent(objects, f"helm {what}")
    if not token:
        hardened(by_kind(objects)["Deployment"], f"helm {what}")
    admin_kept_inside(objects, f"helm {what}")
    return objects, notes


DIGEST = "sha256:" + "0123456789abcdef" * 4
APP_VERSION = chart.metadata["appVersion"]

# Names: nameOverride and fullnameOverride name every object and the label selectors follow.
for values, fullname, label in [({}, "r-tessera", "tessera"),
                                ({"nameOverride": "identity"}, "r-identity", "identity"),
                                ({"fullnameOverride": "login"}, "login", "tessera")]:
    objects, notes = rendered_and_valid({**values, "serviceMonitor": {"enabled": True}, "networkPolicy": {"enabled": True}},
                                        f"names {values}")
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    check({("Deployment", fullname), ("Service", fullname), ("Service", f"{fullname}-metrics"),
           ("Job", f"{fullname}-migrate"), ("ServiceAccount", fullname), ("NetworkPolicy", fullname),
           ("HorizontalPodAutoscaler", fullname), ("PodDisruptionBudget", fullname)} <= names, f"names {values}: {names}")
    check(all(o["metadata"]["labels"]["app.kubernetes.io/name"] == label for o in objects),
          f"names {values}: app.kubernetes.io/name is {label}")
    check(f"{fullname}-metrics" in notes, f"names {values}: NOTES names the metrics Service")
    metrics_kept_inside(objects, f"helm names {values}")

# The image: registry, tag or digest, global.imageRegistry; pull secrets from both lists.
for values, want in [({}, f"tessera:{APP_VERSION}"),
                     ({"image": {"repository": "acme/tessera", "tag": "1.2.3"}}, "acme/tessera:1.2.3"),
                     ({"image": {"registry": "registry.acme.test", "tag": "1.2.3", "digest": DIGEST}},
                      f"registry.acme.test/tessera@{DIGEST}"),
                     ({"image": {"registry": "registry.acme.test"}, "global": {"imageRegistry": "mirror.acme.test"}},
                      f"mirror.acme.test/tessera:{APP_VERSION}")]:
    objects, _ = render(values)
    images = {c["image"] for _, t in pod_templates(objects) for c in t["spec"]["containers"]}
    check(images == {want}, f"image {values}: {images}, wanted {want}")
objects, _ = rendered_and_valid({"imagePullSecrets": ["pull-a", {"name": "pull-b"}],
                                 "global": {"imagePullSecrets": [{"name": "pull-global"}, "pull-a"]}}, "pull secrets")
for owner, template in pod_templates(objects):
    check(template["spec"].get("imagePullSecrets") == [{"name": "pull-global"}, {"name": "pull-a"}, {"name": "pull-b"}],
          f"{owner['kind']}: image pull secrets {template['spec'].get('imagePullSecrets')}")
objects, _ = render({})
check(all("imagePullSecrets" not in t["spec"] for _, t in pod_templates(objects)), "no pull secrets by default")

# As a subchart: the parent's global values reach it (Helm copies `global` into the subchart's
# values, which its schema must accept), and its own values sit under its name.
with tempfile.TemporaryDirectory() as scratch:
    parent = os.path.join(scratch, "platform")
    shutil.copytree(CHART, os.path.join(parent, "charts", "tessera"))
    with open(os.path.join(parent, "Chart.yaml"), "w") as f:
        yaml.safe_dump({"apiVersion": "v2", "name": "platform", "version": "1.0.0",
                        "dependencies": [{"name": "tessera", "version": chart.metadata["version"]}]}, f)
    umbrella = Chart.load(parent)
    try:
        files = umbrella.render({"global": {"imageRegistry": "mirror.acme.test", "imagePullSecrets": ["pull-global"],
                                            "storageClass": "fast"},
                                 "tessera": {"publicUrl": PUBLIC_URL, "imagePullSecrets": ["pull-own"]}},
                                name="platform", namespace="identity")
        objects = [o for path, text in files.items() if not path.endswith("NOTES.txt")
                   for o in yaml.safe_load_all(text) if o]
        validate(objects, "helm as a subchart")
        pod = pod_of(objects)["spec"]
        check(pod["containers"][0]["image"] == f"mirror.acme.test/tessera:{APP_VERSION}"
              and pod["imagePullSecrets"] == [{"name": "pull-global"}, {"name": "pull-own"}],
              f"as a subchart: global.imageRegistry and global.imagePullSecrets apply {pod['containers'][0]['image']}")
    except Exception as refused:
        check(False, f"the chart renders as a subchart: {refused}")

# Pods: annotations and labels (never replacing the chart's), scheduling, the spread.
objects, _ = rendered_and_valid({"podAnnotations": {"sidecar.acme.test/inject": "false"},
                                 "podLabels": {"team": "identity", "app.kubernetes.io/component": "other"},
                                 "nodeSelector": {"kubernetes.io/os": "linux"},
                                 "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "identity", "effect": "NoSchedule"}],
                                 "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                                     {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["apps"]}]}]}}}},
                                "pod settings")
for owner, template in pod_templates(objects):
    kind = owner["kind"]
    check(template["metadata"]["annotations"].get("sidecar.acme.test/inject") == "false", f"{kind}: podAnnotations")
    check(template["metadata"]["labels"].get("team") == "identity", f"{kind}: podLabels")
    check(template["metadata"]["labels"]["app.kubernetes.io/component"] == ("server" if kind == "Deployment" else "migrate"),
          f"{kind}: podLabels do not replace the chart's labels")
    check(template["spec"].get("nodeSelector") == {"kubernetes.io/os": "linux"}, f"{kind}: nodeSelector")
    check(template["spec"].get("tolerations", [{}])[0].get("key") == "dedicated", f"{kind}: tolerations")
pod = pod_of(objects)["spec"]
check(pod.get("affinity", {}).get("nodeAffinity") is not None, "Deployment: affinity")
check("tessera.io/redis-mode" in pod_of(objects)["metadata"]["annotations"], "podAnnotations keep the chart's")
objects, _ = render({})
spread = pod_of(objects)["spec"].get("topologySpreadConstraints")
selector = by_kind(objects)["Deployment"]["spec"]["selector"]["matchLabels"]
check(spread == [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                  "labelSelector": {"matchLabels": selector}}], f"default spread: soft, across nodes, by the selector {spread}")
zones = [{"maxSkew": 2, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
          "labelSelector": {"matchLabels": selector}}]
objects, _ = rendered_and_valid({"topologySpreadConstraints": zones}, "spread by zone")
check(pod_of(objects)["spec"].get("topologySpreadConstraints") == zones, "an explicit spread replaces the default")
objects, _ = render({"topologySpreadConstraints": []})
check("topologySpreadConstraints" not in pod_of(objects)["spec"], "an empty spread sets none")

# The container: extraEnv after the chart's own (which it may not repeat), extra volumes, previous
# master keys from a Secret.
extra_env = [{"name": "TESSERA_DATABASE__MAX_CONNECTIONS", "value": "32"},
             {"name": "TESSERA_WECHAT__API_BASE_URL", "valueFrom": {"configMapKeyRef": {"name": "wechat", "key": "api"}}}]
objects, _ = rendered_and_valid({"extraEnv": extra_env,
                                 "extraVolumes": [{"name": "ca", "configMap": {"name": "corporate-ca"}}],
                                 "extraVolumeMounts": [{"name": "ca", "mountPath": "/etc/ssl/corporate", "readOnly": True}],
                                 "redis": {"tls": {"existingSecret": "redis-ca", "caKey": "ca.crt"}},
                                 "masterKey": {"previousKeys": {"existingSecret": "tessera-old-keys", "key": "keys"}}},
                                "extras")
container = pod_of(objects)["spec"]["containers"][0]
check(container["env"][-2:] == extra_env, f"extraEnv comes last, as given {container['env'][-2:]}")
check({m["name"] for m in container["volumeMounts"]} == {"redis-tls", "ca"}
      and {v["name"] for v in pod_of(objects)["spec"]["volumes"]} == {"redis-tls", "ca"}, "extra volumes beside the Redis TLS one")
env = env_of(objects)
check(env.get("TESSERA_SECRETS__PREVIOUS_MASTER_KEYS", {}).get("valueFrom")
      == {"secretKeyRef": {"name": "tessera-old-keys", "key": "keys"}}, "previous master keys from their Secret")
objects, _ = render({"extraVolumes": [{"name": "scratch", "emptyDir": {}}],
                     "extraVolumeMounts": [{"name": "scratch", "mountPath": "/scratch"}]})
check([m["name"] for m in pod_of(objects)["spec"]["containers"][0]["volumeMounts"]] == ["scratch"], "extra volumes alone")
objects, _ = render({})
check("TESSERA_SECRETS__PREVIOUS_MASTER_KEYS" not in env_of(objects), "no previous master keys by default")
check("volumes" not in pod_of(objects)["spec"] and "volumeMounts" not in pod_of(objects)["spec"]["containers"][0],
      "no volumes by default")
message = refusal({"extraEnv": [{"name": "TESSERA_LOG__LEVEL", "value": "debug"}]})
check(message is not None and "TESSERA_LOG__LEVEL" in message and "extraEnv" in message,
      f"extraEnv may not repeat a variable the chart sets: {message}")

# Stopping: a preStop sleep (Kubernetes' own: the image has no shell or sleep binary), then
# SIGTERM and the server's 10 s drain, all within the grace period.
objects, _ = render({})
pod = pod_of(objects)["spec"]
pre_stop = pod["containers"][0].get("lifecycle", {}).get("preStop", {})
check(set(pre_stop) == {"sleep"} and 0 < pre_stop["sleep"]["seconds"] <= 15, f"preStop is a short native sleep {pre_stop}")
check(pod.get("terminationGracePeriodSeconds", 30) > pre_stop.get("sleep", {}).get("seconds", 0) + 10,
      "the grace period covers the preStop sleep and the 10 s drain")
dockerfile = open("deploy/Dockerfile").read()
check("distroless" in dockerfile and "sleep" not in dockerfile.split("FROM ${RUNTIME_IMAGE}")[-1],
      "the runtime image has no sleep to exec")
objects, _ = rendered_and_valid({"lifecycle": {"preStop": {"sleep": {"seconds": 20}}}, "terminationGracePeriodSeconds": 45},
                                "a longer preStop")
pod = pod_of(objects)["spec"]
check(pod["terminationGracePeriodSeconds"] == 45 and pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"] == 20,
      "preStop and the grace period passed through")
objects, _ = render({"lifecycle": {"preStop": None}})
check("lifecycle" not in pod_of(objects)["spec"]["containers"][0], "lifecycle.preStop=null removes the hook")
message = refusal({"lifecycle": {"preStop": {"sleep": {"seconds": 25}}}})
check(message is not None and "terminationGracePeriodSeconds" in message, f"a grace period shorter than sleep + drain is refused: {message}")

# The ServiceAccount: the chart's by default, without a token; an existing one when told.
objects, _ = rendered_and_valid({"serviceAccount": {"annotations": {"iam.acme.test/role": "tessera"}}}, "service account")
kinds = by_kind(objects)
account = kinds.get("ServiceAccount", {})
check(account.get("metadata", {}).get("name") == "r-tessera" and account.get("automountServiceAccountToken") is False
      and account["metadata"].get("annotations") == {"iam.acme.test/role": "tessera"}, f"the chart's ServiceAccount {account}")
pod = pod_of(objects)["spec"]
check(pod.get("serviceAccountName") == "r-tessera" and pod.get("automountServiceAccountToken") is False,
      "the server runs as the chart's ServiceAccount, without a token")
job = pod_of(objects, "Job")["spec"]
check("serviceAccountName" not in job and job.get("automountServiceAccountToken") is False,
      "the migration (a hook, before the ServiceAccount exists) runs as the namespace's default, without a token")
objects, _ = rendered_and_valid({"serviceAccount": {"create": False, "name": "identity-runner",
                                                    "automountServiceAccountToken": True}}, "existing service account",
                                token=True)
check("ServiceAccount" not in by_kind(objects), "serviceAccount.create=false creates none")
check(pod_of(objects)["spec"].get("serviceAccountName") == "identity-runner"
      and pod_of(objects)["spec"].get("automountServiceAccountToken") is True
      and pod_of(objects, "Job")["spec"].get("serviceAccountName") == "identity-runner",
      "an existing ServiceAccount runs the server and the migration")
objects, _ = render({"serviceAccount": {"create": False}})
check(pod_of(objects)["spec"].get("serviceAccountName") == "default", "no account created nor named: default")


# The NetworkPolicy.
def np_rules(objects):
    spec = by_kind(objects)["NetworkPolicy"]["spec"]
    return spec, {p["port"]: r for r in spec["ingress"] for p in r.get("ports", [])}


objects, _ = render({})
check("NetworkPolicy" not in by_kind(objects), "no NetworkPolicy by default")
objects, notes = rendered_and_valid({"networkPolicy": {"enabled": True}}, "network policy defaults")
spec, rules = np_rules(objects)
check(spec["policyTypes"] == ["Ingress"] and "egress" not in spec, "egress is left open by default")
check(set(rules) == {8080, 9090} and "from" not in rules[8080], "the API port is open to every client by default")
check(rules[9090].get("from") == [{"podSelector": {}}], f"the metrics port admits this namespace's pods only {rules[9090]}")
check("metrics port" in notes, "NOTES says who may scrape the metrics port")
ingress_ns = {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
prometheus = {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}
monitoring = {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
egress = [{"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}], "ports": [{"port": 5432, "protocol": "TCP"}]}]
objects, _ = rendered_and_valid({"networkPolicy": {
    "enabled": True,
    "api": {"allowExternal": False, "namespaceSelector": ingress_ns},
    "metrics": {"namespaceSelector": monitoring, "podSelector": prometheus},
    "extraIngress": [{"ports": [{"port": 15090, "protocol": "TCP"}]}],
    "egress": {"allowExternal": False, "extraRules": egress}}}, "network policy restricted")
spec, rules = np_rules(objects)
check(rules[8080].get("from") == [{"namespaceSelector": ingress_ns}], f"the API port from the ingress namespace only {rules[8080]}")
check(rules[9090].get("from") == [{"namespaceSelector": monitoring, "podSelector": prometheus}],
      f"the metrics port from Prometheus only {rules[9090]}")
check(15090 in rules, "extra ingress rules")
check(spec["policyTypes"] == ["Ingress", "Egress"] and spec["egress"][1:] == egress
      and {(p["port"], p["protocol"]) for p in spec["egress"][0]["ports"]} == {(53, "UDP"), (53, "TCP")},
      f"restricted egress: DNS and the extra rules {spec.get('egress')}")
objects, _ = render({"networkPolicy": {"enabled": True, "api": {"allowExternal": False,
                                                               "podSelector": {"matchLabels": {"role": "gateway"}}}}})
_, rules = np_rules(objects)
check(rules[8080].get("from") == [{"podSelector": {"matchLabels": {"role": "gateway"}}}], "the API port from this namespace's gateway pods")

# The admin listener: off by default (nothing of it anywhere, the console on the public URL).
def services(objects):
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}


def admin_port(objects):
    ports = pod_of(objects)["spec"]["containers"][0]["ports"]
    return next((p["containerPort"] for p in ports if p["name"] == "admin"), None)


objects, notes = render({"networkPolicy": {"enabled": True}})
env = env_of(objects)
check("TESSERA_HTTP__ADMIN_BIND" not in env and admin_port(objects) is None and "r-tessera-admin" not in services(objects),
      "no admin listener, port nor Service by default")
check(set(np_rules(objects)[1]) == {8080, 9090}, "no admin rule in the NetworkPolicy by default")
check(f"API console: {PUBLIC_URL}/docs" in notes and "port-forward" not in notes and "404" not in notes,
      "NOTES: the console on the public URL by default")
check(env.get("TESSERA_HTTP__API_CONSOLE", {}).get("value") == "true", "the API console is on by default")
check(f"Admin console: {PUBLIC_URL}/console" in notes, "NOTES: the admin console on the public URL by default")
check(env.get("TESSERA_HTTP__ADMIN_CONSOLE", {}).get("value") == "true", "the admin console is on by default")

# On: a NodePort public Service, an Ingress, a ServiceMonitor and a NetworkPolicy with an admin peer.
admins_ns = {"matchLabels": {"kubernetes.io/metadata.name": "identity-admin"}}
admin_pods = {"matchLabels": {"app.kubernetes.io/name": "pool-manager"}}
objects, notes = rendered_and_valid({
    "adminListener": {"enabled": True}, "service": {"type": "NodePort"},
    "ingress": {"enabled": True, "host": "login.acme.test"}, "trustedProxies": ["10.0.0.0/8"],
    "serviceMonitor": {"enabled": True},
    "networkPolicy": {"enabled": True, "api": {"allowExternal": False, "namespaceSelector": ingress_ns},
                      "metrics": {"namespaceSelector": monitoring, "podSelector": prometheus},
                      "admin": {"namespaceSelector": admins_ns, "podSelector": admin_pods}}}, "admin listener")
metrics_kept_inside(objects, "helm admin listener")
env = env_of(objects)
check(env.get("TESSERA_HTTP__ADMIN_BIND", {}).get("value") == "0.0.0.0:8081", f"the admin listener on 8081 {env.get('TESSERA_HTTP__ADMIN_BIND')}")
check(admin_port(objects) == 8081, "the container port `admin` is 8081")
svc = services(objects)
admin_svc = svc.get("r-tessera-admin", {}).get("spec", {})
check(admin_svc.get("type") == "ClusterIP" and admin_svc.get("ports") == [{"name": "admin", "port": 8081, "targetPort": "admin"}],
      f"the admin Service is ClusterIP on 8081 while service.type is NodePort {admin_svc}")
check(admin_svc.get("selector") == by_kind(objects)["Deployment"]["spec"]["selector"]["matchLabels"],
      "the admin Service selects the server's pods")
check(svc["r-tessera"]["spec"]["type"] == "NodePort" and [p["name"] for p in svc["r-tessera"]["spec"]["ports"]] == ["http"],
      "the public Service keeps its type and its http port only")
paths = [path for rule in by_kind(objects)["Ingress"]["spec"]["rules"] for path in rule["http"]["paths"]]
check(paths and all(p["backend"]["service"] == {"name": "r-tessera", "port": {"name": "http"}} for p in paths),
      f"the Ingress routes the public http port only, never the admin one {paths}")
_, rules = np_rules(objects)
check(set(rules) == {8080, 9090, 8081}, f"the NetworkPolicy has a rule for the admin port {sorted(rules)}")
check(rules.get(8081, {}).get("from") == [{"namespaceSelector": admins_ns, "podSelector": admin_pods}]
      and rules[8081]["ports"] == [{"port": 8081, "protocol": "TCP"}],
      f"the admin port from networkPolicy.admin's peers only {rules.get(8081)}")
check(rules[8080].get("from") == [{"namespaceSelector": ingress_ns}] and rules[8080]["ports"] == [{"port": 8080, "protocol": "TCP"}],
      "the API rule does not admit the admin port")
check("kubectl -n identity port-forward svc/r-tessera-admin 8081" in notes, f"NOTES: how to reach the admin API\n{notes}")
check(f"{PUBLIC_URL} answers 404 for /api, /console, /docs and /openapi.json" in notes,
      "NOTES: the public URL answers 404 for the admin paths")
check("http://localhost:8081/docs" in notes and f"API console: {PUBLIC_URL}/docs" not in notes,
      "NOTES: the console is on the admin port, not the public URL")
check("http://localhost:8081/console (the admin console)" in notes and f"Admin console: {PUBLIC_URL}" not in notes,
      "NOTES: the admin console is on the admin port, not the public URL")
check("networkPolicy.admin's peers" in notes, "NOTES: who the NetworkPolicy lets reach the admin port")
check("TESSERA_HTTP__ADMIN_BIND" not in env_of(objects, "Job"), "the migration has no admin listener")
message = refusal({"adminListener": {"enabled": True}, "extraEnv": [{"name": "TESSERA_HTTP__ADMIN_BIND", "value": "0.0.0.0:9000"}]})
check(message is not None and "TESSERA_HTTP__ADMIN_BIND" in message, f"extraEnv may not move the chart's admin listener: {message}")

# Another port, other names, the default admin peer (this namespace), no console.
objects, notes = rendered_and_valid({"adminListener": {"enabled": True, "port": 9443}, "fullnameOverride": "login",
                                     "apiConsole": False, "adminConsole": False, "networkPolicy": {"enabled": True}},
                                    "admin listener on 9443")
check(env_of(objects).get("TESSERA_HTTP__ADMIN_BIND", {}).get("value") == "0.0.0.0:9443" and admin_port(objects) == 9443,
      "the admin listener follows adminListener.port")
check(services(objects).get("login-admin", {}).get("spec", {}).get("ports") == [{"name": "admin", "port": 9443, "targetPort": "admin"}],
      "the admin Service is <fullname>-admin on adminListener.port")
_, rules = np_rules(objects)
check(rules.get(9443, {}).get("from") == [{"podSelector": {}}] and 8081 not in rules,
      f"the admin port from this namespace's pods by default {rules.get(9443)}")
check("kubectl -n identity port-forward svc/login-admin 9443" in notes and "http://localhost:9443/openapi.json" in notes
      and "/docs (the API console)" not in notes and "(the admin console)" not in notes,
      "NOTES: the port, the Service's name, no console")
check(env_of(objects).get("TESSERA_HTTP__API_CONSOLE", {}).get("value") == "false", "apiConsole=false turns the console off")
objects, notes = render({"adminListener": {"enabled": True}})
check("NetworkPolicy" not in by_kind(objects) and "r-tessera-admin" in services(objects), "the admin Service without a NetworkPolicy")
check("networkPolicy.admin" not in notes, "NOTES names no NetworkPolicy rule without one")
for port in (1024, 65535):
    objects, _ = render({"adminListener": {"enabled": True, "port": port}})
    check(admin_port(objects) == port, f"the admin port may be {port}")
objects, notes = render({"apiConsole": False})
check(env_of(objects).get("TESSERA_HTTP__API_CONSOLE", {}).get("value") == "false"
      and f"API console: off (apiConsole=false); the OpenAPI document is at {PUBLIC_URL}/openapi.json" in notes,
      "NOTES: the console is off")
objects, notes = render({"adminConsole": False})
check(env_of(objects).get("TESSERA_HTTP__ADMIN_CONSOLE", {}).get("value") == "false"
      and "Admin console: off (adminConsole=false)" in notes and f"API console: {PUBLIC_URL}/docs" in notes,
      "NOTES: the admin console is off, the API console still on")

# The audit stream: standard output, a webhook signed with a key from a Secret.
objects, notes = render({})
env = env_of(objects)
check(env.get("TESSERA_AUDIT__STDOUT", {}).get("value") == "false" and "TESSERA_AUDIT__WEBHOOK_URL" not in env
      and "TESSERA_AUDIT__WEBHOOK_SECRET" not in env and "Audit events" not in notes, "no audit stream by default")
objects, notes = rendered_and_valid({"audit": {"stdout": True}}, "audit to stdout")
check(env_of(objects).get("TESSERA_AUDIT__STDOUT", {}).get("value") == "true" and "TESSERA_AUDIT__WEBHOOK_URL" not in env_of(objects),
      "audit.stdout alone")
check("Audit events are also streamed to standard output" in notes, "NOTES: audit events on standard output")
hook = {"url": "http://siem.identity.svc:8088/audit?source=tessera", "existingSecret": "siem-hmac", "key": "hmac"}
objects, notes = rendered_and_valid({"audit": {"webhook": hook, "retentionDays": 90}}, "audit webhook")
env = env_of(objects)
check(env.get("TESSERA_AUDIT__WEBHOOK_URL", {}).get("value") == hook["url"], "the webhook URL passed through")
check(env.get("TESSERA_AUDIT__WEBHOOK_SECRET", {}).get("valueFrom") == {"secretKeyRef": {"name": "siem-hmac", "key": "hmac"}},
      f"the webhook's key from its Secret {env.get('TESSERA_AUDIT__WEBHOOK_SECRET')}")
check(env.get("TESSERA_AUDIT__STDOUT", {}).get("value") == "false" and env.get("TESSERA_AUDIT__RETENTION_DAYS", {}).get("value") == "90",
      "the webhook beside stdout off and the retention")
check(f"Audit events are also streamed to {hook['url']} (signed with the key in the Secret siem-hmac)" in notes,
      "NOTES: the webhook and its Secret")
job_env = env_of(objects, "Job")
check(not {"TESSERA_AUDIT__WEBHOOK_URL", "TESSERA_AUDIT__WEBHOOK_SECRET"} & set(job_env), "the migration does not get the webhook's key")
objects, _ = render({"audit": {"webhook": {"existingSecret": "siem-hmac"}}})
check("TESSERA_AUDIT__WEBHOOK_SECRET" not in env_of(objects), "a Secret without a URL sets nothing")
for values in [{"audit": {"webhook": {"url": "https://siem.acme.test/in"}}},
               {"audit": {"webhook": {"url": "https://siem.acme.test/in", "existingSecret": ""}}}]:
    message = refusal(values)
    check(message is not None and "audit.webhook.url needs audit.webhook.existingSecret" in message,
          f"a webhook URL without its Secret is refused, saying so: {message}")
message = refusal({"extraEnv": [{"name": "TESSERA_AUDIT__STDOUT", "value": "true"}]})
check(message is not None and "TESSERA_AUDIT__STDOUT" in message, f"extraEnv may not repeat audit.stdout: {message}")

# NOTES.txt: a warning when an Ingress has no trusted proxies.
_, notes = render({"ingress": {"enabled": True, "allowWithoutTrustedProxies": True}})
check("WARNING" in notes and "trustedProxies" in notes, "NOTES warns of an Ingress without trusted proxies")
_, notes = render({"ingress": {"enabled": True}, "trustedProxies": ["10.0.0.0/8"]})
check("WARNING" not in notes, "no warning with trusted proxies")
_, notes = render({})
check("WARNING" not in notes, "no warning without an Ingress")

# Bad values are refused by the chart's schema, through Helm itself.
for bad in [{"image": {"digest": "sha256:abc"}}, {"image": {"digest": "latest"}}, {"imagePullSecrets": [7]},
            {"imagePullSecrets": [{"secret": "x"}]}, {"global": "mirror"}, {"global": {"imagePullSecrets": "x"}},
            {"nameOverride": "Tessera_ID"}, {"fullnameOverride": "x" * 64}, {"podLabels": {"team": 7}},
            {"podAnnotations": []}, {"nodeSelector": {"zone": True}}, {"tolerations": {"key": "x"}},
            {"topologySpreadConstraints": [{"maxSkew": 1}]}, {"topologySpreadConstraints": "hostname"},
            {"extraEnv": [{"value": "no name"}]}, {"extraEnv": {"A": "b"}}, {"extraVolumes": [{"emptyDir": {}}]},
            {"extraVolumeMounts": [{"name": "x"}]}, {"extraVolumeMounts": [{"name": "x", "mountPath": "relative"}]},
            {"serviceAccount": {"create": "yes"}}, {"serviceAccount": {"automountServiceAccountToken": "false"}},
            {"serviceAccount": {"token": True}}, {"networkPolicy": {"enabled": "true"}},
            {"networkPolicy": {"api": {"allowExternal": False, "namespaces": ["x"]}}},
            {"networkPolicy": {"metrics": {"podSelector": {"app": "prometheus"}}}},
            {"networkPolicy": {"egress": {"allowExternal": False, "extraRules": {}}}},
            {"lifecycle": {"preStop": {"sleep": {"seconds": 0}}}}, {"lifecycle": {"onStop": {}}},
            {"terminationGracePeriodSeconds": 0}, {"terminationGracePeriodSeconds": "30s"},
            {"masterKey": {"previousKeys": {"existingSecret": "old", "key": ""}}},
            {"masterKey": {"previousKeys": ["old-key"]}},
            {"adminListener": {"enabled": True, "port": 0}}, {"adminListener": {"enabled": True, "port": 65536}},
            {"adminListener": {"enabled": True, "port": 443}}, {"adminListener": {"enabled": True, "port": 8080}},
            {"adminListener": {"enabled": True, "port": 9090}}, {"adminListener": {"enabled": True, "port": "8081"}},
            {"adminListener": {"enabled": "true"}}, {"adminListener": {"bind": "0.0.0.0:8081"}},
            {"apiConsole": "false"}, {"adminConsole": "no"}, {"audit": {"stdout": "yes"}},
            {"audit": {"webhook": {"url": "ftp://siem.acme.test/in", "existingSecret": "s"}}},
            {"audit": {"webhook": {"url": "siem.acme.test/in", "existingSecret": "s"}}},
            {"audit": {"webhook": {"url": "https://", "existingSecret": "s"}}},
            {"audit": {"webhook": {"url": "https://siem.acme.test/in", "existingSecret": "s", "key": ""}}},
            {"audit": {"webhook": "https://siem.acme.test/in"}}, {"audit": {"webhookUrl": "https://siem.acme.test/in"}},
            {"networkPolicy": {"admin": {"podSelector": {"app": "pool-manager"}}}},
            {"networkPolicy": {"admin": {"allowExternal": True}}}]:
    try:
        jsonschema.validate(deep_merge({**defaults, "publicUrl": PUBLIC_URL}, bad), schema)
        check(False, f"the schema accepted {bad}")
    except jsonschema.ValidationError:
        check(True, "")
    message = refusal(bad)
    check(message is not None and "schema" in message, f"Helm refused {bad}: {message}")

# The values are documented: every top-level value in the Helm section of docs/operations.md.
operations = open("docs/operations.md").read()
helm_section = operations[operations.index("## Install with Helm"):operations.index("## The first admin password")]
for key in defaults:
    check(f"`{key}" in helm_section, f"docs/operations.md documents the Helm value {key}")
for key in schema["properties"]:
    check(key in defaults, f"values.yaml has a default (and a comment) for {key}")
chart_table = helm_section[helm_section.index("### Chart values"):]
for key in ["adminListener.enabled", "adminListener.port", "apiConsole", "adminConsole", "audit.stdout", "audit.webhook.url",
            "audit.webhook.existingSecret", "audit.webhook.key", "networkPolicy.admin"]:
    head = key.rsplit(".", 1)
    check(f"`{key}" in chart_table or (len(head) == 2 and f"`{head[0]}." in chart_table and f"`.{head[1]}`" in chart_table),
          f"docs/operations.md's chart values table documents {key}")
tls_section = operations[operations.index("## TLS"):operations.index("## Database TLS")]
check("`adminListener.enabled`" in tls_section, "docs/operations.md's TLS section names the chart's adminListener.enabled")

# The image build: base images and the version are build arguments; the image carries OCI labels.
stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", dockerfile, re.M | re.I)
first_from = dockerfile.index("\nFROM ")
global_args = dict(re.findall(r"^ARG\s+(\w+)=(\S*)", dockerfile[:first_from], re.M))
names = {alias for _, alias in stages if alias}
for base, alias in stages:
    arg = re.fullmatch(r"\$\{(\w+)\}", base)
    check(base == "scratch" or (arg and (arg.group(1) in global_args)), f"Dockerfile: FROM {base} comes from a build argument")
    if arg and global_args.get(arg.group(1)) not in names:
        default = global_args.get(arg.group(1), "")
        check(re.fullmatch(r"[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?", default) is not None,
              f"Dockerfile: {arg.group(1)} defaults to a tagged image ({default})")
final_stage = dockerfile[dockerfile.rindex("\nFROM "):]
labels = dict(re.findall(r'(org\.opencontainers\.image\.\w+)="([^"]*)"', final_stage))
check({"org.opencontainers.image.title", "org.opencontainers.image.description", "org.opencontainers.image.source",
       "org.opencontainers.image.licenses", "org.opencontainers.image.version"} <= set(labels), f"Dockerfile: OCI labels {sorted(labels)}")
check(labels.get("org.opencontainers.image.licenses") == "Apache-2.0", "Dockerfile: licensed Apache-2.0")
version_arg = re.fullmatch(r"\$\{(\w+)\}", labels.get("org.opencontainers.image.version", ""))
stage_args = dict(re.findall(r"^ARG\s+(\w+)=(\S*)", final_stage, re.M))
cargo_version = re.search(r'^version\s*=\s*"([^"]+)"', open("Cargo.toml").read(), re.M).group(1)
check(version_arg is not None and stage_args.get(version_arg.group(1)) == cargo_version == APP_VERSION,
      f"Dockerfile: the version label comes from a build argument defaulting to {cargo_version} (the chart's appVersion)")


def ignored(path, patterns):
    """Whether .dockerignore's patterns keep path (relative to the context) out: the last pattern
    matching the path or one of its parent directories decides, `!` re-including."""
    parts = path.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    verdict = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        regex = re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, c) for c in candidates):
            verdict = not negate
    return verdict


patterns = [line.strip() for line in open(".dockerignore") if line.strip() and not line.startswith("#")]
check(ignored("crates/x/node_modules/y", ["**/node_modules"]) and not ignored("crates/target.rs", ["target"])
      and not ignored("a/b", ["a", "!a/b"]), "the .dockerignore matcher")
for path in ["target/debug/tessera", ".git/HEAD", ".cache/deploy-venv/bin/python", "node_modules/x/index.js",
             "bench/peer/node_modules/x/index.js", ".test-artifacts/report.txt", "tessera.db", "tessera.master.key",
             "scripts/__pycache__/check_deploy.cpython-312.pyc", ".mypy_cache/3.12/x.json"]:
    check(ignored(path, patterns), f".dockerignore keeps {path} out of the build context")
tracked = subprocess.run(["git", "ls-files", "Cargo.toml", "Cargo.lock", "crates", "migrations"],
                         capture_output=True, text=True, check=True).stdout.split()
needed = tracked + ["tessera", "deploy/Dockerfile"]  # `tessera`: the binary of BINARY_FROM=prebuilt
kept_out = [p for p in needed if ignored(p, patterns)]
check(len(tracked) > 50 and not kept_out, f".dockerignore keeps what the build needs ({len(tracked)} files): {kept_out[:5]}")

print(f"deploy: {passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
