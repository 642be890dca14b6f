/**
 * Failover config replication (asa-cli.md §4.3): a config command the active unit accepted runs again, silently, on
 * the standby unit's running config, in the same context and mode. The command is replayed rather than the whole
 * config copied, so what someone typed on the standby stays (a real pair is then "no longer synchronized").
 * `write memory` is replicated by the device itself (DeviceEmulator.save).
 */
import { checksum } from '../config-text.js';
import { execute } from './dispatch.js';
import { LineIo } from './line-io.js';
import { CliError } from './parse.js';
import { type Mode, Session } from './session.js';

/** The active session's state before a command: where to replay it, and whether it changed the config. */
export interface BeforeCommand {
  modes: Mode[];
  ctx: string;
  sum: string;
}

/** Null when the device replicates to no standby (no checksum work for unpaired devices). */
export function beforeCommand(s: Session): BeforeCommand | null {
  if (!s.device.replicationTarget()) return null;
  return { modes: s.modes.map((m) => ({ ...m })), ctx: s.ctx, sum: checksum(s.device.doc(s.ctx)) };
}

/** Replay `line` on the standby when it changed the active unit's running config. */
export async function replicate(s: Session, line: string, before: BeforeCommand | null): Promise<void> {
  if (!before) return;
  const standby = s.device.replicationTarget();
  if (!standby?.hasContext(before.ctx)) return;
  if (checksum(s.device.doc(before.ctx)) === before.sum) return;
  // Output goes nowhere; input is ended, so a question the command asks (the 9.x NOTICE) gets no answer there.
  const io = new LineIo({ write: () => undefined, close: () => undefined });
  io.endInput();
  const replica = new Session(standby, io, () => undefined, s.user);
  replica.privileged = true;
  replica.ctx = before.ctx;
  replica.modes = before.modes;
  try {
    await execute(replica, line);
  } catch (e) {
    // A standby whose config diverged may refuse it, as a real one would: the active's answer stands.
    if (!(e instanceof CliError)) throw e;
  } finally {
    io.close();
  }
}
