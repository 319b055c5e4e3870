#!/usr/bin/env bash
# Prompt counting on the worst 16 MiB bodies, with the o200k_base tokenizer and with the character estimate:
# the target is under 50 ms for any body. Prints a Markdown table for docs/BENCHMARKS.md.
#   bench/prompt-estimate.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/PromptEstimate/PromptEstimate.csproj -c Release --nologo -v q >/dev/null
dotnet bench/PromptEstimate/bin/Release/net10.0/PromptEstimate.dll "$@"
