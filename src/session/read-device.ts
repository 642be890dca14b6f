/**
 * Read what the change engine and `detect` need from a logged-in device: platform facts and every place SMTP
 * inspection is configured, per security context in multiple-context mode.
 */
import {
  buildPlatformInfo,
  classifyDeviceOutput,
  execCommands,
  findSmtpInspection,
  parseSerial,
  parseShowContext,
  parseShowVersion,
} from '../platform/index.js';
import type { InspectionReport, PlatformInfo } from '../platform/types.js';
import type { AsaCliSession } from './session.js';
import type { CliSession } from './types.js';

export interface ContextReading {
  /** Context name in multiple-context mode, null in single mode. */
  name: string | null;
  runningConfig: string;
  report: InspectionReport;
}

export interface DeviceReading {
  platform: PlatformInfo;
  contexts: ContextReading[];
  /** All findings of all contexts; active when any is. */
  inspection: InspectionReport;
  /** Raw outputs, for evidence. */
  raw: { showVersion: string; showMode: string | null; showFailover: string | null };
}

type ReadableSession = CliSession & Partial<Pick<AsaCliSession, 'setDialect'>>;

async function optional(session: CliSession, command: string): Promise<string | null> {
  const out = await session.send(command, { allowErrors: true });
  return classifyDeviceOutput(out).ok ? out : null;
}

export async function readDevice(session: ReadableSession): Promise<DeviceReading> {
  const showVersion = await session.send('show version');
  const version = parseShowVersion(showVersion);
  session.setDialect?.(version.dialect);
  const cmds = execCommands(version.dialect);
  const showMode = cmds.showMode ? await optional(session, cmds.showMode) : null;
  const showFailover = await optional(session, cmds.showFailover);
  const platform = buildPlatformInfo({ showVersion: version, showMode, showFailover });

  const contexts: ContextReading[] = [];
  if (platform.contextMode === 'multiple') {
    const start = session.context;
    // `show context` lists the contexts only in the system execution space.
    if (start !== null) await session.changeTo('system');
    const list = parseShowContext(await session.send('show context')).contexts;
    for (const ctx of list) {
      await session.changeTo(ctx.name);
      const runningConfig = await session.send(cmds.showRunning);
      contexts.push({
        name: ctx.name,
        runningConfig,
        report: findSmtpInspection(runningConfig, { context: ctx.name, dialect: version.dialect }),
      });
    }
    await session.changeTo(start ?? 'system');
  } else {
    const runningConfig = await session.send(cmds.showRunning);
    contexts.push({
      name: null,
      runningConfig,
      report: findSmtpInspection(runningConfig, { context: null, dialect: version.dialect }),
    });
  }
  // A user context's `show version` prints no serial; `show failover` (Ours X) or the config header may.
  platform.serial ??= parseSerial(showFailover ?? '') ?? parseSerial(contexts[0]?.runningConfig ?? '');
  const findings = contexts.flatMap((c) => c.report.findings);
  return {
    platform,
    contexts,
    inspection: { active: findings.some((f) => f.active), findings },
    raw: { showVersion, showMode, showFailover },
  };
}
