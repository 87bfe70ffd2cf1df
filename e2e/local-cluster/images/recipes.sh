# What each image of images.sh holds (sourced). Per image NAME: inputs_NAME adds the recipe lines
# (checksums of every input file, tool versions) whose hash names its archive, and image_NAME
# builds OCI layout $1 with tag $2, using $3 as scratch space. Both functions' text is part of
# the recipe, so editing one rebuilds that image.

inputs_pause() {
  need go "https://go.dev/dl"
  recipe_files "$HERE/images/pause" main.go go.mod
  recipe "$(go version)"
}
inputs_java-runtime() {
  [[ -x "$JDK/bin/jlink" && -f "$JDK/jmods/java.base.jmod" ]] ||
    fail "no JDK 17 with jmods at $JDK (apt-get install openjdk-17-jdk-headless)"
  recipe_files / "$JDK/release" /etc/ssl/certs/java/cacerts /etc/ssl/certs/ca-certificates.crt /bin/busybox
  recipe "modules $JAVA_MODULES"
  # The packages of the libraries and the locale copied from the host.
  recipe "$(dpkg-query -W libc6 libc-bin zlib1g libstdc++6 libgcc-s1 2>/dev/null || true)"
}
inputs_operator() {
  local jar="$ROOT/operator/target/traceroll-operator.jar"
  [[ -f "$jar" && -d "$ROOT/operator/target/lib" ]] ||
    fail "no $jar or its lib/ (run: ./mvnw -B -q install -DskipTests)"
  recipe "base ${DIGEST[java-runtime]}" # its digest, not its key: see image_java-runtime
  recipe "$(declare -f dockerfile_apply df_instruction df_copy df_pairs df_expand df_path)"
  recipe_files "$ROOT" operator/Dockerfile operator/target/traceroll-operator.jar \
    $(cd "$ROOT" && ls -d operator/target/lib/*)
}
inputs_agent() {
  local jar
  jar=$(agent_jar)
  recipe_files / "$jar" /bin/busybox
}
# Like public images that carry heap caps there, the shop's config sets JAVA_TOOL_OPTIONS; the
# real-pod tests check that the JVM still sees it beside the injected agent.
SHOP_IMAGE_JAVA_TOOL_OPTIONS="-Dshop.image.option=kept"
inputs_shop() {
  recipe "base ${DIGEST[java-runtime]}" # its digest, not its key: see image_java-runtime
  recipe "env JAVA_TOOL_OPTIONS=$SHOP_IMAGE_JAVA_TOOL_OPTIONS"
  recipe_files "$HERE/images/demo-shop" $(cd "$HERE/images/demo-shop" && find src -name '*.java' | sort)
}
# A JVM server that already carries a tracer: the shop with the OpenTelemetry Java agent in its
# image and in its image's JAVA_TOOL_OPTIONS (exporting nothing), which its spec does not show.
TRACED_SHOP_JAVA_TOOL_OPTIONS="-javaagent:/opt/otel/opentelemetry-javaagent.jar -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none"
inputs_traced-shop() {
  recipe "base ${DIGEST[shop]}"
  recipe "env JAVA_TOOL_OPTIONS=$TRACED_SHOP_JAVA_TOOL_OPTIONS"
  local jar
  jar=$(agent_jar)
  recipe_files / "$jar"
}
inputs_jaeger() {
  local bin
  bin=$(go_binary jaeger "$JAEGER_VERSION")
  recipe_files / "$bin"
}
inputs_coredns() {
  local bin
  bin=$(go_binary coredns "$COREDNS_VERSION")
  recipe_files / "$bin"
}
inputs_toolbox() { recipe_files / /bin/busybox; }

# A binary that build.sh makes from a Go module (built now when missing: minutes).
go_binary() { # name version
  local bin="$CACHE/bin/$1-$2"
  if [[ ! -x "$bin" ]]; then
    log "no $bin: building it (bash e2e/local-cluster/build.sh $1)"
    bash "$HERE/build.sh" "$1" >/dev/null
  fi
  echo "$bin"
}

# The OpenTelemetry Java agent from the local Maven repository, fetched there from Maven Central
# by the Maven wrapper when missing; checked against Central's SHA-1 that Maven keeps beside it.
agent_jar() {
  local coords="io.opentelemetry.javaagent:opentelemetry-javaagent:$AGENT_VERSION"
  local jar="$HOME/.m2/repository/io/opentelemetry/javaagent/opentelemetry-javaagent/$AGENT_VERSION/opentelemetry-javaagent-$AGENT_VERSION.jar"
  if [[ ! -f "$jar" ]]; then
    log "downloading $coords with the Maven wrapper"
    local tmp
    tmp=$(mktemp -d)
    (cd "$ROOT" && ./mvnw -B -q -N -C dependency:copy -Dartifact="$coords" -DoutputDirectory="$tmp") >&2
    rm -rf "$tmp"
  fi
  [[ -f "$jar.sha1" ]] || fail "no $jar.sha1 to check $jar against"
  [[ "$(cut -c1-40 "$jar.sha1")" == "$(sha1sum < "$jar" | cut -c1-40)" ]] ||
    fail "$jar does not match its SHA-1 from Maven Central"
  echo "$jar"
}

image_pause() {
  local r="$3/rootfs"
  mkdir -p "$r"
  (cd "$HERE/images/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$r/pause" .)
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "pause: the pod sandbox program"
  oci_config "$1:$2" --config.entrypoint /pause --config.user 65535:65535
}

# The stand-in for gcr.io/distroless/java17-debian12:nonroot: a jlink'd JDK 17 at Debian's path,
# java on PATH, the host's CA certificates, the glibc libraries the runtime loads, and busybox
# (distroless has no shell). The class data sharing archive that Debian's package has too makes
# JVMs start faster; JDK 17 does not write it byte for byte the same twice, so this one image
# changes digest when rebuilt from the same inputs. The images on it are keyed by its digest:
# they are rebuilt with it, and keep sharing its layer in containerd.
image_java-runtime() {
  local r="$3/rootfs" home=/usr/lib/jvm/java-17-openjdk-amd64
  mkdir -p "$r/usr/lib/jvm"
  merged_usr "$r"
  users_into "$r"
  busybox_into "$r" usr/bin
  "$JDK/bin/jlink" --add-modules "$JAVA_MODULES" --strip-debug --no-header-files --no-man-pages \
    --compress=2 --generate-cds-archive --output "$r$home" >/dev/null
  ln -s "../lib/jvm/java-17-openjdk-amd64/bin/java" "$r/usr/bin/java"
  mkdir -p "$r/etc/ssl/certs/java"
  install -m 644 /etc/ssl/certs/java/cacerts "$r/etc/ssl/certs/java/cacerts"
  install -m 644 /etc/ssl/certs/ca-certificates.crt "$r/etc/ssl/certs/ca-certificates.crt"
  ln -sf /etc/ssl/certs/java/cacerts "$r$home/lib/security/cacerts"
  echo 'hosts: files dns' > "$r/etc/nsswitch.conf"
  # LANG=C.UTF-8 gives the JVM UTF-8 file names and default charset only with this locale.
  mkdir -p "$r/usr/lib/locale"
  cp -a /usr/lib/locale/C.utf8 "$r/usr/lib/locale/"
  host_libs_into "$r" "$r$home"
  # Fails here rather than in a pod when a library is missing. The launcher finds libjli.so
  # through $ORIGIN, which glibc resolves with /proc/self/exe: the chroot needs its own /proc.
  mkdir -p "$r/proc"
  local check
  check=$(unshare --mount --pid --fork --mount-proc="$r/proc" chroot --userspec=65532:65532 "$r" \
    /usr/bin/env LANG=C.UTF-8 java -XshowSettings:properties -version 2>&1) ||
    fail "java does not run in the image's root filesystem: $check"
  grep -q 'file.encoding = UTF-8' <<< "$check" || fail "java in the image does not default to UTF-8"
  log "  $(grep -m1 ' version ' <<< "$check") runs in a chroot of it as 65532"
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "java-runtime: jlink'd JDK 17, glibc, CA certificates, busybox"
  oci_config "$1:$2" --config.user 65532:65532 --config.workingdir /home/nonroot \
    --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt --config.env LANG=C.UTF-8 \
    --config.env "JAVA_VERSION=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JDK/release")" \
    --config.entrypoint /usr/bin/java --config.entrypoint -jar
}

# operator/Dockerfile itself, on the base above (images/dockerfile.sh).
image_operator() {
  oci_from "$1" "${ARCHIVE[java-runtime]}" "$2"
  dockerfile_apply "$ROOT/operator/Dockerfile" "$ROOT" "$1:$2" "$JAVA_RUNTIME_IMAGE" \
    "BASE_IMAGE=$JAVA_RUNTIME_IMAGE"
}

# As upstream's image: busybox (the injected init container runs cp) and /javaagent.jar readable
# by every user; like upstream it names no user (the init container sets runAsUser).
image_agent() {
  local r="$3/rootfs"
  mkdir -p "$r"
  users_into "$r"
  busybox_into "$r" bin
  local jar
  jar=$(agent_jar)
  install -m 644 "$jar" "$r/javaagent.jar"
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "busybox and opentelemetry-javaagent-$AGENT_VERSION.jar"
  oci_config "$1:$2" --config.env PATH=/bin --config.cmd sh
}

image_shop() {
  local r="$3/rootfs" classes="$3/classes"
  mkdir -p "$r/app" "$classes"
  (cd "$HERE/images/demo-shop" && "$JDK/bin/javac" --release 17 -d "$classes" $(find src -name '*.java'))
  "$JDK/bin/jar" --create --file "$r/app/demo-shop.jar" --date 1980-01-01T00:00:02Z \
    --main-class io.traceroll.demoshop.DemoShop -C "$classes" .
  oci_from "$1" "${ARCHIVE[java-runtime]}" "$2"
  oci_layer "$1:$2" "$r" "demo-shop.jar"
  oci_config "$1:$2" --config.user 65532:65532 --config.workingdir /app \
    --config.exposedports 8080/tcp --clear config.cmd \
    --config.env "JAVA_TOOL_OPTIONS=$SHOP_IMAGE_JAVA_TOOL_OPTIONS" \
    --config.entrypoint java --config.entrypoint -jar --config.entrypoint /app/demo-shop.jar
}

image_traced-shop() {
  local r="$3/rootfs"
  mkdir -p "$r/opt/otel"
  install -m 644 "$(agent_jar)" "$r/opt/otel/opentelemetry-javaagent.jar"
  oci_from "$1" "${ARCHIVE[shop]}" "$2"
  oci_layer "$1:$2" "$r" "opentelemetry-javaagent-$AGENT_VERSION.jar"
  oci_config "$1:$2" --config.env "JAVA_TOOL_OPTIONS=$TRACED_SHOP_JAVA_TOOL_OPTIONS"
}

# Jaeger v2 without --config runs all-in-one on memory storage: OTLP 4317 (gRPC) and 4318
# (HTTP), query UI and API 16686 (gRPC 16685), Jaeger 14250/14268, Zipkin 9411, remote sampling
# 5778/5779, health 13133, metrics 8888. It binds to localhost unless JAEGER_LISTEN_HOST is set,
# which upstream's image sets as here. Its gRPC health check still listens on "localhost": the
# image's /etc/hosts names it where no kubelet mounts one (ctr run).
image_jaeger() {
  local r="$3/rootfs"
  mkdir -p "$r/tmp" "$r/etc"
  chmod 1777 "$r/tmp"
  printf '127.0.0.1 localhost\n::1 localhost\n' > "$r/etc/hosts"
  local bin
  bin=$(go_binary jaeger "$JAEGER_VERSION")
  install -m 755 "$bin" "$r/jaeger"
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "jaeger $JAEGER_VERSION"
  oci_config "$1:$2" --config.entrypoint /jaeger --config.user 65532:65532 \
    --config.env JAEGER_LISTEN_HOST=0.0.0.0 --config.exposedports 4317/tcp \
    --config.exposedports 4318/tcp --config.exposedports 16686/tcp
}

# CoreDNS reads its Corefile from a ConfigMap (-conf). As user 65532 it cannot bind port 53:
# serve on a port above 1023 behind the Service's port 53.
image_coredns() {
  local r="$3/rootfs"
  mkdir -p "$r"
  local bin
  bin=$(go_binary coredns "$COREDNS_VERSION")
  install -m 755 "$bin" "$r/coredns"
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "coredns $COREDNS_VERSION"
  oci_config "$1:$2" --config.entrypoint /coredns --config.user 65532:65532
}

image_toolbox() {
  local r="$3/rootfs"
  mkdir -p "$r"
  users_into "$r"
  busybox_into "$r" bin
  oci_new "$1" "$2"
  oci_layer "$1:$2" "$r" "busybox"
  oci_config "$1:$2" --config.env PATH=/bin --config.cmd sh --config.user 65532:65532
}

