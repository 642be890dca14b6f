// Benchmark (issue #4 "done when"): a probe of a clean local server must cost only its round trips.
// Usage: npx tsc -p tsconfig.build.json && node bench/probe-local.mjs [runs]
// Plain JS over dist/ so it runs on Node 20 without a TypeScript loader.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { probeTarget } from '../dist/probe/index.js';

const runs = Number(process.argv[2] ?? 50);
// A Postfix-like server that answers at once: any time beyond the round trips is the probe's own.
const server = net.createServer((c) => {
  c.on('error', () => {});
  c.setNoDelay(true);
  c.write('220 mail.example.test ESMTP Postfix\r\n');
  c.on('data', (d) => {
    const verb = d.toString('latin1').split(/[ \r]/)[0].toUpperCase();
    if (verb === 'EHLO') c.write('250-mail.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n');
    else if (verb === 'NOOP') c.write('250 2.0.0 Ok\r\n');
    else if (verb === 'QUIT') c.end('221 2.0.0 Bye\r\n');
    else c.write('500 5.5.2 Error: command not recognized\r\n');
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const target = { host: '127.0.0.1', address: '127.0.0.1', port: server.address().port, source: 'explicit' };

const wall = [];
const rtt = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const r = await probeTarget(target, { timeoutMs: 5000, greetingTimeoutMs: 5000 });
  wall.push(performance.now() - t0);
  if (r.verdict !== 'clean') throw new Error(`run ${i}: expected clean, got ${r.verdict}`);
  // greetingMs counts from the connection attempt, so it includes the TCP connect.
  rtt.push((r.timings.greetingMs ?? 0) + r.timings.commands.reduce((a, c) => a + (c.ms ?? 0), 0));
}
server.close();
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const max = (a) => Math.max(...a);
console.log(
  JSON.stringify(
    {
      runs,
      roundTrips: 5,
      wallMs: { median: +med(wall).toFixed(2), max: +max(wall).toFixed(2) },
      connectGreetingAndRepliesMs: { median: +med(rtt).toFixed(2) },
      overheadMs: { median: +(med(wall) - med(rtt)).toFixed(2) },
    },
    null,
    2,
  ),
);
