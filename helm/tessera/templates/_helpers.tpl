{{- define "tessera.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tessera.labels" -}}
app.kubernetes.io/name: tessera
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "tessera.selector" -}}
app.kubernetes.io/name: tessera
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "tessera.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
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
