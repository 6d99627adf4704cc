{{/* The chart's name: nameOverride, else the chart's. */}}
{{- define "tessera.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The objects' name: fullnameOverride, else `<release>-<name>` (always both, so that a release
named `tessera` keeps its `tessera-tessera` objects). */}}
{{- define "tessera.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "tessera.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tessera.labels" -}}
app.kubernetes.io/name: {{ include "tessera.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "tessera.selector" -}}
app.kubernetes.io/name: {{ include "tessera.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{/* A pod's labels: the chart's (which podLabels cannot replace), then podLabels.
Call with (dict "root" $ "component" "server"). */}}
{{- define "tessera.podLabels" -}}
{{- $own := include "tessera.labels" .root | fromYaml -}}
{{- $_ := set $own "app.kubernetes.io/component" .component -}}
{{- toYaml (merge $own (.root.Values.podLabels | default dict)) -}}
{{- end -}}

{{/* [global.imageRegistry or image.registry/]image.repository, then @digest or :tag. */}}
{{- define "tessera.image" -}}
{{- $registry := .Values.image.registry | default "" -}}
{{- with .Values.global }}{{ with .imageRegistry }}{{ $registry = . }}{{ end }}{{ end -}}
{{- $repository := .Values.image.repository -}}
{{- if $registry }}{{ $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository }}{{ end -}}
{{- if .Values.image.digest -}}
{{ $repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ $repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* global.imagePullSecrets then imagePullSecrets (names or {name: …}), each once. */}}
{{- define "tessera.imagePullSecrets" -}}
{{- $names := list -}}
{{- $all := .Values.imagePullSecrets | default list -}}
{{- with .Values.global }}{{ with .imagePullSecrets }}{{ $all = concat . $all }}{{ end }}{{ end -}}
{{- range $all -}}
{{- if kindIs "map" . }}{{ $names = append $names .name }}{{ else }}{{ $names = append $names . }}{{ end -}}
{{- end -}}
{{- with uniq $names -}}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end -}}
{{- end -}}

{{- define "tessera.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tessera.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* publicUrl, which must be set and must not be the documentation's example. */}}
{{- define "tessera.publicUrl" -}}
{{- $url := required "publicUrl is required: the URL clients reach Tessera at (--set publicUrl=https://login.your-company.com); token issuers start with it" .Values.publicUrl -}}
{{- if eq (trimSuffix "/" $url) "https://id.example.com" -}}
{{- fail "publicUrl: https://id.example.com is the documentation's example; set the URL clients reach Tessera at" -}}
{{- end -}}
{{- $url -}}
{{- end -}}

{{/* The environment every Tessera container gets. */}}
{{- define "tessera.env" -}}
- name: TESSERA_DATABASE__URL
  valueFrom: { secretKeyRef: { name: {{ .Values.database.existingSecret }}, key: {{ .Values.database.urlKey }} } }
- name: TESSERA_SECRETS__MASTER_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.masterKey.existingSecret }}, key: {{ .Values.masterKey.key }} } }
{{- with .Values.masterKey.previousKeys }}
{{- if .existingSecret }}
- name: TESSERA_SECRETS__PREVIOUS_MASTER_KEYS
  valueFrom: { secretKeyRef: { name: {{ .existingSecret }}, key: {{ .key }} } }
{{- end }}
{{- end }}
- name: TESSERA_REDIS__URL
  valueFrom: { secretKeyRef: { name: {{ .Values.redis.existingSecret }}, key: {{ .Values.redis.urlKey }} } }
- { name: TESSERA_REDIS__KEY_PREFIX, value: {{ .Values.redis.keyPrefix | quote }} }
- { name: TESSERA_HTTP__PUBLIC_URL, value: {{ include "tessera.publicUrl" . | quote }} }
- { name: TESSERA_LOG__FORMAT, value: {{ .Values.log.format | quote }} }
- { name: TESSERA_LOG__LEVEL, value: {{ .Values.log.level | quote }} }
- { name: TESSERA_AUDIT__RETENTION_DAYS, value: {{ .Values.audit.retentionDays | quote }} }
- { name: MIMALLOC_ARENA_EAGER_COMMIT, value: "0" }
- { name: MIMALLOC_PURGE_DELAY, value: "0" }
{{- end -}}

{{/* Whether the Redis TLS Secret is mounted. */}}
{{- define "tessera.redisTls" -}}
{{- with .Values.redis.tls -}}
{{- if and .existingSecret (or .caKey (and .certKey .keyKey)) }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* The server container's environment (extraEnv comes after it and may not repeat a name). */}}
{{- define "tessera.serverEnv" -}}
- { name: TESSERA_HTTP__BIND, value: "0.0.0.0:8080" }
- { name: TESSERA_HTTP__MANAGEMENT_BIND, value: "0.0.0.0:9090" }
{{- if .Values.adminListener.enabled }}
- { name: TESSERA_HTTP__ADMIN_BIND, value: {{ printf "0.0.0.0:%d" (int .Values.adminListener.port) | quote }} }
{{- end }}
- { name: TESSERA_HTTP__API_CONSOLE, value: {{ ternary "true" "false" .Values.apiConsole | quote }} }
- { name: TESSERA_HTTP__ADMIN_CONSOLE, value: {{ ternary "true" "false" .Values.adminConsole | quote }} }
{{- with .Values.trustedProxies }}
- { name: TESSERA_HTTP__TRUSTED_PROXIES, value: {{ join "," . | quote }} }
{{- end }}
- { name: TESSERA_HTTP__HEADER_READ_TIMEOUT_MS, value: {{ .Values.http.headerReadTimeoutMs | quote }} }
- { name: TESSERA_HTTP__BODY_READ_TIMEOUT_MS, value: {{ .Values.http.bodyReadTimeoutMs | quote }} }
- { name: TESSERA_HTTP__IDLE_TIMEOUT_MS, value: {{ .Values.http.idleTimeoutMs | quote }} }
- { name: TESSERA_HTTP__MAX_CONNECTIONS, value: {{ .Values.http.maxConnections | quote }} }
- { name: TESSERA_LIMITS__LOGINS_PER_MINUTE, value: {{ .Values.limits.loginsPerMinute | quote }} }
- { name: TESSERA_LIMITS__FAILED_EXCHANGES_PER_MINUTE, value: {{ .Values.limits.failedExchangesPerMinute | quote }} }
- { name: TESSERA_LIMITS__FAILED_ADMIN_LOGINS_PER_MINUTE, value: {{ .Values.limits.failedAdminLoginsPerMinute | quote }} }
- { name: TESSERA_LIMITS__FAILED_LOGINS_PER_NETWORK_PER_MINUTE, value: {{ .Values.limits.failedLoginsPerNetworkPerMinute | quote }} }
- { name: TESSERA_LIMITS__FAILED_LOGINS_PER_MINUTE, value: {{ .Values.limits.failedLoginsPerMinute | quote }} }
- { name: TESSERA_LIMITS__KEY_ROTATIONS_PER_MINUTE, value: {{ .Values.limits.keyRotationsPerMinute | quote }} }
{{- with .Values.telemetry.otlpEndpoint }}
- { name: TESSERA_TELEMETRY__OTLP_ENDPOINT, value: {{ . | quote }} }
{{- end }}
- { name: TESSERA_AUDIT__STDOUT, value: {{ ternary "true" "false" .Values.audit.stdout | quote }} }
{{- with .Values.audit.webhook }}
{{- if .url }}
{{- if not .existingSecret }}
{{- fail "audit.webhook.url needs audit.webhook.existingSecret: the events sent to the webhook are signed with a key (at least 32 characters) that must come from a Secret (e.g. kubectl create secret generic tessera-audit-webhook --from-literal=webhook-secret=$(openssl rand -hex 32), then --set audit.webhook.existingSecret=tessera-audit-webhook); the server refuses to start without it" }}
{{- end }}
- { name: TESSERA_AUDIT__WEBHOOK_URL, value: {{ .url | quote }} }
- name: TESSERA_AUDIT__WEBHOOK_SECRET
  valueFrom: { secretKeyRef: { name: {{ .existingSecret }}, key: {{ .key }} } }
{{- end }}
{{- end }}
{{- if .Values.bootstrapAdmin.existingSecret }}
- name: TESSERA_ADMIN__BOOTSTRAP_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .Values.bootstrapAdmin.existingSecret }}, key: {{ .Values.bootstrapAdmin.key }} } }
{{- end }}
{{ include "tessera.env" . }}
{{- if include "tessera.redisTls" . }}
{{- if .Values.redis.tls.caKey }}
- { name: TESSERA_REDIS__TLS_CA_FILE, value: /etc/tessera/redis-tls/ca.crt }
{{- end }}
{{- if and .Values.redis.tls.certKey .Values.redis.tls.keyKey }}
- { name: TESSERA_REDIS__TLS_CERT_FILE, value: /etc/tessera/redis-tls/tls.crt }
- { name: TESSERA_REDIS__TLS_KEY_FILE, value: /etc/tessera/redis-tls/tls.key }
{{- end }}
{{- end }}
{{- if .Values.redis.sentinelPassword.existingSecret }}
- name: TESSERA_REDIS__SENTINEL_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .Values.redis.sentinelPassword.existingSecret }}, key: {{ .Values.redis.sentinelPassword.key }} } }
{{- end }}
{{- end -}}

{{/* A NetworkPolicy peer from {namespaceSelector, podSelector}: an empty namespaceSelector is
this release's namespace, an empty podSelector every pod there. */}}
{{- define "tessera.networkPeer" -}}
{{- if .namespaceSelector }}
- namespaceSelector: {{- toYaml .namespaceSelector | nindent 4 }}
  {{- with .podSelector }}
  podSelector: {{- toYaml . | nindent 4 }}
  {{- end }}
{{- else }}
- podSelector: {{- toYaml (.podSelector | default dict) | nindent 4 }}
{{- end }}
{{- end -}}

{{- define "tessera.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: { drop: ["ALL"] }
{{- end -}}

{{- define "tessera.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
seccompProfile: { type: RuntimeDefault }
{{- end -}}
