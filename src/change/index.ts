/**
 * The change engine's public API, for `apply`/`rollback`, the wizard and the fleet runner:
 *
 *   const engine = new ChangeEngine({ connect, smtp, reload: 'if-needed', backupDir, confirm });
 *   createRenderer({ json, label }).attach(engine);      // or engine.on('step:start' | 'step:done' | ...)
 *   const result = await engine.run();                   // never throws; result.exitCode is the contract
 */
export { type BackupMetadata, type LoadedBackup, loadBackup, writeBackup } from './backup.js';
export type { DeviceState, EngineDeps, PlanOutput, ProbeRequest } from './deps.js';
export { ChangeEngine, runChange } from './engine.js';
export { ChangeEmitter } from './events.js';
export { acquireLock, type DeviceLock } from './lock.js';
export { renderMarkdown, writeChangeRecord } from './record.js';
export { redactSecrets } from './redact.js';
export * from './types.js';
