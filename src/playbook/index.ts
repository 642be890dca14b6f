/** The playbook layer's public API (used by `asa-mailguard run`). */
export { expandHostPattern, parseAnsibleIni, shellSplit } from './ansible-ini.js';
export {
  auditCounts,
  auditExitCode,
  describePlace,
  deviceAudit,
  deviceSideText,
  MISMATCH_TEXT,
  mismatchOf,
  placeOf,
} from './audit.js';
export {
  changeOptionsFor,
  describePlatform,
  type EngineRunnerOptions,
  engineDeviceRunner,
  latestBackupFor,
  outcomeFromResult,
} from './engine-runner.js';
export {
  type AuditCounts,
  type AuditMismatch,
  type DeviceAudit,
  type DeviceEvent,
  type DeviceOutcome,
  type DeviceRecord,
  type DeviceResult,
  type DeviceRunner,
  type FailureBudgetStore,
  type FleetEvent,
  type FleetMeta,
  type FleetOptions,
  type FleetReport,
  type FleetTarget,
  failureBudget,
  fleetExitCode,
  type InspectionPlace,
  isFailure,
  isSuccess,
  type ProbeTarget,
  runFleet,
  type SkipReason,
  type StopReason,
} from './fleet.js';
export { type RunConnectionFlags, resolveHostConnection } from './host-connection.js';
export {
  ansibleHostVars,
  type CredValue,
  effectiveSettings,
  formatWarning,
  groupsOf,
  type HostSettings,
  type Inventory,
  type InventoryFormat,
  type InventoryGroup,
  type InventoryHost,
  type InventoryWarning,
} from './inventory.js';
export { detectYamlFormat, loadInventory, parseInventory } from './inventory-load.js';
export { type PatternResult, selectHosts, splitPatterns } from './patterns.js';
export {
  DEFAULTS,
  type LoadedPlaybook,
  loadPlaybook,
  type Mode,
  parsePlaybook,
  type ReloadPolicy,
  type RunOverrides,
  type RunSettings,
  runSettings,
} from './playbook.js';
export {
  budgetText,
  type FleetReportFiles,
  fleetReportMarkdown,
  INTERRUPTED_WORDS,
  writeFleetReport,
} from './report.js';
export { type FleetHtmlOptions, fleetReportCsv, fleetReportHtml, recordHtmlPath } from './report-html.js';
export { timelineOrder, timelineSvg } from './report-timeline.js';
export {
  InventorySchema,
  inventoryJsonSchema,
  type Playbook,
  type PlaybookInput,
  PlaybookSchema,
  playbookJsonSchema,
  WEEKDAYS,
  type Weekday,
} from './schema.js';
export { parseShard, type Shard, selectShard, shardOf } from './shard.js';
export { formatIssue, formatPos, type SourceIssue, type SourcePos } from './source.js';
export { pairKey, type ResolvedFleet, type ResolveOptions, resolveFleet } from './targets.js';
export {
  type Clock,
  canStartDevice,
  describeWindow,
  formatDuration,
  outsideWindowError,
  type WaitOptions,
  type WindowSpec,
  type WindowState,
  waitForWindow,
  windowFromPlaybook,
  windowState,
} from './window.js';
