# images.sh's reading of a Dockerfile (sourced): the few instructions operator/Dockerfile uses,
# applied with umoci on a base image built here, so the operator image on the real node is the
# image that Dockerfile describes. Anything else (RUN above all: there is nothing here to run it
# in) fails the build rather than be skipped. Not applied: .dockerignore, whose re-included
# paths are exactly the COPY sources (OperatorDockerfileTest checks both).

# dockerfile_apply dockerfile context layout:tag base-ref [NAME=value build args...]
# The layout holds the base image (base-ref) under the tag; FROM must resolve to base-ref.
dockerfile_apply() {
  local file="$1" context="$2" image="$3" base="$4"; shift 4
  local -A build_args=() vars=() before_from=()
  local arg
  for arg in "$@"; do build_args[${arg%%=*}]="${arg#*=}"; done
  local line="" start=0 n=0 raw from_seen=0 workdir=/ config=()
  while IFS= read -r raw || [[ -n "$raw" ]]; do
    n=$((n + 1))
    [[ -z "$line" && ( "$raw" =~ ^[[:space:]]*# || "$raw" =~ ^[[:space:]]*$ ) ]] && continue
    [[ -z "$line" ]] && start=$n
    if [[ "$raw" == *\\ ]]; then line+="${raw%\\} "; continue; fi
    line+="$raw"
    df_instruction "$line"
    line=""
  done < "$file"
  [[ -z "$line" ]] || df_fail "$start" "a continuation line ends the file"
  (( from_seen )) || df_fail 0 "no FROM"
  if (( ${#config[@]} )); then oci_config "$image" "${config[@]}"; fi
}

# Applies one logical line; works on dockerfile_apply's locals (file, start, vars, config, ...).
df_instruction() {
  local instruction="${1%%[[:space:]]*}" args
  args=$(sed -E 's/^[^[:space:]]+[[:space:]]*//; s/[[:space:]]+$//' <<< "$1")
  instruction="${instruction^^}"
  (( from_seen )) || [[ "$instruction" == ARG || "$instruction" == FROM ]] ||
    df_fail "$start" "$instruction before FROM"
  case "$instruction" in
    ARG)
      # An ARG before FROM is seen by FROM only; one after it takes that value unless it has a
      # default of its own; a build argument wins over both.
      local name="${args%%=*}" value=""
      [[ "$args" == *=* ]] && value=$(df_expand "${args#*=}")
      [[ "$args" != *=* && -v "before_from[$name]" ]] && value="${before_from[$name]}"
      [[ -v "build_args[$name]" ]] && value="${build_args[$name]}"
      vars[$name]="$value" ;;
    FROM)
      (( from_seen )) && df_fail "$start" "a second FROM (multi-stage builds are not supported)"
      [[ "$args" =~ ^[^[:space:]]+$ ]] || df_fail "$start" "FROM takes one image (no AS, no --platform)"
      local ref key
      ref=$(df_expand "$args")
      [[ "$ref" == "$base" ]] || df_fail "$start" "FROM $ref: only the base built here, $base, is available"
      for key in "${!vars[@]}"; do before_from[$key]="${vars[$key]}"; done
      vars=()
      from_seen=1 ;;
    LABEL | ENV)
      local expanded pairs key value
      expanded=$(df_expand "$args")
      pairs=$(df_pairs "$expanded")
      while read -r key value; do
        config+=("--config.${instruction,,}" "$key=$value")
        if [[ "$instruction" == ENV ]]; then vars[$key]="$value"; fi
      done <<< "$pairs" ;;
    WORKDIR)
      local expanded
      expanded=$(df_expand "$args")
      workdir=$(df_path "$expanded")
      config+=(--config.workingdir "$workdir")
      local stage
      stage=$(mktemp -d)
      mkdir -p "$stage$workdir"
      oci_layer "$image" "$stage" "WORKDIR $args"
      rm -rf "$stage" ;;
    COPY)
      local expanded
      expanded=$(df_expand "$args")
      df_copy "$expanded" ;;
    USER)
      local user
      user=$(df_expand "$args")
      config+=(--config.user "$user") ;;
    EXPOSE)
      local ports port
      ports=$(df_expand "$args")
      for port in $ports; do
        [[ "$port" == */* ]] || port+=/tcp
        config+=(--config.exposedports "$port")
      done ;;
    ENTRYPOINT)
      jq -e 'type == "array" and length > 0 and all(type == "string")' <<< "$args" >/dev/null 2>&1 ||
        df_fail "$start" "ENTRYPOINT must be in exec form, a JSON array of strings"
      # As in Docker, an ENTRYPOINT drops the base image's command.
      config+=(--clear config.entrypoint --clear config.cmd)
      local element
      while IFS= read -r element; do config+=(--config.entrypoint "$element"); done < <(jq -r '.[]' <<< "$args") ;;
    *) df_fail "$start" "$instruction is not supported by images.sh (only ARG FROM LABEL ENV WORKDIR COPY USER EXPOSE ENTRYPOINT)" ;;
  esac
}

# COPY src... dst, one layer: sources are staged under their destination in a scratch root
# filesystem, owned by root as Docker's COPY without --chown makes them.
df_copy() {
  local words=() stage
  read -ra words <<< "$1"
  (( ${#words[@]} >= 2 )) || df_fail "$start" "COPY needs a source and a destination"
  [[ "${words[0]}" != --* && "${words[0]}" != \[* ]] ||
    df_fail "$start" "COPY flags and the JSON form are not supported"
  local dst="${words[-1]}" srcs=("${words[@]:0:${#words[@]}-1}") src target
  (( ${#srcs[@]} == 1 )) || [[ "$dst" == */ ]] || df_fail "$start" "COPY of several sources needs a directory destination"
  dst=$(df_path "$dst")
  stage=$(mktemp -d)
  for src in "${srcs[@]}"; do
    [[ "$src" != *[*?[]* && "$src" != /* && "/$src/" != */../* ]] ||
      df_fail "$start" "COPY $src: wildcards and paths outside the context are not supported"
    [[ -e "$context/$src" ]] || df_fail "$start" "COPY $src: not found in $context"
    if [[ -d "$context/$src" ]]; then
      mkdir -p "$stage$dst"
      cp -a "$context/$src/." "$stage$dst/"
    else
      target="$dst"
      if [[ "${words[-1]}" == */ ]]; then target="${dst%/}/${src##*/}"; fi
      mkdir -p "$stage$(dirname "$target")"
      cp -a "$context/$src" "$stage$target"
    fi
  done
  chown -R -h 0:0 "$stage"
  oci_layer "$image" "$stage" "COPY $1"
  rm -rf "$stage"
}

# NAME=value pairs (values plain or double-quoted) as "NAME value" lines.
df_pairs() {
  local rest="$1" re='^([^=[:space:]]+)=("([^"\\]*)"|([^"[:space:]]*))[[:space:]]*(.*)$'
  while [[ -n "$rest" ]]; do
    [[ "$rest" =~ $re ]] || df_fail "$start" "cannot read key=value pairs in: $rest"
    printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
    rest="${BASH_REMATCH[5]}"
  done
}

# $NAME and ${NAME} from the ARGs and ENVs in scope; an undefined one is an error here, not "".
df_expand() {
  local s="$1" out="" re='^([^$]*)\$(\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))(.*)$' name
  while [[ "$s" =~ $re ]]; do
    name="${BASH_REMATCH[3]}${BASH_REMATCH[4]}"
    [[ -v "vars[$name]" ]] || df_fail "$start" "\$$name is not defined"
    out+="${BASH_REMATCH[1]}${vars[$name]}"
    s="${BASH_REMATCH[5]}"
  done
  [[ "$s" != *\$* ]] || df_fail "$start" "unsupported substitution in: $1"
  printf '%s' "$out$s"
}

df_path() { # a destination, absolute or relative to WORKDIR
  if [[ "$1" == /* ]]; then printf '%s' "$1"; else printf '%s' "${workdir%/}/$1"; fi
}

df_fail() {
  echo "[images] $file${1:+:$1}: $2" >&2
  exit 1
}
