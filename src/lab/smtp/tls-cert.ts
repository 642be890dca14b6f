/**
 * A throwaway self-signed certificate for the lab SMTP server's STARTTLS. node:crypto makes keys but not X.509
 * certificates, so this runs the `openssl` CLI once per process; without it, the caller falls back to smtp-server's
 * built-in test certificate (public key material, acceptable for a 127.0.0.1 lab only).
 */
import { execFile } from 'node:child_process';

export interface LabCertificate {
  key: string;
  cert: string;
}

let cached: Promise<LabCertificate | null> | undefined;

function generate(): Promise<LabCertificate | null> {
  const args = [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    '-',
    '-out',
    '-',
    '-subj',
    '/CN=localhost',
    '-days',
    '3650',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ];
  return new Promise((resolve) => {
    execFile('openssl', args, { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(null);
      const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(stdout)?.[0];
      const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(stdout)?.[0];
      resolve(key && cert ? { key, cert } : null);
    });
  });
}

/** The process-wide lab certificate, or null when `openssl` is not available. */
export function labCertificate(): Promise<LabCertificate | null> {
  cached ??= generate();
  return cached;
}
