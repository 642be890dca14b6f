/** What a device lock is keyed by: the device, not how it was typed. */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ConnectOptions } from '../session/types.js';

/**
 * `addr <resolved address>:<port>`: `localhost`, `127.0.0.1` and `LOCALHOST:22` are one device. Through a jump
 * host the name is resolved there, so the name as typed (lower case) is the best key we have.
 */
export async function addressIdentity(c: ConnectOptions): Promise<string> {
  const port = c.port ?? (c.transport === 'telnet' ? 23 : 22);
  let address = c.host.toLowerCase().replace(/^\[|\]$/g, '');
  if (!c.jump && !isIP(address)) {
    try {
      // IPv4 first, so `localhost` (::1 and 127.0.0.1) and `127.0.0.1` are one key.
      const all = await lookup(address, { all: true });
      address = (all.find((a) => a.family === 4) ?? all[0] ?? { address }).address;
    } catch {
      // Unresolvable here: the connect step will say so; the lock keeps the name.
    }
  }
  return `addr ${address}:${port}`;
}

/**
 * `device <hostname> <serial>` once logged in: the unit itself, however it was reached (another address, a port
 * forward, telnet beside SSH). Null without a serial (a user context's `show version` prints none): a hostname
 * alone does not name one unit (`ciscoasa` is every unit's default), and the address lock still holds.
 */
export function deviceIdentity(hostname: string | null, serial: string | null): string | null {
  if (!serial) return null;
  return `device ${hostname ?? '?'} ${serial}`;
}
