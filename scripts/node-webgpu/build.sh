#!/bin/bash
# Bundles the Node WebGPU bench (and the project modules it imports) into .gpu/bench-gpu.mjs, next to
# the binaries and data it needs there (see README.md beside this file). .gpu/ is git-ignored.
set -e
cd "$(dirname "$0")/../.."
mkdir -p .gpu
node_modules/.bin/esbuild scripts/node-webgpu/bench-gpu.ts --bundle --platform=node --format=esm --target=node20 \
  --main-fields=module,main --outfile=.gpu/bench-gpu.mjs \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" \
  --log-level=warning
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm .gpu/
mkdir -p .gpu/data && cp public/data/omniglot.json public/data/omniglot.bin .gpu/data/
ls -la .gpu/bench-gpu.mjs
