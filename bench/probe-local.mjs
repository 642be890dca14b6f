// Probe of a clean local SMTP server (issue #4 "done when", issue #8 item 4): the probe must cost only its round
// trips. Used by bench/run.mjs; also runs alone: npm run build && node bench/probe-local.mjs [runs]
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { distImport } from './lab.mjs';
import { median, round } from './stats.mjs';

const { probeTarget } = await distImport('probe/index.js');

/** A Postfix-like server that answers at once: any time beyond the round trips is the probe's own. */
function cleanServer() {
  return net.createServer((c) => {
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
}

export async function probeBench(runs = 50) {
  const server = cleanServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const target = { host: '127.0.0.1', address: '127.0.0.1', port: server.address().port, source: 'explicit' };
  const wall = [];
  const rtt = [];
  let roundTrips = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await probeTarget(target, { timeoutMs: 5000, greetingTimeoutMs: 5000 });
      wall.push(performance.now() - t0);
      if (r.verdict !== 'clean') throw new Error(`probe run ${i}: expected clean, got ${r.verdict}`);
      // greetingMs counts from the connection attempt, so it holds the TCP connect and the greeting.
      rtt.push((r.timings.greetingMs ?? 0) + r.timings.commands.reduce((a, c) => a + (c.ms ?? 0), 0));
      roundTrips = 1 + r.timings.commands.length;
    }
  } finally {
    server.close();
  }
  const probeMs = median(wall);
  const roundTripsMs = median(rtt);
  return {
    runs,
    roundTrips,
    probeMs: round(probeMs, 2),
    probeMaxMs: round(Math.max(...wall), 2),
    roundTripsMs: round(roundTripsMs, 2),
    probeOverheadMs: round(probeMs - roundTripsMs, 2),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await probeBench(Number(process.argv[2] ?? 50)), null, 2));
}
