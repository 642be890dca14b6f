/**
 * `asa-mailguard lab --stdio`: one CLI session on stdin/stdout, so a real OpenSSH sshd (ForceCommand) or a telnetd
 * can front the emulator. Login is done by the front, or by the emulator itself with `--telnet-login`.
 */
import { DeviceEmulator, resolveDeviceOptions } from './device.js';
import { persistDevice } from './state.js';
import type { LabDeviceOptions } from './types.js';

export interface StdioOptions {
  device: LabDeviceOptions;
  /** Ask Username/Password (ASA) or Password (PIX) before the banner. */
  telnetLogin: boolean;
  /** Keep running and startup config across sessions (each session is a new process). */
  stateDir?: string;
  input?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output?: NodeJS.WritableStream;
}

/** Resolves with the exit status when the session ends (logout, reload, end of input). */
export function runStdio(o: StdioOptions): Promise<number> {
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stdout;
  const device = new DeviceEmulator(resolveDeviceOptions({ name: o.device.name ?? o.device.dialect, ...o.device }));
  if (o.stateDir) persistDevice(device, o.stateDir, true);
  return new Promise((resolve) => {
    if (input.isTTY && input.setRawMode) input.setRawMode(true);
    const conn = device.openConnection(
      {
        transport: 'stdio',
        login: o.telnetLogin ? device.opts.telnetLogin : 'none',
        username: o.telnetLogin ? undefined : device.opts.username,
      },
      {
        write: (s) => output.write(Buffer.from(s, 'latin1')),
        close: () => {
          if (input.isTTY && input.setRawMode) input.setRawMode(false);
          input.removeAllListeners('data');
          if ('pause' in input) input.pause();
          device.stop();
          output.write('', () => resolve(0));
        },
      },
    );
    input.on('data', (d: Buffer | string) => conn.feed(d));
    input.on('end', () => conn.endInput());
    conn.start();
  });
}
