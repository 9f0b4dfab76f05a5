#!/usr/bin/env bash
# After the tests: no embedded Postgres or DynamoDB Local started from this checkout may be left
# running. Matching on this checkout's path ignores servers other checkouts on the machine run.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for _ in $(seq 1 20); do
  left=$(pgrep -af "$root/node_modules/.*(DynamoDBLocal|bin/postgres)" || true)
  [ -z "$left" ] && { echo "no orphans: no postgres/java from this checkout left running"; exit 0; }
  sleep 0.5
done
echo "orphaned processes left by the test run:" >&2
echo "$left" >&2
exit 1
