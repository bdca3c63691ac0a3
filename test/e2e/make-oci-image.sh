#!/usr/bin/env bash
# Packs a root filesystem directory into a single-layer OCI image layout tarball (image-spec
# "image-layout": oci-layout, index.json, blobs/sha256/...) that `ctr image import` and
# `podman load` accept. The index names the image with both the OCI ref annotation and the
# name containerd imports it under.
#   make-oci-image.sh ROOTFS OUT.tar NAME[:TAG]
set -euo pipefail
rootfs=$1 out=$2 name=$3
[ -d "$rootfs/bin" ] || { echo "make-oci-image: $rootfs is not a root filesystem (no bin/)" >&2; exit 1; }
case "$name" in *:*) ;; *) name="$name:latest" ;; esac
arch=$(uname -m)
case "$arch" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/blobs/sha256"

# Reproducible layer: sorted names, root ownership, fixed mtimes; the builder's stamp file left out.
tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
  --exclude=./.built-from -cf "$work/layer.tar" .
layer_digest=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
layer_size=$(stat -c %s "$work/layer.tar")
mv "$work/layer.tar" "$work/blobs/sha256/$layer_digest"

# Writes $1 (a JSON document) as a blob; prints "digest size".
blob() {
  local f="$work/blob.json" d
  printf '%s' "$1" > "$f"
  d=$(sha256sum "$f" | cut -d' ' -f1)
  mv "$f" "$work/blobs/sha256/$d"
  echo "$d $(stat -c %s "$work/blobs/sha256/$d")"
}

read -r config_digest config_size < <(blob "{\"architecture\":\"$arch\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"sh\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$layer_digest\"]},\"history\":[{\"created_by\":\"ocirun test/e2e/make-oci-image.sh\"}]}")
read -r manifest_digest manifest_size < <(blob "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:$config_digest\",\"size\":$config_size},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$layer_digest\",\"size\":$layer_size}]}")

printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest_digest" "$manifest_size" "$name" "${name##*:}" > "$work/index.json"
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$out" oci-layout index.json blobs
