/** Platform facts and SMTP-inspection findings. The JSON shapes below are a contract (issue #3). */

/** `fwsm`: the Catalyst 6500 Firewall Services Module (PIX-derived; 2.x speaks fixup, 3.x+ MPF). */
export type Family = 'pix' | 'asa' | 'fwsm';
/** Coarse dialect: how to talk to the device and which command set disables SMTP inspection. */
export type Dialect = 'pix6' | 'asa7' | 'asa8' | 'asa9';

export interface FailoverInfo {
  enabled: boolean;
  role: 'active' | 'standby' | null;
}

export interface PlatformInfo {
  family: Family;
  /** e.g. "9.8(4)10", "6.3(5)" */
  version: string;
  model: string | null;
  hostname: string | null;
  contextMode: 'single' | 'multiple';
  failover: FailoverInfo;
  dialect: Dialect;
  /** `Model Id:` line when present (ASAv10), else null. */
  modelId?: string | null;
  /** `Serial Number:` of `show version`; null when not printed (user context), absent in older records. */
  serial?: string | null;
  /** This unit in a failover pair: primary/secondary, when known. */
  failoverUnit?: 'primary' | 'secondary' | null;
}

export interface Finding {
  kind: 'fixup' | 'inspect';
  protocol: 'smtp' | 'esmtp';
  ports: number[];
  policyMap: string | null;
  class: string | null;
  inspectMap: string | null;
  /** "global" | "interface:<name>" | null (policy-map not bound: inactive). PIX fixups are always "global". */
  binding: string | null;
  active: boolean;
  context: string | null;
  /** The config lines that prove the finding, exactly as the device printed them (trailing spaces kept). */
  lines: string[];
  /** Parameters of the esmtp inspect map when known. */
  inspectMapParams?: { maskBanner: boolean | null; allowTls: boolean | null };
  /** PIX: the port argument exactly as configured (`25`, `25-26`), used to build the `no fixup` command. */
  portSpec?: string;
  /** ASA: the class-map's match lines, trimmed (`match default-inspection-traffic`, `match port tcp eq 587`). */
  classMatch?: string[];
  /** ASA: every binding of the policy-map (a policy-map may be bound on several interfaces). */
  bindings?: string[];
  /** Why the finding is inactive, in words (absent when active). */
  inactiveReason?: string;
  /** What the configuration text leaves open about this finding (issue #12); absent when nothing. */
  warnings?: string[];
}

export interface InspectionReport {
  active: boolean;
  findings: Finding[];
  /**
   * What the text leaves open that belongs to no single finding (a line the device would reject, a policy-map bound
   * but not defined, an excerpt rather than a whole config). Set by findSmtpInspection; each finding carries its own.
   */
  warnings?: string[];
}
