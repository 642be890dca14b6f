/**
 * The shape of an earlier `probe --json` report, for `probe --compare`. Its own module, loaded only for --compare
 * (a plain probe starts without zod), and imported statically: a dynamic import of zod itself would make the
 * bundler keep all of zod (every locale, JSON Schema import) in the file every start reads.
 */
import * as z from 'zod';

export const probeReportSchema = z.object({
  probes: z.array(
    z.looseObject({
      address: z.string(),
      port: z.number().int(),
      verdict: z.enum(['inspected', 'clean', 'other-proxy', 'inconclusive', 'unreachable']),
    }),
  ),
});
export type ProbeReportBefore = z.infer<typeof probeReportSchema>;
