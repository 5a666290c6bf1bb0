#!/bin/bash
# Runs the Omniglot WebGPU bench on the device machine (or locally with LOCAL_TEST=1 and SwiftShader).
# From the repo root, after scripts/node-webgpu/build.sh: bash scripts/node-webgpu/device.sh
set -u
S=$(pwd)/.gpu
W=${WORK:-/tmp/gpurun}
OUT=${OUT:-/tmp/gpuout}
mkdir -p "$W" "$OUT"
echo "== $(date -u) host $(hostname) $(uname -m) $(nproc) cpus"
if [ "${LOCAL_TEST:-0}" != 1 ]; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
  ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$ICD" ] || ICD=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
  export VK_DRIVER_FILES=$ICD VK_ICD_FILENAMES=$ICD
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  echo "== ICD $ICD"; cat "$ICD" 2>&1 | head -20
  ldconfig -p | grep -E 'libvulkan|GLX_nvidia|GLdispatch' | head
  nvidia-smi -L 2>&1 | head -3
fi
export VK_LOADER_DEBUG=${VK_LOADER_DEBUG:-error}
t=$(date +%s.%N)
xz -T0 -dc "$S/node.xz" > "$W/node" && chmod +x "$W/node" || { echo "node unpack failed"; exit 1; }
xz -T0 -dc "$S/dawn.node.xz" > "$W/dawn.node" || { echo "dawn.node unpack failed"; exit 1; }
echo "== unpacked in $(echo "$(date +%s.%N) - $t" | bc 2>/dev/null || echo '?') s: $("$W/node" --version)"
if command -v nvidia-smi >/dev/null && [ "${LOCAL_TEST:-0}" != 1 ]; then
  nvidia-smi dmon -s uc -d 1 > "$OUT/dmon.txt" 2>&1 &
  DMON=$!
fi
DAWN_NODE="$W/dawn.node" OUT_JSON="$OUT/results.json" BENCH_DEADLINE=${BENCH_DEADLINE:-200} BENCH_SECONDS=${BENCH_SECONDS:-10} \
  timeout -k 5 $(( ${BENCH_DEADLINE:-200} + 45 )) "$W/node" "$S/bench-gpu.mjs"
echo "== bench exit $?"
[ -n "${DMON:-}" ] && kill "$DMON" 2>/dev/null
exit 0
