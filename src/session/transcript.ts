/** The conversation log with every registered secret replaced by `***`; the file is created mode 0600. */
import { closeSync, fchmodSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Transcript files this process has written to (resolved paths). */
const opened = new Set<string>();

export class Transcript {
  private readonly secrets: string[] = [];
  private readonly lines: string[] = [];
  /** Characters held in `lines`; the oldest are dropped past `maxChars` (the file, if any, keeps everything). */
  private held = 0;
  private dropped = false;
  /** The unfinished last line, kept unredacted only until its newline (a secret may span two chunks). */
  private partial = '';
  private fd: number | null = null;

  constructor(
    file?: string,
    private readonly maxChars = 16 * 1024 * 1024,
    makeFolder = false,
  ) {
    if (file) {
      // A missing folder is made only when asked (run's --transcript-dir, checked at start); an existing one is left as is.
      if (makeFolder) mkdirSync(dirname(resolve(file)), { recursive: true, mode: 0o700 });
      // A reconnect (after a drop, a timeout or a reload) appends with a marker line: what was sent before a
      // failure must stay readable. The first session of the process starts the file afresh.
      const key = resolve(file);
      const again = opened.has(key);
      opened.add(key);
      this.fd = openSync(file, again ? 'a' : 'w', 0o600);
      fchmodSync(this.fd, 0o600); // an existing file keeps its old mode otherwise
      if (again) writeSync(this.fd, `\n! mailguard: --- new session ${new Date().toISOString()} (reconnect) ---\n`);
    }
  }

  addSecret(secret: string | undefined): void {
    if (!secret || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /** Append received (or locally noted) text. */
  append(text: string): void {
    const all = this.partial + text;
    const cut = all.lastIndexOf('\n');
    if (cut < 0) {
      this.partial = all;
      return;
    }
    const done = this.redact(all.slice(0, cut + 1));
    this.partial = all.slice(cut + 1);
    this.keep(done);
    if (this.fd !== null) writeSync(this.fd, done);
    // A line that never ends (a stream without newlines) must not grow the partial line without bound either.
    if (this.partial.length > this.maxChars) this.partial = this.partial.slice(-this.maxChars);
  }

  private keep(text: string): void {
    this.lines.push(text);
    this.held += text.length;
    while (this.held > this.maxChars && this.lines.length > 1) {
      this.held -= this.lines.shift()?.length ?? 0;
      this.dropped = true;
    }
  }

  text(): string {
    const head = this.dropped
      ? '! mailguard: (earlier output dropped from memory; the --transcript file has it)\n'
      : '';
    return head + this.lines.join('') + this.redact(this.partial);
  }

  close(): void {
    if (this.partial !== '') {
      const rest = this.redact(this.partial);
      this.keep(rest);
      this.partial = '';
      if (this.fd !== null) writeSync(this.fd, rest);
    }
    if (this.fd !== null) {
      writeSync(this.fd, '\n');
      closeSync(this.fd);
      this.fd = null;
    }
  }
}
