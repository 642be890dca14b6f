/**
 * The state one CLI session carries (privilege, mode stack, context, pager length, user) and the helpers every
 * command module uses. Command modules are functions of a Session, so each concern lives in its own file.
 */
import type { ConfigDoc } from '../config-text.js';
import type { DeviceEmulator } from '../device.js';
import { SINGLE } from '../device.js';
import type { Echo, LineIo } from './line-io.js';

export type ModeKind = 'config' | 'pmap' | 'pmap-c' | 'cmap' | 'pmap-p';
export interface Mode {
  kind: ModeKind;
  name?: string;
}

export class Session {
  privileged = false;
  modes: Mode[] = [];
  ctx: string;
  pagerLines: number;
  user: string | undefined;
  /** The prompt the current line was typed after (the caret column counts from it). */
  lastPrompt = '';

  constructor(
    readonly device: DeviceEmulator,
    private readonly io: LineIo,
    /** Ends the whole connection (logout, drop fault). */
    private readonly end: () => void,
    username: string | undefined,
  ) {
    this.ctx = device.defaultContext;
    this.user = username;
    this.pagerLines = this.configPagerLines();
  }

  write(s: string): void {
    this.io.write(s);
  }
  /** Raw telnet command bytes (the greeting's option offers, DO TERMINAL-TYPE); nothing over SSH or stdio. */
  telnet(bytes: number[]): void {
    this.io.telnet(Buffer.from(bytes));
  }
  lines(lines: readonly string[]): void {
    this.io.write(lines.map((l) => `${l}\r\n`).join(''));
  }
  readLine(echo: Echo): Promise<string | null> {
    return this.io.readLine(echo);
  }
  readKey(): Promise<string | null> {
    return this.io.readKey();
  }
  close(): void {
    this.end();
  }

  /** The running config of the current context. */
  doc(): ConfigDoc {
    return this.device.doc(this.ctx);
  }
  /** Note a config change by this session's user. */
  touched(): void {
    this.device.touched(this.user ?? 'enable_15');
  }

  get inConfig(): boolean {
    return this.modes.length > 0;
  }
  get mode(): ModeKind | 'exec' {
    return this.modes[this.modes.length - 1]?.kind ?? 'exec';
  }

  prompt(): string {
    const dev = this.device;
    let p = dev.hostname();
    const promptLine = this.doc().body.find((l) => l.startsWith('prompt ')) ?? 'prompt hostname context';
    if (this.ctx !== SINGLE && this.ctx !== 'system' && promptLine.includes('context')) p += `/${this.ctx}`;
    const fo = dev.failoverRole;
    if (fo) p += `/${fo.unit === 'primary' ? 'pri' : 'sec'}/${fo.role === 'active' ? 'act' : 'stby'}`;
    const mode = this.modes[this.modes.length - 1];
    if (mode) p += mode.kind === 'config' ? '(config)' : `(config-${mode.kind})`;
    return `${p}${this.privileged ? '#' : '>'} `;
  }

  private configPagerLines(): number {
    const d = this.device.doc(this.ctx);
    if (d.body.includes('no pager')) return 0;
    const m = d.body.map((l) => /^pager lines (\d+)/.exec(l)).find((x) => x);
    return m ? Number(m[1]) : 24;
  }
}
