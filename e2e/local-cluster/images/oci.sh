# Root filesystems and their packing into OCI archives with umoci, for images.sh (sourced).
# There is no registry and no Docker here: an image is an OCI layout built by umoci, archived with
# tar, and imported into containerd by `ctr images import`.

# Every timestamp in a layer, config and history is this one (a layer's files get mtime 0), so
# unchanged inputs pack to the same digests, as ko does; the archive's name carries the inputs'
# hash instead of a date.
OCI_EPOCH=1970-01-01T00:00:00Z

# A one-tag layout in $1 (tag $2) with nothing in it yet.
oci_new() {
  umoci init --layout "$1"
  umoci new --image "$1:$2"
}

# A layout in $1 holding the image of archive $2 under tag $3, for an image built on top of it:
# the base's layers stay byte-identical, so containerd stores them once for every image on it.
oci_from() {
  mkdir -p "$1"
  tar -xf "$2" -C "$1"
  local base
  base=$(jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]' "$1/index.json")
  if [[ "$base" != "$3" ]]; then
    umoci tag --image "$1:$base" "$3"
    umoci rm --image "$1:$base"
  fi
}

# One layer of image $1 (layout:tag) holding the tree of directory $2 as the image's root; $3 is
# its history line. GNU tar writes the layer: umoci 0.4.7's own (umoci insert) ends without the
# last file's padding and the end-of-archive blocks, which Go readers forgive and GNU tar does not.
oci_layer() {
  local names=()
  mapfile -t names < <(cd "$2" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort)
  tar --sort=name --format=gnu --numeric-owner --mtime=@0 -C "$2" -cf "$2.layer.tar" -- "${names[@]}"
  umoci raw add-layer --image "$1" --history.created "$OCI_EPOCH" --history.created_by "$3" \
    "$2.layer.tar"
  rm -f "$2.layer.tar"
}

# Image $1's configuration: the umoci config flags that follow, plus platform and date.
oci_config() {
  local image="$1"; shift
  umoci config --image "$image" --no-history --created "$OCI_EPOCH" --os linux --architecture amd64 "$@"
}

# Archive $2 of layout $1; the layout goes.
oci_archive() {
  umoci gc --layout "$1"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf "$2.tmp" \
    oci-layout index.json blobs
  mv "$2.tmp" "$2"
  rm -rf "$1"
}

# /etc/passwd and /etc/group as distroless has them: root, nonroot (65532) with its home, nobody.
users_into() {
  mkdir -p "$1/etc" "$1/home/nonroot" "$1/tmp"
  chmod 1777 "$1/tmp"
  chown 65532:65532 "$1/home/nonroot"
  chmod 700 "$1/home/nonroot"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' \
    'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' > "$1/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'nonroot:x:65532:' > "$1/etc/group"
}

# busybox-static as $1/$2/busybox with a link per applet beside it (sh, cp, wget, nc, ...),
# made from its own applet list, so no chroot is needed to install them.
busybox_into() {
  mkdir -p "$1/$2"
  install -m 755 /bin/busybox "$1/$2/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [[ -e "$1/$2/$applet" ]] || ln -s busybox "$1/$2/$applet"
  done
}

# The shared libraries that the ELF files under $2 (inside root filesystem $1) load, copied from
# the host to where they are on the host, plus the dynamic loader. ldd cannot list libgcc_s,
# which glibc dlopens to unwind threads that exit, so it is always added.
host_libs_into() {
  local r="$1" lib
  mkdir -p "$r/usr/lib/x86_64-linux-gnu" "$r/usr/lib64"
  { find "$2" -type f \( -name '*.so' -o -perm -u+x \) -exec ldd {} \; 2>/dev/null |
      awk '$2 == "=>" && $3 ~ /^\// {print $3}'
    echo /lib/x86_64-linux-gnu/libgcc_s.so.1; } | sort -u | while read -r lib; do
    case "$lib" in "$r"/*) continue ;; esac
    cp -L "$lib" "$r/usr/lib/x86_64-linux-gnu/${lib##*/}"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$r/usr/lib64/ld-linux-x86-64.so.2"
}

# Debian's merged /usr: /bin, /sbin, /lib and /lib64 are links into /usr, as the ELF
# interpreter path /lib64/ld-linux-x86-64.so.2 and scripts expect.
merged_usr() {
  mkdir -p "$1/usr/bin" "$1/usr/sbin" "$1/usr/lib" "$1/usr/lib64"
  ln -s usr/bin "$1/bin"
  ln -s usr/sbin "$1/sbin"
  ln -s usr/lib "$1/lib"
  ln -s usr/lib64 "$1/lib64"
}
