/**
 * Where the cart snapshot of one accepted checkout lives in `CartSnapshotStore`: the customer part
 * is qualified by the principal (length-prefixed, so no two (principal, customer) pairs collide),
 * the attempt is the idempotency key. Two tenants with the same customer id and key never share one.
 */
export function cartSnapshotId(
  principal: string,
  customerId: string,
  idempotencyKey: string,
): { readonly customerId: string; readonly attemptId: string } {
  return { customerId: `${principal.length}:${principal}:${customerId}`, attemptId: idempotencyKey };
}
