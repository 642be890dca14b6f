/**
 * Secret redaction for everything the engine writes (records, logs). Two layers: the exact secret values the
 * run knows (password, enable secret, passphrase), and config lines that carry keys or hashes.
 */
// A config line that carries a key starts (after indentation) with one of these keywords; anchoring on the start
// keeps prose such as "the enable secret was refused" intact. One lazy alternation is also cheap: redaction was
// 8% of the CPU of a 300-device fleet run before it was a single scan (docs/benchmarks.md).
const SECRET_LINE =
  /^(\s*(?:enable (?:password|secret)|passwd|username \S+ (?:password|secret)|(?:ikev[12] \S+ )?pre-shared-key|key-string|key|authentication-key|snmp-server (?:community|host \S+ \S+ community)|ldap-login-password|message-digest-key \d+ md5|tunnel-group \S+ ipsec-attributes pre-shared-key))\s+\S.*$/gim;

/** Replace the run's own secret values (anywhere) with `***`. */
export function redactValues(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

/** Secret values, plus the key material of config lines (device output, backups, records). */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
  return redactValues(text, secrets).replace(SECRET_LINE, '$1 ***');
}
