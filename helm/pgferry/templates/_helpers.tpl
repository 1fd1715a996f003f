{{- define "pgferry.fullname" -}}
{{- printf "%s-pgferry" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "pgferry.labels" -}}
app.kubernetes.io/name: pgferry
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "pgferry.selector" -}}
app.kubernetes.io/name: pgferry
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* A name as the environment variables spell it: one word of letters and digits, upper case. */}}
{{- define "pgferry.envName" -}}
{{- $n := upper . -}}
{{- if not (regexMatch "^[A-Z0-9]+$" $n) -}}
{{- fail (printf "%q: instance, mapping and user names are one word of letters and digits (an underscore or dash would split the environment variable's name)" .) -}}
{{- end -}}
{{- $n -}}
{{- end -}}

{{/* The Secret this chart creates from password values, when any is given. */}}
{{- define "pgferry.secretName" -}}
{{- printf "%s-passwords" (include "pgferry.fullname" .) -}}
{{- end -}}
