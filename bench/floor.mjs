// The floor: what detect must cost at least. A bare ssh2 Client (no tool layer: no host-key file, no prompt
// learning, no output cleaning, no parsing) connects with TCP_NODELAY, opens the same pty shell and sends exactly
// the lines detect sends, each as soon as the prompt it waits for has arrived.

import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { distImport } from './lab.mjs';

const { Client } = createRequire(import.meta.url)('ssh2');
// The SSH-1.5 floor drives the tool's own protocol object: no other SSH-1 client exists in Node to compare with.
const { Ssh1Client } = await distImport('transport/ssh1/client.js');

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

/**
 * The lines detect sends to a PIX 6.x (the lab's pix6, over SSH-1.5): `terminal pager 0` is refused there, so
 * detect sends `no pager` after it; PIX 6 has no `show mode`.
 */
export const PIX_DETECT_LINES = [
  { send: '', until: /> $/ },
  { send: 'enable', until: /Password: $/ },
  { send: '<secret>', until: /# $/ },
  { send: 'terminal pager 0', until: /# $/ },
  { send: 'no pager', until: /# $/ },
  { send: 'show version', until: /# $/ },
  { send: 'show failover', until: /# $/ },
  { send: 'show running-config', until: /# $/ },
];

/**
 * The conversation both floors hold: each line as soon as the prompt before it arrived, then `exit`. Returns the
 * handler for received text and a check that every line went out.
 */
function conversation(lines, secret, write) {
  let buf = '';
  let step = -1; // -1: waiting for the first prompt after login
  let waitFor = /> $/;
  return {
    data(text) {
      buf += text;
      if (!waitFor?.test(buf.slice(-64))) return;
      buf = '';
      step++;
      if (step < lines.length) {
        const line = lines[step];
        write(`${line.send === '<secret>' ? secret : line.send}\n`);
        waitFor = line.until;
      } else {
        waitFor = null;
        write('exit\n');
      }
    },
    done: () => step >= lines.length,
    step: () => step,
  };
}

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
        const talk = conversation(DETECT_LINES, device.enableSecret, (l) => ch.write(l));
        ch.on('data', (d) => talk.data(d.toString('latin1')));
        ch.on('close', () => {
          clearTimeout(timer);
          client.end();
          if (!talk.done()) reject(new Error(`floor: channel closed at step ${talk.step()}`));
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

/**
 * The SSH-1.5 floor against the lab's pix6: the tool's Ssh1Client protocol object on a bare socket (TCP_NODELAY),
 * no host-key file, no prompt learning, no parsing; the same conversation with PIX_DETECT_LINES. Resolves with ms.
 */
export function floorSsh1Once(device) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let settled = false;
    const finish = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(performance.now() - t0);
    };
    const timer = setTimeout(() => finish(new Error('ssh1 floor: no answer within 20 s')), 20_000);
    let talk = null;
    const client = new Ssh1Client(
      {
        username: device.username,
        password: device.password,
        where: `${device.ssh.host}:${device.ssh.port}`,
        cols: 511,
        verifyHostKey: () => {},
      },
      {
        send: (b) => socket.write(b),
        ready: () => {
          talk = conversation(PIX_DETECT_LINES, device.enableSecret, (l) => client.write(Buffer.from(l, 'latin1')));
        },
        data: (b) => talk?.data(b.toString('latin1')),
        close: () =>
          finish(talk?.done() ? undefined : new Error(`ssh1 floor: session closed at step ${talk?.step() ?? -1}`)),
        error: (e) => finish(e),
      },
    );
    socket.on('data', (chunk) => client.receive(chunk));
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(talk?.done() ? undefined : new Error('ssh1 floor: connection closed early')));
    socket.setNoDelay(true);
    socket.connect(device.ssh.port, device.ssh.host);
  });
}
