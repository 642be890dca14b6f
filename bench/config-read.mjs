// Reading a large configuration (issue #12 §5): a 10 MB running-config must be read in under a second, and the time
// must grow linearly (a 20 MB one takes about twice as long). The text is the oxidized ASA 9.12 capture
// (test/fixtures/asa-outputs/asa_show-running-config_1.txt) with its body repeated under new names until it is
// 10 MB (interfaces, objects, access-lists), its MPF block at the end, in CRLF (the slower, scanned path).
//   node bench/config-read.mjs [--mb 10]      (run.mjs calls configReadBench())
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distImport, ROOT } from './lab.mjs';
import { round } from './stats.mjs';

const CAPTURE = join(ROOT, 'test', 'fixtures', 'asa-outputs', 'asa_show-running-config_1.txt');

/** A config of about `mb` megabytes built from the capture; its SMTP answer is the capture's. */
export function bigConfig(mb) {
  const lines = readFileSync(CAPTURE, 'utf8').split('\n');
  const mpfAt = lines.findIndex((l) => l.startsWith('class-map '));
  const head = lines.slice(0, mpfAt);
  const body = head.filter((l) => !/^(?:: |ASA Version|hostname )/.test(l));
  const tail = lines.slice(mpfAt);
  const out = [...head];
  let size = out.join('\r\n').length;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    for (const l of body) {
      const line = l.replace(/^(interface \S+|object network \S+|aaa-server \S+)/, `$1-${i}`);
      out.push(line);
      size += line.length + 2;
    }
    for (let k = 0; k < 50; k++) {
      const line = `access-list ACL-${i} extended permit tcp host 10.${i % 250}.${k}.1 any eq ${1000 + k} `;
      out.push(line);
      size += line.length + 2;
    }
  }
  out.push(...tail);
  return out.join('\r\n');
}

/** The fastest of `runs` reads, wall and CPU time: the least disturbed by other load on a shared machine. */
async function timeRead(readInspection, text, runs) {
  const ms = [];
  const cpuMs = [];
  let report;
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    report = readInspection(text).report;
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return { ms: round(Math.min(...ms), 1), cpuMs: round(Math.min(...cpuMs), 1), report };
}

export async function configReadBench({ mb = 10, runs = 3 } = {}) {
  const { readInspection } = await distImport('platform/inspection.js');
  const small = bigConfig(mb / 2);
  const big = bigConfig(mb);
  const double = bigConfig(mb * 2);
  await timeRead(readInspection, small, 1); // warm-up: JIT
  const half = await timeRead(readInspection, small, runs);
  const one = await timeRead(readInspection, big, runs);
  const two = await timeRead(readInspection, double, runs);
  const f = one.report.findings;
  return {
    configMB: round(big.length / 1024 / 1024, 1),
    configReadMs: one.ms,
    // CPU time of the same read (includes GC threads): what the read costs when the machine is shared.
    configReadCpuMs: one.cpuMs,
    configReadHalfMs: half.ms,
    configReadDoubleMs: two.ms,
    // By CPU time: 1.0 is linear; a quadratic reader would show 2.0 (twice the size, four times the time).
    configReadGrowth: round(two.cpuMs / one.cpuMs / 2, 2),
    answerOk: one.report.active && f.length === 1 && f[0].class === 'inspection_default',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '10' } } });
  const r = await configReadBench({ mb: Number(values.mb) });
  process.stdout.write(
    `config read: ${r.configMB} MB in ${r.configReadMs} ms, CPU ${r.configReadCpuMs} ms (goal < 1000 ms); ${r.configMB / 2} MB in ${r.configReadHalfMs} ms, ` +
      `${r.configMB * 2} MB in ${r.configReadDoubleMs} ms (growth ${r.configReadGrowth}, 1.0 = linear); answer ${r.answerOk ? 'right' : 'WRONG'}\n`,
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
