#!/usr/bin/env bash
# Opens each HTML model report given (or found under the given folders) in headless Chromium and fails when the page
# logs anything to the console (a script error, a blocked load) or its charts were not drawn: the page's own script
# sets data-ready="charts=N" on <body> once its tables are wired, N being the bars and arena slots it found.
# With --screenshot FILE, also writes a 1280-pixel-wide screenshot of the first report.
# Needs Debian's chromium (.ci/run installs it).
set -euo pipefail

screenshot=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "check-reports: chromium not found; install Debian's chromium (apt-get install chromium)" >&2
  exit 2
fi

mapfile -t reports < <(for t in "${targets[@]}"; do if [ -d "$t" ]; then find "$t" -name '*.model.html'; else echo "$t"; fi; done | sort -u)
if [ "${#reports[@]}" -eq 0 ]; then
  echo "check-reports: no *.model.html under ${targets[*]}" >&2
  exit 1
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --enable-logging=stderr --v=0)

failed=0
for report in "${reports[@]}"; do
  url="file://$(realpath "$report")"
  dom="$(timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" 2>"$profile/log" || true)"
  console="$(grep -E 'CONSOLE' "$profile/log" || true)"
  ready="$(printf '%s' "$dom" | grep -Eo 'data-ready="[^"]*"' | head -1 || true)"
  if [ -n "$console" ] || [[ "$ready" != data-ready=\"charts=* ]]; then
    echo "result: report=$(basename "$report") ok=false ${ready:-data-ready=missing}"
    [ -n "$console" ] && printf '%s\n' "$console"
    failed=1
  else
    echo "result: report=$(basename "$report") ok=true ${ready}"
  fi
done

if [ -n "$screenshot" ]; then
  timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1280,2400 --screenshot="$(realpath -m "$screenshot")" "file://$(realpath "${reports[0]}")" 2>/dev/null
  echo "screenshot: $screenshot"
fi

exit "$failed"
