#!/usr/bin/env bash
# The whole LlmHost test suite on a fresh Debian machine with the .NET SDK:
# installs nginx and prometheus if missing, builds with warnings as errors, runs every test,
# and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || { echo "could not install the test dependencies"; exit 1; }

dotnet build LlmHost.sln --nologo -v q || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

results="TestResults"
rm -rf "$results"
dotnet test LlmHost.sln --no-build --nologo \
  --logger "trx;LogFileName=llmhost.trx" --logger "console;verbosity=normal" \
  --results-directory "$results"
status=$?

trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -n "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  passed=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  failed=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  echo "${passed:-0} passed, ${failed:-0} failed"
else
  echo "0 passed, 1 failed"
  [ $status -eq 0 ] && status=1
fi
exit $status
