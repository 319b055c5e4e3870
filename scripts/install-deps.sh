#!/usr/bin/env bash
# Installs the Debian packages LlmHost's tests and benchmarks use, when they are missing:
#   nginx, prometheus  - run by the AppHost as local executables (end-to-end tests)
#   redis-server       - the shared limit store of several gateway replicas (AppHost, scale-out tests)
#   wrk                - load generator of the benchmarks under bench/ (only with --bench)
# Installing does not start the packages' system services; the AppHost runs its own instances.
set -euo pipefail

packages=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have nginx || packages+=(nginx)
have prometheus || packages+=(prometheus)
have redis-server || packages+=(redis-server)
if [ "${1:-}" = "--bench" ]; then
  have wrk || packages+=(wrk)
fi

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "Installing Debian packages: ${packages[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
