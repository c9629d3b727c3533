#!/usr/bin/env bash
# Validates the deployment files (run by .ci/run): the Kubernetes manifests against the
# Kubernetes API schema (kubernetes-validate, strict: unknown fields are errors), the YAML
# style (yamllint), the Slurm script's syntax (bash -n), and the Dockerfile's base images
# pinned to a tag.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PHOTOCHECK_DEPLOY_VENV:-${TMPDIR:-/tmp}/photocheck-deploy-venv}"
if [ ! -x "$venv/bin/kubernetes-validate" ] || [ ! -x "$venv/bin/yamllint" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    'kubernetes-validate==1.37.0' 'yamllint==1.38.0'
fi
"$venv/bin/kubernetes-validate" --strict --kubernetes-version 1.33 deploy/kubernetes/*.yaml
"$venv/bin/yamllint" --strict -c deploy/.yamllint.yaml deploy/kubernetes
bash -n deploy/slurm/photocheck-array.sh
if grep -E '^FROM [^ :]+( |$)' Dockerfile; then
  echo "Dockerfile: pin every base image to a tag" >&2
  exit 1
fi
echo "deploy: manifests, YAML, Slurm script and Dockerfile are valid"
