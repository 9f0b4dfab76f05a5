/**
 * `checkout_kit.started_from=<cwd>`: put on the command line of every server we start (a Postgres
 * placeholder setting, a Java system property), so `ps` shows which directory started it and a
 * script can find the servers one checkout left running (`scripts/check-no-orphans.sh`).
 */
export function startedFrom(): string {
  return `checkout_kit.started_from=${process.cwd()}`;
}
