/** SSH front of an emulated device: ssh2's Server, password and keyboard-interactive auth, one shell per session. */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
// @ts-expect-error ssh2's internal tables (CommonJS, untyped, not re-exported by the package root); a default import
// (module.exports) works in Node's ESM and in the esbuild bundle, where createRequire has no import.meta.url.
import ssh2Constants from 'ssh2/lib/protocol/constants.js';
// @ts-expect-error as above: the KEXINIT builder
import ssh2Kex from 'ssh2/lib/protocol/kex.js';
import type { DeviceEmulator } from '../device.js';
import type { HostKey } from '../hostkey.js';
import type { SshAlgorithmSet, SshServerProfile } from '../ssh-algorithms.js';
import type { Endpoint } from '../types.js';
import { listen } from './listen.js';

/**
 * ssh2's Server always identifies as `SSH-2.0-<ident>` and offers one algorithm list (plus its strict-kex marker) to
 * every client; a Cisco unit says `SSH-1.99-Cisco-1.25` on 8.x and offers only its image's set, chosen by its
 * config at each connection. ssh2 has no option for either, so per connection the lab (1) rewrites the first line it
 * writes to the socket and (2) sets the protocol's `_identRaw` (hashed into the key exchange) and `_offer` before the
 * server's KEXINIT goes out (ssh2 1.17 internals: the `connection` event fires after the client's identification and
 * before `kexinit`), and strict kex stays off. A changed ssh2 fails loudly here rather than serving the wrong set.
 */
const { KexInit } = ssh2Kex as { KexInit: new (offer: object) => object };

const ssh2Defaults = ssh2Constants as Record<
  'DEFAULT_KEX' | 'DEFAULT_CIPHER' | 'DEFAULT_MAC' | 'DEFAULT_SERVER_HOST_KEY',
  string[]
>;

/**
 * True when `set` shares no algorithm with ssh2's default client offer (what the tool sends without
 * `--legacy-algorithms`) in some category: key exchange, host key, cipher or MAC.
 */
export function needsLegacyAlgorithms(set: SshAlgorithmSet): boolean {
  const common = (ours: string[], theirs: string[]) => theirs.some((a) => ours.includes(a));
  return !(
    common(ssh2Defaults.DEFAULT_KEX, set.kex) &&
    common(ssh2Defaults.DEFAULT_SERVER_HOST_KEY, set.serverHostKey) &&
    common(ssh2Defaults.DEFAULT_CIPHER, set.cipher) &&
    common(ssh2Defaults.DEFAULT_MAC, set.hmac)
  );
}

interface Ssh2ServerClientInternals {
  _sock?: Socket;
  _protocol?: { _identRaw?: Buffer; _offer?: object; _strictMode?: boolean };
}

const profiles = new WeakMap<Socket, SshServerProfile>();

function presentIdentity(socket: Socket, profile: SshServerProfile): void {
  profiles.set(socket, profile);
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  let first = true;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (first) {
      first = false;
      if (Buffer.isBuffer(chunk) && chunk.toString('latin1', 0, 8) === 'SSH-2.0-') {
        return write(Buffer.from(`${profile.ident}\r\n`, 'latin1'), ...rest);
      }
    }
    return write(chunk, ...rest);
  }) as Socket['write'];
}

function applyProfile(client: unknown): void {
  const c = client as Ssh2ServerClientInternals;
  const profile = c._sock ? profiles.get(c._sock) : undefined;
  if (!profile) return;
  const proto = c._protocol;
  if (!proto || !Buffer.isBuffer(proto._identRaw) || typeof proto._offer !== 'object' || !('_strictMode' in proto)) {
    throw new Error('ssh2 internals changed: the lab cannot present the Cisco identification and algorithm set');
  }
  proto._identRaw = Buffer.from(profile.ident, 'latin1');
  // No strict-kex marker in a Cisco offer; ssh2 would still turn strict mode on when the client asks for it (OpenSSH
  // does), resetting its sequence numbers while the client does not: "Corrupted MAC on input".
  proto._strictMode = false;
  proto._offer = new KexInit({
    kex: profile.kex,
    serverHostKey: profile.serverHostKey,
    cs: { cipher: profile.cipher, mac: profile.hmac, compress: ['none'], lang: [] },
    sc: { cipher: profile.cipher, mac: profile.hmac, compress: ['none'], lang: [] },
  });
}

export interface RunningServer {
  endpoint: Endpoint;
  close(): Promise<void>;
}

export async function startSshServer(
  device: DeviceEmulator,
  hostKey: HostKey,
  host: string,
  port = 0,
): Promise<RunningServer> {
  // Cisco's server identifies as `SSH-2.0-Cisco-1.25` (asa-cli.md §1.1, netmiko #2139); 8.x as `SSH-1.99-...`.
  const ssh = new ssh2.Server({ hostKeys: [hostKey.privateKey], ident: 'Cisco-1.25' }, (client) => {
    applyProfile(client);
    let username = '';
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      username = ctx.username;
      if (ctx.method === 'password') {
        if (device.checkLogin(ctx.username, ctx.password)) ctx.accept();
        else ctx.reject(['password', 'keyboard-interactive']);
        return;
      }
      if (ctx.method === 'keyboard-interactive') {
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          if (device.checkLogin(ctx.username, answers[0] ?? '')) ctx.accept();
          else ctx.reject(['password', 'keyboard-interactive']);
        });
        return;
      }
      ctx.reject(['password', 'keyboard-interactive']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('pty', (accept) => accept?.());
        session.on('window-change', (accept) => accept?.());
        session.on('env', (accept) => accept?.());
        session.on('exec', (_accept, reject) => reject?.());
        session.on('shell', (accept) => {
          const stream = accept();
          let ended = false;
          const conn = device.openConnection(
            { transport: 'ssh', login: 'none', username },
            {
              write: (s) => {
                if (!ended) stream.write(Buffer.from(s, 'latin1'));
              },
              close: () => {
                if (ended) return;
                ended = true;
                try {
                  stream.exit(0);
                  stream.end();
                } catch {}
                // Disconnect once the client has closed the channel (so it sees exit status 0), or after 1 s.
                const timer = setTimeout(() => client.end(), 1000);
                timer.unref();
                stream.once('close', () => {
                  clearTimeout(timer);
                  client.end();
                });
              },
            },
          );
          stream.on('data', (d: Buffer) => conn.feed(d));
          stream.on('close', () => {
            ended = true;
            conn.endInput();
            conn.close();
          });
          stream.on('error', () => {});
          conn.start();
        });
      });
    });
  });
  const net: NetServer = createServer((socket) => {
    // A reloading device is unreachable: drop the TCP connection at once.
    if (!device.isUp()) {
      socket.destroy();
      return;
    }
    socket.on('error', () => {});
    // TCP_NODELAY (as the telnet server): a device answers at once; Nagle + delayed ACK add ~40 ms stalls.
    socket.setNoDelay(true);
    const profile = device.sshProfile();
    if (profile) presentIdentity(socket, profile);
    ssh.injectSocket(socket);
  });
  const endpoint = await listen(net, host, port);
  return {
    endpoint,
    close: () =>
      new Promise((resolve) => {
        net.close(() => resolve());
        ssh.close();
      }),
  };
}
