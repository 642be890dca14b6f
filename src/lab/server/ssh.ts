/** SSH front of an emulated device: ssh2's Server, password and keyboard-interactive auth, one shell per session. */
import { createServer, type Server as NetServer } from 'node:net';
import ssh2 from 'ssh2';
import type { DeviceEmulator } from '../device.js';
import type { HostKey } from '../hostkey.js';
import type { Endpoint } from '../types.js';
import { listen } from './listen.js';

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
  // Cisco's server identifies as `SSH-2.0-Cisco-1.25` (asa-cli.md §1.1, netmiko #2139).
  const ssh = new ssh2.Server({ hostKeys: [hostKey.privateKey], ident: 'Cisco-1.25' }, (client) => {
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
