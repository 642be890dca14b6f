/**
 * What the engine needs from the other layers, as one replaceable object (tests and the demo may swap parts).
 * The defaults wire the real session, platform and probe modules.
 */
import type { Endpoint } from '../net/endpoint.js';
import type { Dialect, InspectionReport, PlatformInfo } from '../platform/types.js';
import type { ProbeReport } from '../probe/types.js';
import type { CliSession, ConnectOptions } from '../session/types.js';

/** The device as read once: platform facts and each context's running config. */
export interface DeviceState {
  platform: PlatformInfo;
  /** One entry per context (single mode: one entry with context null). */
  contexts: Array<{ context: string | null; runningConfig: string }>;
  inspection: InspectionReport;
}

/** plan()/planRestore() output (src/change/plan.ts, issue #5 item 1). */
export interface PlanOutput {
  nothingToDo: boolean;
  commands: string[];
  inverse: string[];
  expectedConfig?: string;
  diff: string;
  warnings?: string[];
}

export interface ProbeRequest {
  smtp?: Endpoint[];
  domain?: string;
  resolver?: string;
}

export interface EngineDeps {
  openSession(options: ConnectOptions): Promise<CliSession>;
  readDevice(session: CliSession): Promise<DeviceState>;
  findInspection(runningConfig: string, context: string | null): InspectionReport;
  plan(input: {
    findings: InspectionReport['findings'];
    dialect: Dialect;
    runningConfig: string;
    context: string | null;
  }): PlanOutput;
  planRestore(backupConfig: string, currentConfig: string, dialect: Dialect, context: string | null): PlanOutput;
  probe(request: ProbeRequest): Promise<ProbeReport>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
