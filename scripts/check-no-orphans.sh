#!/usr/bin/env bash
# After the tests: no embedded Postgres, DynamoDB Local or watchdog process may be left running.
for _ in $(seq 1 20); do
  left=$(pgrep -af 'DynamoDBLocal|checkout-kit-pg-' || true)
  [ -z "$left" ] && { echo "no orphans: no postgres/java left running"; exit 0; }
  sleep 0.5
done
echo "orphaned processes left by the test run:" >&2
echo "$left" >&2
exit 1
