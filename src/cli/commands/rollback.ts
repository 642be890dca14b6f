import type { Command } from 'commander';

// Placeholder until the owning issue lands; replaced by the real command.
export function register(program: Command): void {
  program
    .command('rollback')
    .description('(not implemented yet)')
    .action(() => {
      process.stderr.write('rollback: not implemented yet\n');
      process.exitCode = 1;
    });
}
