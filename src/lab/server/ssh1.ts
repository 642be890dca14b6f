/**
 * SSH-1.5 front of an emulated PIX 6.x: `SSH-1.5-Cisco-1.25` (asa-cli.md §1.8; nmap names it "Cisco SSH 1.25
 * (protocol 1.5)"), 3DES and DES, password login (user `pix` and the telnet `passwd` on a PIX without AAA, the
 * lab's default), five sessions at most. The protocol is src/lab/server/ssh1-protocol.ts; this only adds sockets.
 */
import { createServer, type Socket } from 'node:net';
import type { Ssh1PrivateKey } from '../../transport/ssh1/rsa.js';
import { CIPHER, type Ssh1CipherType } from '../../transport/ssh1/wire.js';
import type { DeviceEmulator } from '../device.js';
import { ssh1ServerKey } from '../ssh1-keys.js';
import type { Endpoint } from '../types.js';
import { listen } from './listen.js';
import type { RunningServer } from './ssh.js';
import { Ssh1ServerProtocol } from './ssh1-protocol.js';

export const SSH1_VERSION = 'SSH-1.5-Cisco-1.25';
/** "up to five SSH sessions" (asa-cli.md §1.8). */
export const SSH1_MAX_SESSIONS = 5;

export interface Ssh1ServerConfig {
  /** This unit's host key (src/lab/ssh1-keys.ts). */
  hostKey: Ssh1PrivateKey;
  /** Default 3DES and DES (3DES needs the 3DES-AES activation key, which the lab's PIX has). */
  ciphers?: Ssh1CipherType[];
}

export async function startSsh1Server(
  device: DeviceEmulator,
  host: string,
  config: Ssh1ServerConfig,
  port = 0,
): Promise<RunningServer> {
  const { hostKey } = config;
  const serverKey = ssh1ServerKey();
  const ciphers = config.ciphers ?? [CIPHER.TRIPLE_DES, CIPHER.DES];
  let sessions = 0;
  const server = createServer((socket: Socket) => {
    // A reloading device is unreachable; a sixth session is refused. [unverified] how a PIX refuses the sixth:
    // it is cut before the identification line here.
    if (!device.isUp() || sessions >= SSH1_MAX_SESSIONS) {
      socket.destroy();
      return;
    }
    sessions++;
    let counted = true;
    const release = () => {
      if (counted) sessions--;
      counted = false;
    };
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let conn: ReturnType<DeviceEmulator['openConnection']> | null = null;
    const proto = new Ssh1ServerProtocol(
      {
        version: SSH1_VERSION,
        hostKey,
        serverKey,
        ciphers,
        checkPassword: (user, password) => device.checkLogin(user, password),
      },
      {
        send: (b) => {
          if (!socket.destroyed) socket.write(b);
        },
        shell: ({ user, command }) => {
          conn = device.openConnection(
            { transport: 'ssh', login: 'none', username: user },
            {
              write: (s) => proto.write(Buffer.from(s, 'latin1')),
              close: () => {
                proto.exit(0);
                // The client confirms the exit status and closes; cut it if it does not within a second.
                setTimeout(() => socket.destroy(), 1000).unref();
              },
            },
          );
          conn.start();
          // One command (`plink host "show version"`): typed as if at the prompt; the client's EOF ends it.
          if (command !== null) conn.feed(`${command}\r`);
        },
        data: (b) => conn?.feed(b),
        eof: () => conn?.endInput(),
        end: () => {
          conn?.endInput();
          socket.end();
          setTimeout(() => socket.destroy(), 200).unref();
        },
      },
    );
    socket.on('data', (d: Buffer) => proto.receive(d));
    socket.on('close', () => {
      release();
      if (conn) {
        conn.endInput();
        conn.close();
      }
    });
    proto.start();
  });
  const endpoint: Endpoint = await listen(server, host, port);
  return { endpoint, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
