/** The zod form of src/net/endpoint.ts's parser, for playbooks, inventories and connection settings (loads zod). */
import * as z from 'zod';
import { type EndpointOptions, endpointProblem } from './endpoint.js';

/** A string that parseEndpoint accepts; the issue message is the parser's own. No transform (JSON Schema export). */
export function endpointSchema(opts: EndpointOptions = {}) {
  const shape = opts.user ? '[user@]host[:port]' : 'host[:port]';
  return z
    .string()
    .superRefine((s, ctx) => {
      const problem = endpointProblem(s, opts);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: `${shape}; IPv6 as [2001:db8::1]:port (a bare IPv6 address when no port is given)` });
}

/**
 * A jump host chain as `ssh -J` / ProxyJump takes it: `[user@]host[:port]`, comma-separated, first hop first; or
 * `none` (connect directly, over a less specific jump host or ssh_config's ProxyJump).
 */
export function jumpSchema() {
  return z
    .string()
    .superRefine((s, ctx) => {
      if (s === 'none') return;
      for (const part of s.split(',')) {
        const problem = endpointProblem(part, { user: true, what: 'jump host' });
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    })
    .meta({
      description:
        'SSH jump host(s) [user@]host[:port], a,b for a chain (as ssh -J / ProxyJump); none: connect directly',
    });
}
