import { describe, expect, it } from 'vitest';
import { parseShowServicePolicy, smtpInspectsInServicePolicy } from '../../src/platform/service-policy.js';
import { capture } from '../fixtures/load.js';

describe('parseShowServicePolicy', () => {
  it('asa_show-service-policy_1.txt: every Inspect line of the global policy', () => {
    const all = parseShowServicePolicy(capture('asa_show-service-policy_1.txt'));
    expect(all).toHaveLength(15);
    expect(
      all.every((i) => i.scope === 'global' && i.policy === 'global_policy' && i.class === 'inspection_default'),
    ).toBe(true);
    expect(all.find((i) => i.protocol === 'h323')).toMatchObject({ args: 'h225 _default_h323_map', packets: 0 });
    expect(all.find((i) => i.protocol === 'sip')?.args).toBe('');
  });

  it('asa_show-service-policy_1.txt: the esmtp inspection with _default_esmtp_map', () => {
    expect(smtpInspectsInServicePolicy(capture('asa_show-service-policy_1.txt'))).toEqual([
      {
        scope: 'global',
        policy: 'global_policy',
        class: 'inspection_default',
        protocol: 'esmtp',
        args: '_default_esmtp_map',
        packets: 0,
      },
    ]);
  });

  it('after `no inspect esmtp` the line is gone (capture with the esmtp line removed)', () => {
    const text = capture('asa_show-service-policy_1.txt')
      .split('\n')
      .filter((l) => !l.includes('Inspect: esmtp'))
      .join('\n');
    expect(smtpInspectsInServicePolicy(text)).toEqual([]);
  });
});
