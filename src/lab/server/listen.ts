import type { Server } from 'node:net';
import type { Endpoint } from '../types.js';

/** Listen and report the bound address (port 0 = any free port). Sockets are tracked so close() is immediate. */
export function listen(server: Server, host: string, port: number): Promise<Endpoint> {
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const origClose = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return origClose(cb);
  }) as typeof server.close;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      if (!a || typeof a === 'string') return reject(new Error('no address'));
      resolve({ host, port: a.port });
    });
  });
}
