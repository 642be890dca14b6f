/**
 * The emulated device's CLI, one session per connection. Kept as the import path device.ts, the servers and the
 * tests use; the code lives in ./cli/ (connection.ts is the session loop, one module per concern beside it).
 */
export { CliConnection, type CliConnectionOptions } from './cli/connection.js';
export type { CliSink } from './cli/line-io.js';
