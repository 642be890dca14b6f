/** The platform layer: pure Cisco PIX/ASA knowledge (parsers, message classes, command sets). No sockets. */
export * from './commands.js';
export * from './config-platform.js';
export * from './config-reader.js';
export * from './inspection.js';
export * from './messages.js';
export * from './service-policy.js';
export * from './text.js';
export type * from './types.js';
export * from './version.js';
