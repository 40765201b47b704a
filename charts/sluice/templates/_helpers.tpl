{{/* Names and labels shared by every template. */}}

{{- define "sluice.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* release-chart, or the release name alone when it already contains the chart name. */}}
{{- define "sluice.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Leader election is always on with more than one replica. */}}
{{- define "sluice.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{- end }}
{{- end }}

{{/* The operator's permissions in a watched namespace: exactly the calls it makes (see rbac.yaml). */}}
{{- define "sluice.rules" -}}
# Informer (operator_app.cpp): list+watch; reads come from its cache, never a single GET.
- apiGroups: [sluice.dev]
  resources: [pipelines]
  verbs: [list, watch]
# pipeline_reconciler.cpp: Ready condition written with update_status (PUT).
- apiGroups: [sluice.dev]
  resources: [pipelines/status]
  verbs: [update]
# Informer (list, watch); execution_reconciler.cpp merge-patches the sluice.dev/pipeline label (patch).
- apiGroups: [sluice.dev]
  resources: [pipelineexecutions]
  verbs: [list, watch, patch]
# execution_reconciler.cpp writeStatus: update_status (PUT).
- apiGroups: [sluice.dev]
  resources: [pipelineexecutions/status]
  verbs: [update]
# job_spec.cpp sets blockOwnerDeletion on the Job's ownerReference to its execution; OwnerReferencesPermissionEnforcement requires this.
- apiGroups: [sluice.dev]
  resources: [pipelineexecutions/finalizers]
  verbs: [update]
# execution_reconciler.cpp creates and deletes step Jobs; the Job informer lists and watches them.
- apiGroups: [batch]
  resources: [jobs]
  verbs: [create, delete, list, watch]
# Pod informer (operator_app.cpp): step results from pod phase and termination message.
- apiGroups: [""]
  resources: [pods]
  verbs: [list, watch]
# event_recorder.cpp: POSTs core/v1 Events (never patches them; no events.k8s.io).
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end }}

{{/* sluice-ui (ui.enabled): its own name, so the operator's selectors never match its pods. */}}
{{- define "sluice.ui.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" . }}-ui
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sluice.ui.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "sluice.ui.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: ui
{{- end }}
