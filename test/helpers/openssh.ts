/**
 * A real OpenSSH sshd on 127.0.0.1 for the tests that need a server nobody here wrote: own sshd_config, host key,
 * client key and authorized_keys in a folder; public-key login only; its ForceCommand is `node dist/cli.js lab
 * --stdio --dialect asa9`, so a login lands on a lab ASA and a jump (direct-tcpip) reaches anything on loopback.
 * Needs /usr/sbin/sshd (`apt-get install openssh-server`; .ci/run installs it): `haveSshd` tells, so tests skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { builtCli, ensureBuiltCli } from './built-cli.js';

const SSHD = '/usr/sbin/sshd';
export const haveSshd = existsSync(SSHD);

export interface Sshd {
  port: number;
  /** Private key (no passphrase) the server accepts: `<dir>/client_key`. */
  clientKey: string;
  /** A known_hosts line for the server's host key (`[127.0.0.1]:port ...`). */
  knownHostsLine: string;
  /** The server's log so far (stderr of sshd -D -e), for failure messages. */
  log(): string;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => done(p));
    });
    s.on('error', fail);
  });
}

/** Start sshd with its files in `dir`; resolves when it says it listens (no polling, no sleep). */
export async function startSshd(dir: string, o: { enableSecret: string }): Promise<Sshd> {
  ensureBuiltCli();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  // sshd (as root) refuses to start without its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    `ForceCommand ${process.execPath} ${builtCli} lab --stdio --dialect asa9 --enable-secret ${o.enableSecret}`,
    'LogLevel INFO',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  const pub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ');
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`sshd did not start: ${log}`)), 15_000);
    sshd.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (/Server listening on 127\.0\.0\.1 port/.test(log)) {
        clearTimeout(timer);
        ready();
      }
    });
    sshd.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`sshd exited ${code}: ${log}`));
    });
  });
  return {
    port,
    clientKey: join(dir, 'client_key'),
    knownHostsLine: `[127.0.0.1]:${port} ${pub[0]} ${pub[1]}`,
    log: () => log,
    stop: () => sshd.kill('SIGTERM'),
  };
}
