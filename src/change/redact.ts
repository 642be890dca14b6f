/**
 * Secret redaction for everything the engine writes (records, logs). Two layers: the exact secret values the
 * run knows (password, enable secret, passphrase), and config lines that carry keys or hashes.
 */
const SECRET_LINE =
  /^(\s*(?:enable password|passwd|username \S+ password|.*\bpre-shared-key|.*\bkey-string|.*\bsecret|.*\bauthentication-key|.*\bsnmp-server community|.*\bldap-login-password|.*\bmessage-digest-key \d+ md5))\s+\S.*$/gim;

export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return out.replace(SECRET_LINE, '$1 ***');
}
