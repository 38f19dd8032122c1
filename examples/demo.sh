#!/usr/bin/env bash
# One reconcile pass of the core against two providers, each in a scratch folder under _output/demo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ccm=${CCM:-$here/../.venv/bin/cloud-controller-manager}
for provider in fake baremetal; do
  work=$here/../_output/demo/$provider
  rm -rf "$work" && mkdir -p "$work" && cp "$here"/*.json "$here"/*.toml "$work"/
  echo "== cloud-controller-manager --cloud-provider $provider"
  (cd "$work" && "$ccm" --cloud-provider "$provider" --cloud-config "$provider.toml" --state cluster.json)
  echo "== second pass (nothing left to change)"
  (cd "$work" && "$ccm" --cloud-provider "$provider" --cloud-config "$provider.toml" --state cluster.json)
done
