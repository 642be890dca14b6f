/** A lab unit's private key, kept in the state folder by unit name so a restarted lab keeps its known_hosts lines. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file of one unit's key in a state folder: `<base>-<unit>`, the unit name made safe for a file name. */
export const unitKeyFile = (base: string, unit: string): string => `${base}-${unit.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/**
 * The PEM kept as `<base>-<unit>` in `stateDir`, or a new one from `make` (kept there, mode 0600, when there is a
 * state folder; without one it lives as long as the caller keeps it).
 */
export async function keptKeyPem(
  stateDir: string | undefined,
  base: string,
  unit: string,
  make: () => Promise<string>,
): Promise<string> {
  if (!stateDir) return make();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, unitKeyFile(base, unit));
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const pem = await make();
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return pem;
}
