{{/*
Names and labels.
*/}}
{{- define "parley.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "parley.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "parley.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "parley.labels" -}}
helm.sh/chart: {{ include "parley.chart" . }}
app.kubernetes.io/name: {{ include "parley.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: parley
{{- with .Values.region }}
parley.io/region: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "auth"). */}}
{{- define "parley.selectorLabels" -}}
app.kubernetes.io/name: {{ include "parley.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "parley.componentLabels" -}}
{{ include "parley.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
The seven services: values key -> component name (also the Service name suffix and the
dist/services/<name> folder).
*/}}
{{- define "parley.components" -}}
gateway: gateway
auth: auth
chat: chat
modelGateway: model-gateway
retrieval: retrieval
files: files
realtime: realtime
{{- end -}}

{{/* Services that serve gRPC. */}}
{{- define "parley.grpcComponents" -}}
auth: true
chat: true
modelGateway: true
retrieval: true
files: true
{{- end -}}

{{/*
Who calls whom over gRPC: the NetworkPolicies admit exactly these callers, and each caller
gets the matching *_GRPC_URL. gateway and realtime take traffic from outside instead.
*/}}
{{- define "parley.callers" -}}
auth: [gateway, realtime]
chat: [gateway, model-gateway, realtime]
model-gateway: [gateway]
retrieval: [gateway, model-gateway]
files: [gateway, model-gateway, retrieval]
realtime: [gateway]
{{- end -}}

{{/* A component's shutdown budget: its own <service>.shutdown values over the global shutdown. */}}
{{- define "parley.shutdownOf" -}}
{{- $own := (index .root.Values .key).shutdown | default dict -}}
{{- toYaml (merge (deepCopy $own) .root.Values.shutdown) -}}
{{- end -}}

{{/* The ServiceAccount a component runs as: its own (create or name), else the shared one. */}}
{{- define "parley.componentServiceAccountName" -}}
{{- $sa := (index .root.Values .key).serviceAccount | default dict -}}
{{- if $sa.create -}}
{{- printf "%s-%s" (include "parley.fullname" .root) .component -}}
{{- else if $sa.name -}}
{{- $sa.name -}}
{{- else -}}
{{- include "parley.serviceAccountName" .root -}}
{{- end -}}
{{- end -}}

{{- define "parley.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "parley.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image of a component; call with (dict "root" $ "component" "auth" "image" $svc.image). */}}
{{- define "parley.image" -}}
{{- $root := .root -}}
{{- $repo := .image.repository -}}
{{- if not $repo -}}
{{- $repo = printf "%s/%s%s" $root.Values.image.registry $root.Values.image.namePrefix .component -}}
{{- end -}}
{{- $tag := .image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- printf "%s:%s" $repo (toString $tag) -}}
{{- end -}}

{{/* In-cluster addresses. */}}
{{- define "parley.grpcAddress" -}}
{{- $root := .root -}}
{{- $key := .key -}}
{{- $svc := index $root.Values $key -}}
{{- /* The headless Service: DNS answers every ready pod, the client balances calls over them. */ -}}
{{- printf "dns:///%s-%s-grpc:%v" (include "parley.fullname" $root) .component $svc.grpcPort -}}
{{- end -}}

{{/* Secret names. */}}
{{- define "parley.connectionsSecretName" -}}
{{- printf "%s-connections" (include "parley.fullname" .) -}}
{{- end -}}

{{- define "parley.webuiSecretName" -}}
{{- if .Values.secrets.webuiSecretKey.existingSecret -}}
{{- .Values.secrets.webuiSecretKey.existingSecret -}}
{{- else -}}
{{- printf "%s-secret-key" (include "parley.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "parley.webuiSecretKeyKey" -}}
{{- if .Values.secrets.webuiSecretKey.existingSecret -}}
{{- .Values.secrets.webuiSecretKey.existingSecretKey -}}
{{- else -}}
WEBUI_SECRET_KEY
{{- end -}}
{{- end -}}

{{- define "parley.callerAssertionSecretName" -}}
{{- if .Values.secrets.callerAssertion.existingSecret -}}
{{- .Values.secrets.callerAssertion.existingSecret -}}
{{- else -}}
{{- printf "%s-caller-assertion" (include "parley.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The Secret with the services' TLS certificate: the named one, or the one cert-manager fills. */}}
{{- define "parley.grpcTlsSecretName" -}}
{{- if .Values.grpcTls.existingSecret -}}
{{- .Values.grpcTls.existingSecret -}}
{{- else -}}
{{- printf "%s-grpc-tls" (include "parley.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
Every name a gRPC client of this release may dial, as a YAML list: each component's Service
(the *_GRPC_URL targets use the short name) in its short, namespaced and cluster-qualified forms,
plus grpcTls.extraDnsNames. One certificate serves every component, as server and as client.
*/}}
{{- define "parley.grpcTlsDnsNames" -}}
{{- $root := . -}}
{{- $names := list -}}
{{- range $key, $component := include "parley.components" $root | fromYaml -}}
{{- $grpc := include "parley.grpcComponents" $root | fromYaml -}}
{{- $base := printf "%s-%s" (include "parley.fullname" $root) $component -}}
{{- range $svc := ternary (list $base (printf "%s-grpc" $base)) (list $base) (hasKey $grpc $key) -}}
{{- $names = concat $names (list $svc (printf "%s.%s" $svc $root.Release.Namespace) (printf "%s.%s.svc" $svc $root.Release.Namespace) (printf "%s.%s.svc.%s" $svc $root.Release.Namespace $root.Values.grpcTls.clusterDomain)) -}}
{{- end -}}
{{- end -}}
{{- $names = concat $names $root.Values.grpcTls.extraDnsNames -}}
{{- toYaml (uniq $names) -}}
{{- end -}}

{{/* The TLS env of every component (docs/internal-tls.md); empty when grpcTls is off. */}}
{{- define "parley.grpcTlsEnv" -}}
{{- if .Values.grpcTls.enabled }}
- name: GRPC_TLS_CERT_FILE
  value: {{ printf "%s/tls.crt" .Values.grpcTls.mountPath | quote }}
- name: GRPC_TLS_KEY_FILE
  value: {{ printf "%s/tls.key" .Values.grpcTls.mountPath | quote }}
- name: GRPC_TLS_CA_FILE
  value: {{ printf "%s/ca.crt" .Values.grpcTls.mountPath | quote }}
{{- end }}
{{- end -}}

{{/* An env var read from the chart's connections Secret or from an existingSecret. */}}
{{- /* `key` (default envName): the key in the chart's connections Secret, when another variable's value is reused. */}}
{{- define "parley.connectionEnv" -}}
- name: {{ .envName }}
  valueFrom:
    secretKeyRef:
      {{- if .cfg.existingSecret }}
      name: {{ .cfg.existingSecret }}
      key: {{ .cfg.existingSecretKey }}
      {{- else }}
      name: {{ include "parley.connectionsSecretName" .root }}
      key: {{ .key | default .envName }}
      {{- end }}
{{- end -}}

{{/* PGVECTOR_DB_URL: vectorDb's own URL or Secret, else the very same database as DATABASE_URL. */}}
{{- define "parley.pgvectorEnv" -}}
{{- $v := .Values.vectorDb -}}
- name: VECTOR_DB
  value: {{ $v.engine | quote }}
{{ if or $v.existingSecret $v.url -}}
{{ include "parley.connectionEnv" (dict "root" . "envName" "PGVECTOR_DB_URL" "cfg" $v) }}
{{- else -}}
{{ include "parley.connectionEnv" (dict "root" . "envName" "PGVECTOR_DB_URL" "key" "DATABASE_URL" "cfg" .Values.postgresql) }}
{{- end }}
{{- end -}}

{{- define "parley.redisEnv" -}}
{{- $root := . -}}
{{ include "parley.connectionEnv" (dict "root" $root "envName" "REDIS_URL" "cfg" $root.Values.redis) }}
- name: REDIS_MODE
  value: {{ $root.Values.redis.mode | quote }}
{{- if eq $root.Values.redis.mode "sentinel" }}
- name: REDIS_SENTINEL_HOSTS
  value: {{ join "," $root.Values.redis.sentinel.hosts | quote }}
- name: REDIS_SENTINEL_PORT
  value: {{ $root.Values.redis.sentinel.port | quote }}
- name: REDIS_SENTINEL_MASTER_NAME
  value: {{ $root.Values.redis.sentinel.masterName | quote }}
{{- end }}
{{- end -}}

{{/*
Environment of one component; call with (dict "root" $ "key" "modelGateway" "component" "model-gateway").
Only what each service reads: see README.md for the table.
*/}}
{{- define "parley.env" -}}
{{- $root := .root -}}
{{- $key := .key -}}
{{- $component := .component -}}
{{- $svc := index $root.Values $key -}}
{{- $grpc := include "parley.grpcComponents" $root | fromYaml -}}
{{- $callers := include "parley.callers" $root | fromYaml -}}
{{- if eq $component "gateway" }}
- name: PORT
  value: {{ $svc.httpPort | quote }}
- name: METRICS_PORT
  value: {{ $svc.metricsPort | quote }}
- name: GRPC_API_PORT
  value: {{ $svc.grpcApiPort | quote }}
{{- if $svc.grpcApiTls.secretName }}
- name: GRPC_API_TLS_CERT_FILE
  value: /etc/parley/grpc-api-tls/tls.crt
- name: GRPC_API_TLS_KEY_FILE
  value: /etc/parley/grpc-api-tls/tls.key
{{- end }}
# Which proxies' X-Forwarded-For / X-Forwarded-Proto the gateway believes (client address, https).
- name: TRUST_PROXY
  value: {{ $svc.trustProxy | quote }}
{{- else }}
- name: HTTP_PORT
  value: {{ $svc.httpPort | quote }}
{{- end }}
{{- if hasKey $grpc $key }}
- name: GRPC_PORT
  value: {{ $svc.grpcPort | quote }}
{{- end }}
{{- if has $component (list "auth" "chat" "model-gateway" "retrieval" "files") }}
{{ include "parley.connectionEnv" (dict "root" $root "envName" "DATABASE_URL" "cfg" $root.Values.postgresql) }}
- name: DATABASE_POOL_SIZE
  value: {{ $root.Values.postgresql.poolSize | quote }}
{{- end }}
{{- if eq $component "retrieval" }}
{{ include "parley.pgvectorEnv" $root }}
{{- end }}
{{- /* Per region its own queue groups, JetStream consumers and Redis keys (docs/multi-region.md). */}}
{{- if and $root.Values.region (eq $component "realtime") }}
- name: REALTIME_CLUSTER
  value: {{ printf "%s-%s" (include "parley.fullname" $root) $root.Values.region | quote }}
{{- end }}
{{- if and $root.Values.region (eq $component "model-gateway") }}
- name: MODEL_GATEWAY_CLUSTER
  value: {{ printf "%s-%s" (include "parley.fullname" $root) $root.Values.region | quote }}
{{- end }}
{{- if has $component (list "gateway" "auth" "realtime" "model-gateway") }}
{{ include "parley.redisEnv" $root }}
{{- end }}
{{- if and $root.Values.models.defaultModels (has $component (list "gateway" "model-gateway")) }}
# Open WebUI's DEFAULT_MODELS: /api/config's default_models, and the custom-model fallback.
- name: DEFAULT_MODELS
  value: {{ $root.Values.models.defaultModels | quote }}
{{- end }}
{{- if and $root.Values.models.customModelFallback (eq $component "model-gateway") }}
- name: ENABLE_CUSTOM_MODEL_FALLBACK
  value: "true"
{{- end }}
{{- if ne $component "gateway" }}
{{- if $root.Values.nats.existingSecret }}
{{ include "parley.connectionEnv" (dict "root" $root "envName" "NATS_URL" "cfg" $root.Values.nats) }}
{{- else }}
- name: NATS_URL
  value: {{ $root.Values.nats.url | quote }}
{{- end }}
{{- end }}
- name: CALLER_ASSERTION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.callerAssertionSecretName" $root }}
      key: {{ ternary $root.Values.secrets.callerAssertion.existingSecretKey "CALLER_ASSERTION_SECRET" (ne $root.Values.secrets.callerAssertion.existingSecret "") }}
{{- include "parley.grpcTlsEnv" $root }}
{{- with $root.Values.secrets.callerAssertion.previousSecretsKey }}
- name: CALLER_ASSERTION_PREVIOUS_SECRETS
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.callerAssertionSecretName" $root }}
      key: {{ . }}
      optional: true
{{- end }}
{{- if has $component (list "auth" "model-gateway" "retrieval") }}
- name: WEBUI_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "parley.webuiSecretName" $root }}
      key: {{ include "parley.webuiSecretKeyKey" $root }}
{{- end }}
{{- /* gRPC addresses: every caller of a service gets its URL (the callers table above). */}}
{{- range $targetKey, $target := include "parley.components" $root | fromYaml }}
{{- if and (hasKey $grpc $targetKey) (has $component (get $callers $target)) }}
- name: {{ printf "%s_GRPC_URL" ($target | upper | replace "-" "_") }}
  value: {{ include "parley.grpcAddress" (dict "root" $root "key" $targetKey "component" $target) | quote }}
{{- end }}
{{- end }}
{{- if eq $component "gateway" }}
- name: AUTH_HTTP_URL
  value: {{ printf "http://%s-auth:%v" (include "parley.fullname" $root) $root.Values.auth.httpPort | quote }}
- name: REALTIME_URL
  value: {{ printf "http://%s-realtime:%v" (include "parley.fullname" $root) $root.Values.realtime.httpPort | quote }}
{{- end }}
{{- if eq $component "auth" }}
- name: ENABLE_SIGNUP
  value: {{ $root.Values.accounts.enableSignup | quote }}
- name: DEFAULT_USER_ROLE
  value: {{ $root.Values.accounts.defaultUserRole | quote }}
- name: JWT_EXPIRES_IN
  value: {{ $root.Values.accounts.jwtExpiresIn | quote }}
{{- end }}
{{- if eq $component "model-gateway" }}
{{- with $svc.proxy.httpProxy }}
- name: HTTP_PROXY
  value: {{ . | quote }}
{{- end }}
{{- with $svc.proxy.httpsProxy }}
- name: HTTPS_PROXY
  value: {{ . | quote }}
{{- end }}
{{- with $svc.proxy.noProxy }}
- name: NO_PROXY
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if eq $component "realtime" }}
- name: WEBSOCKET_ALLOW_POLLING
  value: {{ $svc.allowPolling | quote }}
{{- end }}
{{- $limits := $root.Values.files.limits }}
{{- if and (has $component (list "files" "gateway")) $limits.maxFileSizeMb }}
- name: RAG_FILE_MAX_SIZE
  value: {{ $limits.maxFileSizeMb | quote }}
{{- end }}
{{- if and (eq $component "gateway") $limits.maxFileCount }}
- name: RAG_FILE_MAX_COUNT
  value: {{ $limits.maxFileCount | quote }}
{{- end }}
{{- if eq $component "files" }}
{{- with $limits.allowedExtensions }}
- name: RAG_ALLOWED_FILE_EXTENSIONS
  value: {{ join "," . | quote }}
{{- end }}
{{- if $limits.userQuotaMb }}
- name: FILES_USER_QUOTA_MB
  value: {{ $limits.userQuotaMb | quote }}
{{- end }}
{{- $storage := $svc.storage }}
- name: STORAGE_PROVIDER
  value: {{ $storage.provider | quote }}
{{- if eq $storage.provider "local" }}
- name: UPLOAD_DIR
  value: {{ $storage.local.dir | quote }}
{{- else }}
- name: S3_ENDPOINT_URL
  value: {{ $storage.s3.endpointUrl | quote }}
- name: S3_REGION_NAME
  value: {{ $storage.s3.region | quote }}
- name: S3_BUCKET_NAME
  value: {{ $storage.s3.bucket | quote }}
- name: S3_ADDRESSING_STYLE
  value: {{ $storage.s3.addressingStyle | quote }}
{{- with $storage.s3.existingSecret }}
- name: S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: S3_ACCESS_KEY_ID }
- name: S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef: { name: {{ . }}, key: S3_SECRET_ACCESS_KEY }
{{- end }}
{{- end }}
{{- end }}
- name: LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ (include "parley.shutdownOf" (dict "root" $root "key" $key) | fromYaml).graceMs | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "parley-%s" $component | quote }}
{{- with $root.Values.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- if $root.Values.otel.metrics }}
- name: ENABLE_OTEL_METRICS
  value: "true"
{{- end }}
{{- with $root.Values.redis.keyPrefix }}
# The installation's name on a shared Redis and NATS (docs/installation-prefix.md): every service.
- name: REDIS_KEY_PREFIX
  value: {{ . | quote }}
{{- end }}
{{- $attrs := list -}}
{{- with $root.Values.otel.resourceAttributes }}{{ $attrs = append $attrs . }}{{ end -}}
{{- with $root.Values.region }}{{ $attrs = append $attrs (printf "cloud.region=%s" .) }}{{ end -}}
{{- if $attrs }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ join "," $attrs | quote }}
{{- end }}
{{- with $root.Values.region }}
- name: PARLEY_REGION
  value: {{ . | quote }}
{{- end }}
{{- if or $root.Values.caBundle.configMapName $root.Values.caBundle.secretName }}
- name: NODE_EXTRA_CA_CERTS
  value: /etc/parley/ca-bundle/ca.crt
{{- end }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Checks that no schema can express. */}}
{{- define "parley.validate" -}}
{{- /* Each pod's grace must hold the preStop sleep, the drain and 5 s to close clients and flush spans. */ -}}
{{- range $key, $component := include "parley.components" . | fromYaml -}}
{{- $s := include "parley.shutdownOf" (dict "root" $ "key" $key) | fromYaml -}}
{{- $where := ternary (printf "%s.shutdown" $key) "shutdown" (hasKey (index $.Values $key) "shutdown") -}}
{{- if lt (mul (int $s.terminationGracePeriodSeconds) 1000) (add (int $s.graceMs) (mul (int $s.preStopSleepSeconds) 1000) 5000) -}}
{{- fail (printf "%s.terminationGracePeriodSeconds (%v s) must be at least preStopSleepSeconds (%v s) plus graceMs (%v ms) plus 5 s for %s, or Kubernetes kills its pods mid-drain" $where $s.terminationGracePeriodSeconds $s.preStopSleepSeconds $s.graceMs $component) -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.postgresql.existingSecret) (not .Values.postgresql.url) -}}
{{- fail "postgresql.url or postgresql.existingSecret is required (DATABASE_URL)" -}}
{{- end -}}
{{- if and (not .Values.redis.existingSecret) (not .Values.redis.url) -}}
{{- fail "redis.url or redis.existingSecret is required (REDIS_URL)" -}}
{{- end -}}
{{- if and (not .Values.nats.existingSecret) (not .Values.nats.url) -}}
{{- fail "nats.url or nats.existingSecret is required (NATS_URL)" -}}
{{- end -}}
{{- if and (eq .Values.redis.mode "sentinel") (not .Values.redis.sentinel.hosts) -}}
{{- fail "redis.sentinel.hosts must list the Sentinel hosts when redis.mode is sentinel" -}}
{{- end -}}
{{- range $key, $component := include "parley.components" . | fromYaml -}}
{{- $a := (index $.Values $key).autoscaling -}}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- fail (printf "%s.autoscaling.minReplicas (%v) must not exceed %s.autoscaling.maxReplicas (%v)" $key $a.minReplicas $key $a.maxReplicas) -}}
{{- end -}}
{{- end -}}
{{- $tls := .Values.grpcTls -}}
{{- if and $tls.enabled (not $tls.existingSecret) (not $tls.certManager.issuerRef.name) -}}
{{- fail "grpcTls.enabled needs grpcTls.existingSecret (a Secret with tls.crt, tls.key and ca.crt) or grpcTls.certManager.issuerRef.name (cert-manager issues the certificate)" -}}
{{- end -}}
{{- if and $tls.enabled $tls.existingSecret $tls.certManager.issuerRef.name -}}
{{- fail "grpcTls: set either grpcTls.existingSecret or grpcTls.certManager.issuerRef.name, not both" -}}
{{- end -}}
{{- $files := .Values.files -}}
{{- if and (eq $files.storage.provider "local") (or $files.autoscaling.enabled (gt (int $files.replicaCount) 1)) (not (and $files.storage.local.persistence.enabled (has "ReadWriteMany" $files.storage.local.persistence.accessModes))) -}}
{{- fail "files: more than one copy (files.replicaCount > 1 or files.autoscaling.enabled) with files.storage.provider local needs a shared volume: files.storage.local.persistence.enabled with accessModes [ReadWriteMany]. Otherwise each copy would see only its own files: use files.storage.provider s3, or keep one copy." -}}
{{- end -}}
{{- if and .Values.caBundle.configMapName .Values.caBundle.secretName -}}
{{- fail "caBundle: set configMapName or secretName, not both" -}}
{{- end -}}
{{- if and .Values.grpcApi.grpcRoute.enabled (not .Values.grpcApi.grpcRoute.parentRefs) -}}
{{- fail "grpcApi.grpcRoute.enabled needs grpcApi.grpcRoute.parentRefs: the Gateway(s) the GRPCRoute attaches to" -}}
{{- end -}}
{{- if and .Values.grpcApi.ingress.enabled (not .Values.grpcApi.ingress.hosts) -}}
{{- fail "grpcApi.ingress.enabled needs grpcApi.ingress.hosts: the host name(s) gRPC clients call" -}}
{{- end -}}
{{- if and .Values.gatewayApi.enabled (not .Values.gatewayApi.parentRefs) -}}
{{- fail "gatewayApi.enabled needs gatewayApi.parentRefs: the Gateway(s) the HTTPRoute attaches to" -}}
{{- end -}}
{{- if and (eq .Values.files.storage.provider "s3") (not .Values.files.storage.s3.bucket) -}}
{{- fail "files.storage.s3.bucket is required when files.storage.provider is s3" -}}
{{- end -}}
{{- end -}}

{{/* The most PostgreSQL connections the install opens: every data-owning service at its maximum copies. */}}
{{- define "parley.connectionBudget" -}}
{{- $total := 1 -}}
{{- range $key, $component := include "parley.components" . | fromYaml -}}
{{- if has $component (list "auth" "chat" "model-gateway" "retrieval" "files") -}}
{{- $svc := index $.Values $key -}}
{{- $copies := ternary $svc.autoscaling.maxReplicas $svc.replicaCount $svc.autoscaling.enabled -}}
{{- $total = add $total (mul (int $copies) (int $.Values.postgresql.poolSize)) -}}
{{- end -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/* One egress rule to a dependency outside the chart; peers are required when egress policies are on. */}}
{{- define "parley.egressRule" -}}
{{- if not .peers -}}
{{- fail (printf "networkPolicy.egress.%s must list where %s is (NetworkPolicy peers: ipBlock, namespaceSelector, podSelector) when networkPolicy.egress.enabled is true" .name .name) -}}
{{- end -}}
- to:
    {{- toYaml .peers | nindent 4 }}
  ports:
    {{- range .ports }}
    - { port: {{ . }}, protocol: TCP }
    {{- end }}
{{- end -}}
