import type { Command } from 'commander';

// Placeholder until the owning issue lands; replaced by the real command.
export function register(program: Command): void {
  program
    .command('run')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('run: not implemented yet\n');
      process.exitCode = 1;
    });
}
