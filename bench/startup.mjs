// Start-up and one `apply` as its own process, in each shipped form, side by side with Ansible's cisco.asa doing
// the same job (read the config, change it, save) against the same kind of lab device (issue #16).
// The lab devices run with --no-notice: their config already holds `no call-home reporting anonymous`, as on a unit
// where the anonymous-reporting NOTICE was answered once (ASA 9.x asks at every `configure terminal` until it is).
// That is the answer Ansible needs: asa_config cannot answer the question itself (unanswered, it times out after
// `configure terminal`); a playbook answers it once beforehand with ansible.netcommon.cli_command's prompt/answer
// (Y or N: `A` asks again next time), which leaves exactly that line. Both tools get the same devices; the lab adds
// no delay of its own (no `latency` fault here).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { CLI, knownHosts, ROOT, startLab } from './lab.mjs';
import { summary } from './stats.mjs';

/**
 * The forms a user runs: the npm package's bin (a head and its program, as `npm install -g` links it), the
 * one-file bundle for a jump host, the single executable; and, for comparison, the unbundled ESM build
 * (dist/cli.js) the package's bin was before.
 */
export function cliForms() {
  const forms = [];
  const bin = join(ROOT, 'dist-bundle', 'asa-mailguard-bin.cjs');
  if (existsSync(bin))
    forms.push({ name: 'npm package (node asa-mailguard-bin.cjs)', command: process.execPath, prefix: [bin] });
  const bundle = join(ROOT, 'dist-bundle', 'asa-mailguard.cjs');
  if (existsSync(bundle))
    forms.push({ name: 'one-file bundle (node asa-mailguard.cjs)', command: process.execPath, prefix: [bundle] });
  const sea = join(ROOT, 'dist-bundle', 'asa-mailguard');
  if (existsSync(sea)) forms.push({ name: 'single executable', command: sea, prefix: [] });
  forms.push({ name: 'unbundled dist/cli.js (not shipped as bin)', command: process.execPath, prefix: [CLI] });
  return forms;
}

/**
 * The floor (bench/floor-process.cjs), built as the CLI is (scripts/bundle-lib.mjs: esbuild, the code-cache head).
 * Its cache lives in its own folder: a head removes the caches of other builds from its folder.
 */
export async function floorForm(dir) {
  const { bundleProgram } = await import(pathToFileURL(join(ROOT, 'scripts', 'bundle-lib.mjs')).href);
  const bin = join(dir, 'floor', 'floor-bin.cjs');
  await bundleProgram({
    entry: join(ROOT, 'bench', 'floor-process.cjs'),
    program: join(dir, 'floor', 'floor-program.js'),
    bin,
  });
  return { command: process.execPath, bin, env: { XDG_CACHE_HOME: join(dir, 'floor', 'cache') } };
}

/** One floor run (read, change, save; nothing else) as a new process against one fresh lab device. */
export function floorOnce(floor, device) {
  const args = [floor.bin, device.ssh.host, String(device.ssh.port), device.username];
  const env = { ...floor.env, ASA_PASSWORD: device.password, ASA_ENABLE_SECRET: device.enableSecret };
  return timed(floor.command, args, env);
}

/** Wall time and CPU time (user + system, from the kernel's accounting of the child) of one process. */
function timed(command, args, env = {}, { expectOut } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0 || (expectOut && !expectOut.test(out)))
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(-600)}`));
      else resolve(ms);
    });
  });
}

/** Is Debian's ansible-playbook here with the cisco.asa collection? Returns the reason when not. */
export function ansibleMissing() {
  try {
    const list = execFileSync('ansible-galaxy', ['collection', 'list', 'cisco.asa'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    if (!/cisco\.asa/.test(list)) return 'the cisco.asa collection is not installed';
    execFileSync('ansible-playbook', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'ansible-playbook / ansible-galaxy not found (Debian package: ansible)';
  }
}

const PLAYBOOK = `- hosts: asa
  gather_facts: false
  tasks:
    - name: disable SMTP inspection, save when changed
      cisco.asa.asa_config:
        parents: [policy-map global_policy, class inspection_default]
        lines: [no inspect esmtp]
        save_when: modified
`;

/** One ansible-playbook run against one fresh lab device; resolves with ms (checks changed=1). */
function ansibleOnce(device, dir, i) {
  const inv = join(dir, `inventory-${i}.ini`);
  writeFileSync(
    inv,
    `[asa]\nfw ansible_host=${device.ssh.host} ansible_port=${device.ssh.port}\n\n[asa:vars]\n` +
      'ansible_connection=ansible.netcommon.network_cli\nansible_network_os=cisco.asa.asa\n' +
      `ansible_user=${device.username}\nansible_password=${device.password}\nansible_become=true\n` +
      `ansible_become_method=ansible.netcommon.enable\nansible_become_password=${device.enableSecret}\n`,
    { mode: 0o600 },
  );
  return timed(
    'ansible-playbook',
    ['-i', inv, join(dir, 'playbook.yml')],
    // The lab's host keys are new each run; paramiko (Debian's ansible has no pylibssh) would ask.
    { ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp') },
    { expectOut: /changed=1\b/ },
  );
}

/** One `apply` (no reload, no probe) as a new process in the given form, against one fresh lab device. */
function applyOnce(form, device, kh, backupDir) {
  const target = `${device.username}@${device.ssh.host}:${device.ssh.port}`;
  const args = [...form.prefix, 'apply', target, '--known-hosts', kh, '--reload', 'never', '--yes', '--json'];
  args.push('--backup-dir', backupDir);
  return timed(form.command, args, { ASA_PASSWORD: device.password, ASA_ENABLE_SECRET: device.enableSecret });
}

export async function startupBench({ runs, ansibleRuns, work, log }) {
  const forms = cliForms();
  const dir = join(work, 'startup');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'playbook.yml'), PLAYBOOK);
  const missing = ansibleMissing();
  if (missing) log(`Ansible side of the comparison skipped: ${missing}`);
  const nAnsible = missing ? 0 : ansibleRuns;
  const floor = await floorForm(dir);
  const lab = await startLab({ devices: (forms.length + 1) * (runs + 1) + nAnsible, extra: ['--no-notice'] });
  const kh = join(dir, 'known_hosts');
  writeFileSync(kh, knownHosts(lab.devices));
  const devices = [...lab.devices];
  const result = { forms: [], floor: null, ansible: null };
  try {
    // Warm-up (disk cache, code caches), then round by round: each round runs the floor and every form once, so
    // load from elsewhere on the machine hits them alike.
    log(`floor and ${forms.length} forms, --version and apply as a process: ${runs} rounds`);
    await floorOnce(floor, devices.shift());
    for (const form of forms) await applyOnce(form, devices.shift(), kh, join(dir, 'backups'));
    const floorMs = [];
    const per = forms.map(() => ({ version: [], apply: [] }));
    for (let i = 0; i < runs; i++) {
      floorMs.push(await floorOnce(floor, devices.shift()));
      for (const [k, form] of forms.entries()) {
        per[k].version.push(await timed(form.command, [...form.prefix, '--version']));
        per[k].apply.push(await applyOnce(form, devices.shift(), kh, join(dir, 'backups')));
      }
    }
    result.floor = { applyMs: summary(floorMs) };
    for (const [k, form] of forms.entries())
      result.forms.push({ name: form.name, versionMs: summary(per[k].version), applyMs: summary(per[k].apply) });
    if (nAnsible) {
      log(`Ansible cisco.asa asa_config (read, change, save): ${nAnsible} runs`);
      const ansible = [];
      for (let i = 0; i < nAnsible; i++) ansible.push(await ansibleOnce(devices.shift(), dir, i));
      result.ansible = { applyMs: summary(ansible) };
      for (const f of [...result.forms, result.floor])
        f.fasterThanAnsible = +(result.ansible.applyMs.median / f.applyMs.median).toFixed(1);
      // What 20x would take, beside what the floor takes: a form cannot be faster than the floor.
      result.goalMs = +(result.ansible.applyMs.median / 20).toFixed(1);
    } else {
      result.ansibleSkipped = missing;
    }
  } finally {
    await lab.stop();
  }
  return result;
}
