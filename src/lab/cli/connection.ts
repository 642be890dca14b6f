/**
 * One CLI session on an emulated device: bytes in, bytes out, no sockets. Written as one async coroutine per
 * session (`readLine`/`readKey` await input) so questions, the pager and type-ahead behave as on the device:
 * what is typed while a command runs is echoed only when the CLI reads it again.
 *
 * This file is the session loop and the per-command faults; the commands live beside it (dispatch.ts and the
 * modules it calls). Texts come from the captures via asa-cli.md; texts no capture shows are marked [unverified].
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceEmulator } from '../device.js';
import { execute } from './dispatch.js';
import { type CliSink, LineIo } from './line-io.js';
import { type LoginKind, login, printBanner } from './login.js';
import { CliError, errorLines } from './parse.js';
import { beforeCommand, replicate } from './replication.js';
import { Session } from './session.js';

export interface CliConnectionOptions {
  transport: 'ssh' | 'telnet' | 'stdio';
  /** Login done by the CLI itself (telnet, stdio --telnet-login) or already done (SSH auth, stdio). */
  login: LoginKind;
  /** The user authenticated by SSH. */
  username?: string;
}

/** Events: `closed` (once, when the session ends for any reason). */
export class CliConnection extends EventEmitter {
  private readonly io: LineIo;
  private readonly session: Session;

  constructor(
    readonly device: DeviceEmulator,
    readonly id: number,
    readonly options: CliConnectionOptions,
    sink: CliSink,
  ) {
    super();
    this.io = new LineIo(sink);
    this.session = new Session(device, this.io, () => this.close(), options.username);
  }

  start(): void {
    this.main().catch(() => this.close());
  }

  /** Bytes typed by the client (telnet option negotiation already removed). */
  feed(data: Buffer | string): void {
    this.io.feed(data);
  }

  /** The client closed its side. */
  endInput(): void {
    this.io.endInput();
  }

  get isClosed(): boolean {
    return this.io.isClosed;
  }

  close(): void {
    if (this.io.close()) this.emit('closed');
  }

  /** Print asynchronous lines (reload notices) to this session. */
  notify(lines: string[]): void {
    this.session.lines(lines);
  }

  prompt(): string {
    return this.session.prompt();
  }

  private async main(): Promise<void> {
    const s = this.session;
    if (!(await login(s, this.options.login))) {
      this.close();
      return;
    }
    printBanner(s);
    while (!this.io.isClosed) {
      s.lastPrompt = s.prompt();
      s.write(`\r${s.lastPrompt}`);
      const line = await s.readLine('plain');
      if (line === null) break;
      await this.handleLine(line);
    }
    this.close();
  }

  /** One typed line: logged, then the per-command faults, then the command itself. */
  private async handleLine(line: string): Promise<void> {
    const cmd = line.trim();
    if (!cmd || cmd.startsWith('!') || cmd.startsWith(':')) return;
    const s = this.session;
    const dev = this.device;
    dev.recordCommand(cmd, this.id);
    const f = dev.faults;
    if (f.latencyMs) await sleep(f.latencyMs);
    const matches = (list?: RegExp[]) => list?.some((re) => re.test(cmd)) ?? false;
    if (matches(f.holdAt)) await dev.hold(cmd);
    if (matches(f.hangAt)) {
      await new Promise<void>((r) => this.once('closed', () => r()));
      return;
    }
    if (matches(f.floodAt)) {
      // About 16 KiB per timer tick: a steady stream the client must bound, paced because the sink has no
      // backpressure (an unpaced loop would grow the lab's own send buffers instead).
      const line = `${'x'.repeat(78)}\r\n`.repeat(200);
      while (!this.io.isClosed) {
        s.write(line);
        await new Promise<void>((r) => setTimeout(r, 1));
      }
      return;
    }
    if (matches(f.dropAt)) {
      this.close();
      return;
    }
    if (matches(f.errorAt)) {
      this.error(new CliError('invalid', line.length - line.trimStart().length));
      return;
    }
    if (matches(f.authzFail)) {
      s.lines(['Command authorization failed']);
      return;
    }
    const before = beforeCommand(s);
    try {
      await execute(s, line);
      await replicate(s, line, before);
    } catch (e) {
      if (e instanceof CliError) this.error(e);
      else throw e;
    }
    dev.emit('executed', cmd, this.id);
  }

  private error(e: CliError): void {
    this.session.lines(errorLines(e, this.device.isPix, this.session.lastPrompt.length));
  }
}
