#!/usr/bin/env bash
# PoseRT's entry point. On a fresh Debian 12 with the .NET 10 SDK:
#   ./build.sh demo [demo options]   installs prerequisites, builds, runs the demo on the bundled clip
#   ./build.sh test [dotnet test options]   installs prerequisites, builds and runs every test
#   ./build.sh deps                  installs the system packages only
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null 2>&1 || { echo "build.sh: the .NET 10 SDK (dotnet) is required: https://dot.net" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cmd="${1:-help}"
[ $# -gt 0 ] && shift

case "$cmd" in
  deps)
    tools/setup/install-deps.sh
    ;;
  demo)
    tools/setup/install-deps.sh
    dotnet build Demo/PoseRT.Demo/PoseRT.Demo.csproj -c Release -nologo -v quiet
    dotnet Demo/PoseRT.Demo/bin/Release/net10.0/posert-demo.dll "$@"
    ;;
  test)
    tools/setup/install-deps.sh
    log="$(mktemp)"
    set +e
    dotnet test PoseRT.sln -c Release -nologo "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    # One closing line for the whole suite, summed over the test assemblies.
    awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
    rm -f "$log"
    exit "$status"
    ;;
  *)
    sed -n '2,6p' "$0"
    [ "$cmd" = help ] || exit 2
    ;;
esac
