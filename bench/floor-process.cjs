// The floor of one `apply` as its own process (issue #16): what any Node tool doing the job Ansible's asa_config
// does (read the config, change it, save) must cost at least on this machine. A bare ssh2 Client, bundled and
// started through the same code-cache head as the CLI (bench/startup.mjs builds it), with no tool layer: no
// host-key check, no backup, no safety reload, no verify, no record. Each line goes as soon as its prompt arrived.
// Usage: node floor-bin.cjs HOST PORT USER (password and enable secret in ASA_PASSWORD, ASA_ENABLE_SECRET).
'use strict';
const { Client } = require('ssh2');

const [host, port, username] = process.argv.slice(2);
const LINES = [
  ['', /> $/], // confirm the prompt after login
  ['enable', /Password: $/],
  [process.env.ASA_ENABLE_SECRET, /# $/],
  ['terminal pager 0', /# $/],
  ['show running-config', /# $/],
  ['configure terminal', /# $/],
  ['policy-map global_policy', /# $/],
  ['class inspection_default', /# $/],
  ['no inspect esmtp', /# $/],
  ['end', /# $/],
  ['write memory', /\[OK\][\s\S]*# $/],
];

const client = new Client();
const fail = (why) => {
  process.stderr.write(`floor: ${why}\n`);
  process.exit(1);
};
const timer = setTimeout(() => fail('no end within 20 s'), 20_000);
client.on('error', (e) => fail(e.message));
client.on('ready', () => {
  client.shell({ term: 'vt100', cols: 511, rows: 24 }, (err, channel) => {
    if (err) return fail(err.message);
    let text = '';
    let step = -1;
    let waitFor = /> $/;
    channel.on('data', (d) => {
      text += d.toString('latin1');
      if (!waitFor?.test(text)) return;
      text = '';
      step++;
      if (step < LINES.length) {
        channel.write(`${LINES[step][0]}\n`);
        waitFor = LINES[step][1];
      } else {
        waitFor = null;
        channel.write('exit\n');
      }
    });
    channel.on('close', () => {
      clearTimeout(timer);
      client.end();
      if (step < LINES.length) fail(`channel closed at line ${step}`);
    });
  });
});
client.connect({ host, port: Number(port), username, password: process.env.ASA_PASSWORD, readyTimeout: 20_000 });
// TCP_NODELAY, as the tool sets it: Nagle + delayed ACK would stall small writes ~40 ms each.
client.setNoDelay(true);
