/** inspectionPolicy() reads the running config as the device enforces it; config text round-trips with its checksum. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checksum, parseConfig, renderConfig } from '../../src/lab/config-text.js';
import { defaultConfig } from '../../src/lab/defaults.js';
import { inspectionPolicy } from '../../src/lab/policy.js';

const opts = { hostname: 'fw', username: 'admin', askAnonymousReporting: false };

describe('inspectionPolicy', () => {
  it('a stored fixup port outside 1-65535 enables nothing and never loops (issue #12)', () => {
    const text = renderConfig(defaultConfig('pix6', opts))
      .join('\n')
      .replace('fixup protocol smtp 25', 'fixup protocol smtp 99999999999999999999\nfixup protocol smtp 2526-2525');
    expect(inspectionPolicy('pix6', parseConfig(text)).ports).toEqual([]);
  });

  it('default configs: PIX fixup smtp 25 (pix_show-running-config_3.txt), ASA inspect esmtp (asa_show-running-config_1.txt)', () => {
    expect(inspectionPolicy('pix6', defaultConfig('pix6', opts))).toEqual({
      active: true,
      family: 'pix-mailguard',
      maskBanner: true,
      allowTls: false,
      ports: [25],
    });
    expect(inspectionPolicy('asa9', defaultConfig('asa9', opts))).toMatchObject({
      active: true,
      family: 'asa-esmtp',
      ports: [25],
    });
    expect(inspectionPolicy('asa8', defaultConfig('asa8', opts))).toMatchObject({ active: true, ports: [25] });
  });

  it('ASA: custom class ports, interface bindings, unbound policy-maps and inspect smtp', () => {
    const doc = defaultConfig('asa9', opts);
    const text = renderConfig(doc)
      .join('\n')
      .replace('  inspect esmtp \n', '')
      .replace(
        'service-policy global_policy global',
        [
          'class-map smtp_587',
          ' match port tcp eq 587',
          'policy-map outside_policy',
          ' class smtp_587',
          '  inspect smtp ',
          'policy-map unbound',
          ' class inspection_default',
          '  inspect esmtp ',
          'service-policy global_policy global',
          'service-policy outside_policy interface outside',
        ].join('\n'),
      );
    expect(inspectionPolicy('asa9', parseConfig(text))).toMatchObject({ active: true, ports: [587] });
    const off = text.replace('service-policy outside_policy interface outside\n', '');
    expect(inspectionPolicy('asa9', parseConfig(off))).toMatchObject({ active: false, ports: [] });
  });

  it('PIX: several fixup smtp ports and a disabled default', () => {
    const text = renderConfig(defaultConfig('pix6', opts))
      .join('\n')
      .replace(
        'fixup protocol smtp 25',
        'no fixup protocol smtp 25\nfixup protocol smtp 2525\nfixup protocol smtp 587-588',
      );
    expect(inspectionPolicy('pix6', parseConfig(text)).ports).toEqual([2525, 587, 588]);
  });
});

describe('config text', () => {
  it('renders header, body, Cryptochecksum (md5 of the body) and : end; parse(render) is stable', () => {
    const doc = defaultConfig('asa9', opts);
    const lines = renderConfig(doc);
    const sum = createHash('md5')
      .update(`${doc.body.join('\n')}\n`)
      .digest('hex');
    expect(lines.slice(-2)).toEqual([`Cryptochecksum:${sum}`, ': end']);
    expect(lines.slice(0, 3)).toEqual([': Saved', '', ': ']);
    const again = parseConfig(`Building configuration...\n${lines.join('\n')}\n[OK]\n`);
    expect(again).toEqual(doc);
    expect(checksum(again)).toBe(sum);
  });
});
