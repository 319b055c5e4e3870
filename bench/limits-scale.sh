#!/usr/bin/env bash
# Limit state at scale: managed memory of N active keys (concurrency, QPS and TPM limiters each) and the cost of one
# admission + completion in process. Prints a Markdown table for docs/BENCHMARKS.md.
#   bench/limits-scale.sh [key counts...]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/LimitsScale/LimitsScale.csproj -c Release --nologo -v q >/dev/null
dotnet bench/LimitsScale/bin/Release/net10.0/LimitsScale.dll "$@"
