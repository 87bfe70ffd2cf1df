{{/*
Names are fixed, not derived from the release: the operator finds its Services and Secret by
these names (TRACEROLL_WEBHOOK_SERVICE, ...), and the ClusterRole is cluster-wide, so one
release per cluster. Every install path (Helm, deploy/, bundle/) creates the same objects.
*/}}

{{/* Labels on every object: the canonical two, plus Helm's own. */}}
{{- define "traceroll.labels" -}}
app.kubernetes.io/name: traceroll
app.kubernetes.io/part-of: traceroll
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The operator pods' selector (immutable once installed). */}}
{{- define "traceroll.selectorLabels" -}}
app.kubernetes.io/name: traceroll
app.kubernetes.io/component: operator
{{- end }}

{{- define "traceroll.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The issuer of the webhook's serving certificate in cert-manager mode. */}}
{{- define "traceroll.webhookIssuerRef" -}}
{{- with .Values.webhook.certManager.issuerRef }}
name: {{ required "webhook.certManager.issuerRef.name is required" .name }}
kind: {{ .kind | default "Issuer" }}
group: {{ .group | default "cert-manager.io" }}
{{- else }}
name: traceroll-webhook-ca
kind: Issuer
group: cert-manager.io
{{- end }}
{{- end }}
