#!/usr/bin/env bash
# After the tests: no embedded Postgres or DynamoDB Local started from this checkout may be left
# running. @checkout/testing marks every server it starts with `checkout_kit.started_from=<cwd>`
# (a Postgres `-c` setting, a Java `-D` property); matching this checkout's path there ignores the
# servers other checkouts on the machine run (Postgres binaries are staged under the temp directory,
# so their path no longer names the checkout).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
escaped="$(printf '%s' "$root" | sed 's/[][\.*^$+?(){}|/]/\\&/g')"
pattern="^(-D)?checkout_kit\.started_from=$escaped(/.*)?$"
leftovers() {
  local pid
  for pid in $(pgrep -f 'checkout_kit\.started_from=' || true); do
    if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE "$pattern"; then
      echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    fi
  done
}
for _ in $(seq 1 20); do
  left="$(leftovers)"
  [ -z "$left" ] && { echo "no orphans: no postgres/java started from $root left running"; exit 0; }
  sleep 0.5
done
echo "orphaned processes left by the test run:" >&2
echo "$left" >&2
exit 1
