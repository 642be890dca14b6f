/**
 * The byte side of one CLI session, no sockets: typed input is read char by char when the CLI asks for it (so what
 * is typed while a command runs is echoed only when the CLI reads it again, as on the device), and output is
 * coalesced per tick into one sink write.
 */

export interface CliSink {
  write(data: string): void;
  /** Raw telnet command bytes (IAC ...) in order with the text; absent where there is no telnet (SSH, stdio). */
  telnet?(bytes: Buffer): void;
  /** End the session (close the channel/socket). Called once. */
  close(): void;
}

/** How a line is echoed: as typed, nothing (passwords), or `*` per char. */
export type Echo = 'plain' | 'none' | 'star';

export class LineIo {
  private inBuf = '';
  private waiter: (() => void) | null = null;
  private inputEnded = false;
  private lastWasCR = false;
  private pendingOut = '';
  private flushScheduled = false;
  private closed = false;

  constructor(private readonly sink: CliSink) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes typed by the client (telnet option negotiation already removed). */
  feed(data: Buffer | string): void {
    if (this.closed) return;
    this.inBuf += typeof data === 'string' ? data : data.toString('latin1');
    this.wake();
  }

  /** The client closed its side. */
  endInput(): void {
    this.inputEnded = true;
    this.wake();
  }

  /** Flush, close the sink and release a pending read. False when it was already closed. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.flush();
    this.sink.close();
    this.wake();
    return true;
  }

  write(s: string): void {
    if (this.closed) return;
    this.pendingOut += s;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Telnet command bytes, after the text written so far (a no-op without telnet). */
  telnet(bytes: Buffer): void {
    if (this.closed || !this.sink.telnet) return;
    this.flush();
    this.sink.telnet(bytes);
  }

  /** One line. */
  async readLine(echo: Echo): Promise<string | null> {
    let line = '';
    for (;;) {
      const c = await this.nextKey();
      if (c === null) return null;
      if (c === '\r') {
        this.write('\r\n');
        return line;
      }
      if (c === '\x7f' || c === '\b') {
        if (line) {
          line = line.slice(0, -1);
          if (echo !== 'none') this.write('\b \b');
        }
        continue;
      }
      if (c < ' ' && c !== '\t') continue;
      line += c;
      if (echo === 'plain') this.write(c);
      else if (echo === 'star') this.write('*');
    }
  }

  /** One key (pager, [confirm]); Enter comes back as `\r`. */
  readKey(): Promise<string | null> {
    return this.nextKey();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.pendingOut) return;
    const s = this.pendingOut;
    this.pendingOut = '';
    this.sink.write(s);
  }

  private async nextChar(): Promise<string | null> {
    while (this.inBuf.length === 0) {
      if (this.inputEnded || this.closed) return null;
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
    const c = this.inBuf[0] as string;
    this.inBuf = this.inBuf.slice(1);
    return c;
  }

  /** Next typed char with line ends folded: `\r`, `\n`, `\r\n`, `\r\0` all come back as one `\r`. */
  private async nextKey(): Promise<string | null> {
    for (;;) {
      const c = await this.nextChar();
      if (c === null) return null;
      if ((c === '\n' || c === '\0') && this.lastWasCR) {
        this.lastWasCR = false;
        continue;
      }
      this.lastWasCR = c === '\r';
      return c === '\n' ? '\r' : c;
    }
  }
}
