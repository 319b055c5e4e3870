#!/usr/bin/env bash
# Key file scale: load time of 1,000 and 100,000 keys and the cost of a lookup (SHA-256 + dictionary + constant-time
# check). Prints a Markdown table for docs/BENCHMARKS.md.
#   bench/keys-load.sh [key counts...]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/KeysLoad/KeysLoad.csproj -c Release --nologo -v q >/dev/null
dotnet bench/KeysLoad/bin/Release/net10.0/KeysLoad.dll "$@"
