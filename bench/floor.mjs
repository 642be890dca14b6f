// The floor: what detect must cost at least. A bare ssh2 Client (no tool layer: no host-key file, no prompt
// learning, no output cleaning, no parsing) connects with TCP_NODELAY, opens the same pty shell and sends exactly
// the lines detect sends, each as soon as the prompt it waits for has arrived.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const { Client } = createRequire(import.meta.url)('ssh2');

/** The lines detect sends to an asa9 device in single context mode (from its transcript), and what ends each. */
export const DETECT_LINES = [
  { send: '', until: /> $/ }, // detect confirms the prompt with an empty line
  { send: 'enable', until: /Password: $/ },
  { send: '<secret>', until: /# $/ },
  { send: 'terminal pager 0', until: /# $/ },
  { send: 'show version', until: /# $/ },
  { send: 'show mode', until: /# $/ },
  { send: 'show failover', until: /# $/ },
  { send: 'show running-config', until: /# $/ },
];

/** One floor run against a lab device; resolves with its wall time in ms. */
export function floorOnce(device) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const client = new Client();
    const timer = setTimeout(() => {
      client.end();
      reject(new Error('floor: no answer within 20 s'));
    }, 20_000);
    client.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    client.on('ready', () => {
      client.shell({ term: 'vt100', cols: 511, rows: 24, width: 0, height: 0 }, (err, ch) => {
        if (err) return reject(err);
        let buf = '';
        let step = -1; // -1: waiting for the first prompt after login
        let waitFor = /> $/;
        ch.on('data', (d) => {
          buf += d.toString('latin1');
          if (!waitFor?.test(buf.slice(-64))) return;
          buf = '';
          step++;
          if (step < DETECT_LINES.length) {
            const line = DETECT_LINES[step];
            ch.write(`${line.send === '<secret>' ? device.enableSecret : line.send}\n`);
            waitFor = line.until;
          } else {
            waitFor = null;
            ch.write('exit\n');
          }
        });
        ch.on('close', () => {
          clearTimeout(timer);
          client.end();
          if (step < DETECT_LINES.length) reject(new Error(`floor: channel closed at step ${step}`));
          else resolve(performance.now() - t0);
        });
      });
    });
    client.connect({
      host: device.ssh.host,
      port: device.ssh.port,
      username: device.username,
      password: device.password,
      readyTimeout: 20_000,
    });
    // TCP_NODELAY: without it, Nagle + delayed ACK stall small writes ~40 ms each; a floor must not pay that.
    client.setNoDelay(true);
  });
}
