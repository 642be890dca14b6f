/**
 * Login prompt learning at a chunk boundary the lab cannot produce on purpose: a banner line that looks like a
 * prompt ends a TCP chunk. A scripted byte stream stands in for the transport (device text shapes from
 * asa_login-banner_1.txt; the banner line itself is invented for the test).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AsaCliSession } from '../../src/session/session.js';
import type { Transport } from '../../src/transport/types.js';

class ScriptedTransport extends EventEmitter implements Transport {
  readonly kind = 'ssh' as const;
  readonly eol = '\n';
  readonly hostKeyFingerprint = null;
  closed = false;
  readonly written: string[] = [];
  constructor(private readonly replies: Array<[RegExp, string[]]>) {
    super();
  }
  /** Emit chunks one event-loop turn apart, like separate TCP segments. */
  send(chunks: string[]): void {
    let p = Promise.resolve();
    for (const c of chunks) {
      p = p.then(
        () =>
          new Promise<void>((r) =>
            setImmediate(() => {
              this.emit('data', Buffer.from(c));
              r();
            }),
          ),
      );
    }
  }
  write(data: string | Buffer): void {
    const text = data.toString();
    this.written.push(text);
    const i = this.replies.findIndex(([re]) => re.test(text));
    if (i >= 0) {
      const [, chunks] = this.replies.splice(i, 1)[0] as [RegExp, string[]];
      this.send(chunks);
    }
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', 'closed');
  }
}

describe('prompt learning', () => {
  it('a banner line cut at a chunk end is not taken for the prompt, and no stray prompt is left behind', async () => {
    const t = new ScriptedTransport([
      // the rest of the banner arrives, then the answer to the empty line: two real prompts
      [
        /^\n$/,
        [
          "\r\nUser admin logged in to fw1\r\nType help or '?' for a list of available commands.\r\n\rfw1> ",
          '\r\n\rfw1> ',
        ],
      ],
      [/^enable\n$/, ['enable\r\nPassword: ']],
      [/^s3cret\n$/, ['*****\r\n\rfw1# ']],
      [/^terminal pager 0\n$/, ['terminal pager 0\r\n\rfw1# ']],
      [/^show hostname\n$/, ['show hostname\r\nfw1\r\n\rfw1# ']],
    ]);
    const logs: string[] = [];
    const s = new AsaCliSession(t, {
      host: 'scripted',
      transport: 'ssh',
      enableSecret: 's3cret',
      onLog: (l) => logs.push(l),
    });
    t.send(['*** Authorized use only ***\r\nfake-host# ']);
    await s.login();
    expect(s.prompt).toBe('fw1#');
    expect(logs.join('\n')).toContain('The banner line "fake-host#" looked like a prompt');
    expect(await s.send('show hostname')).toBe('fw1');
    expect(t.written).toEqual(['\n', 'enable\n', 's3cret\n', 'terminal pager 0\n', 'show hostname\n']);
    expect(s.transcript()).not.toContain('s3cret');
    await s.close();
  });
});
