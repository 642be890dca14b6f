/** Device configs kept in the lab's state folder (`<name>.startup-config`, `<name>.running-config`, mode 0600). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeviceEmulator } from './device.js';

function file(dir: string, name: string, kind: 'startup' | 'running'): string {
  return join(dir, `${name.replace(/[^\w.-]/g, '_')}.${kind}-config`);
}

export function readSavedConfig(dir: string, name: string, kind: 'startup' | 'running'): string | undefined {
  const f = file(dir, name, kind);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

function write(dir: string, name: string, kind: 'startup' | 'running', text: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file(dir, name, kind), text, { mode: 0o600 });
}

/**
 * Load the device's saved configs (single context only) and keep them written: the startup config on every save,
 * and with `running` also the running config after every command (stdio mode: one process per session).
 */
export function persistDevice(device: DeviceEmulator, dir: string, running: boolean): void {
  if (device.opts.contextMode !== 'single') return;
  const startup = readSavedConfig(dir, device.name, 'startup');
  if (startup) {
    device.setStartupConfig(startup);
    device.setRunningConfig(startup);
  }
  const savedRunning = running ? readSavedConfig(dir, device.name, 'running') : undefined;
  if (savedRunning) device.setRunningConfig(savedRunning);
  device.on('saved', () => write(dir, device.name, 'startup', device.startupConfig()));
  if (running) {
    device.on('executed', () => {
      if (device.isUp()) write(dir, device.name, 'running', device.runningConfig());
    });
    // After a reload the device runs its startup config.
    device.on('down', () => write(dir, device.name, 'running', device.startupConfig()));
  }
}
