// Signed double-submit CSRF tokens: the browser holds a random nonce in a SameSite=Strict,
// HttpOnly cookie; each form carries HMAC(secret, nonce + operator id). A POST is accepted only
// when the form's token is the HMAC of the cookie it came with, for the operator making it. An
// attacker's page can neither read the cookie nor compute the HMAC without the secret.

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fresh random nonce for the CSRF cookie (32 hex characters). */
export function newNonce(): string {
  return toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

/** True for a nonce this module could have issued. */
export function isNonce(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{32}$/.test(value);
}

/** Builds the token forms carry for `nonce` and `operatorId`. */
export async function csrfToken(secret: string, nonce: string, operatorId: string): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const signature = await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(`${nonce}\u0000${operatorId}`));
  return toHex(signature);
}

/** Constant-time comparison of two strings of hex. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
