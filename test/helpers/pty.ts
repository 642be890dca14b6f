/**
 * Run a command inside a real pseudo-terminal (80x24 unless told) and drive it like a person: wait for text on the screen
 * (ANSI escapes stripped) with a timeout, then type. No node-pty: python3's pty module bridges the terminal to
 * pipes; util-linux `script` is the fallback. `ptyDriver()` is null when neither exists (tests skip with a message).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** Bridge: child on a pty sized argv[1]xargv[2] (cols x rows); pty output -> stdout, stdin -> pty; exit with the child's status. */
const PY_BRIDGE = `
import os, pty, sys, select, struct, fcntl, termios
cols, rows = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execvp(sys.argv[3], sys.argv[3:])
inputs = [fd, 0]
while True:
    r, _, _ = select.select(inputs, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            inputs = [fd]
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
`;

export type PtyDriver = 'python3' | 'script';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let cached: PtyDriver | null | undefined;
export function ptyDriver(): PtyDriver | null {
  if (cached !== undefined) return cached;
  // MAILGUARD_PTY=script forces the fallback (to test it where python3 exists too).
  const forced = process.env.MAILGUARD_PTY;
  if (forced === 'python3' || forced === 'script') {
    cached = has(forced, ['-V']) ? forced : null;
    return cached;
  }
  if (has('python3', ['-c', 'import pty, os; os.waitstatus_to_exitcode'])) cached = 'python3';
  else if (has('script', ['-V'])) cached = 'script';
  else cached = null;
  return cached;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>78]/g;

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03' } as const;

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export class PtySession {
  raw = '';
  private readonly child: ChildProcess;
  private waiters = new Set<() => void>();
  readonly exited: Promise<number>;
  private exitCode: number | null = null;

  constructor(
    command: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number },
  ) {
    const driver = ptyDriver();
    if (!driver) throw new Error('no pty driver (python3 or script)');
    const cols = opts.cols ?? 80;
    const rows = opts.rows ?? 24;
    this.child =
      driver === 'python3'
        ? spawn('python3', ['-c', PY_BRIDGE, String(cols), String(rows), command, ...args], {
            cwd: opts.cwd,
            env: opts.env,
          })
        : spawn(
            'script',
            ['-qefc', `stty cols ${cols} rows ${rows}; exec ${[command, ...args].map(sq).join(' ')}`, '/dev/null'],
            { cwd: opts.cwd, env: opts.env },
          );
    this.child.stdout?.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8');
      this.notify();
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8');
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : -1);
        this.notify();
        resolve(this.exitCode);
      });
    });
  }

  private notify() {
    for (const w of [...this.waiters]) w();
  }

  /** The output as text: ANSI escapes removed, CR LF as LF. */
  get screen(): string {
    return this.raw.replace(ANSI, '').replace(/\r\n/g, '\n');
  }

  /** Wait until the text after `from` (an offset in `screen`) matches; returns the end offset of the match. */
  waitFor(re: RegExp, timeoutMs = 15_000, from = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.screen.slice(from);
        const m = re.exec(s);
        if (m) {
          done();
          resolve(from + m.index + m[0].length);
          return true;
        }
        if (this.exitCode !== null) {
          done();
          reject(new Error(`exited (${this.exitCode}) before ${re}; screen tail:\n${s.slice(-1500)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timeout waiting for ${re}; screen tail:\n${this.screen.slice(from).slice(-1500)}`));
      }, timeoutMs);
      const w = () => void check();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(w);
      };
      if (!check()) this.waiters.add(w);
    });
  }

  private pos = 0;

  /** Wait for `re` after the previous expect's match, then type `keys` (if any). */
  async expect(re: RegExp, keys?: string, timeoutMs = 15_000): Promise<void> {
    this.pos = await this.waitFor(re, timeoutMs, this.pos);
    if (keys !== undefined) this.type(keys);
  }

  type(keys: string): void {
    this.child.stdin?.write(keys);
  }

  /** Wait for the exit code, with a timeout. */
  async exit(timeoutMs = 15_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<number>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no exit within ${timeoutMs} ms; tail:\n${this.screen.slice(-1500)}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.exitCode === null) this.child.kill('SIGKILL');
  }
}
