import { describe, expect, it } from 'vitest';
import { configBody, findSmtpInspection, parseChecksum } from '../../src/platform/inspection.js';
import { capture, configFixture } from '../fixtures/load.js';

describe('findSmtpInspection on the real running-config captures', () => {
  it('asa_show-running-config_1.txt (ASA 9.12): inspect esmtp in inspection_default, bound globally', () => {
    const r = findSmtpInspection(capture('asa_show-running-config_1.txt'));
    expect(r.active).toBe(true);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toEqual({
      kind: 'inspect',
      protocol: 'esmtp',
      ports: [25],
      policyMap: 'global_policy',
      class: 'inspection_default',
      inspectMap: null,
      binding: 'global',
      active: true,
      context: null,
      lines: [
        'class-map inspection_default',
        ' match default-inspection-traffic',
        'policy-map global_policy',
        ' class inspection_default',
        '  inspect esmtp ', // trailing space kept exactly as printed
        'service-policy global_policy global',
      ],
      inspectMapParams: { maskBanner: true, allowTls: false },
      classMatch: ['match default-inspection-traffic'],
      bindings: ['global'],
    });
  });

  it('asa_show-running-config_1.txt with \\r\\n line endings gives the same findings', () => {
    const text = capture('asa_show-running-config_1.txt');
    expect(findSmtpInspection(text.replace(/\n/g, '\r\n'))).toEqual(findSmtpInspection(text));
  });

  for (const [file, version] of [
    ['pix_show-running-config_1.txt', '5.3(1) out-of-box'],
    ['pix_show-running-config_2.txt', '4.4(5) wr term with Building configuration.../[OK]'],
    ['pix_show-running-config_3.txt', '6.1(1) with Building configuration.../[OK]'],
  ] as const) {
    it(`${file} (PIX ${version}): one fixup protocol smtp 25`, () => {
      const r = findSmtpInspection(capture(file));
      expect(r.active).toBe(true);
      expect(r.findings).toEqual([
        {
          kind: 'fixup',
          protocol: 'smtp',
          ports: [25],
          policyMap: null,
          class: null,
          inspectMap: null,
          binding: 'global',
          active: true,
          context: null,
          lines: ['fixup protocol smtp 25'],
          portSpec: '25',
        },
      ]);
    });
  }

  it('captures without SMTP inspection config yield no findings (asa_show-running-config-ipsec_1.txt, -tunnel-group_1, -access-group_1)', () => {
    for (const f of [
      'asa_show-running-config-ipsec_1.txt',
      'asa_show-running-config-tunnel-group_1.txt',
      'asa_show-running-config-access-group_1.txt',
    ]) {
      expect(findSmtpInspection(capture(f))).toEqual({ active: false, findings: [], warnings: [] });
    }
  });
});

describe('findSmtpInspection on variants (test/fixtures/configs)', () => {
  it('asa9_custom-port-and-default.cfg: two places at once (inspection_default and smtp_587)', () => {
    const r = findSmtpInspection(configFixture('asa9_custom-port-and-default.cfg'));
    expect(r.active).toBe(true);
    expect(r.findings.map((f) => [f.class, f.ports, f.binding, f.active])).toEqual([
      ['inspection_default', [25], 'global', true],
      ['smtp_587', [587], 'global', true],
    ]);
    expect(r.findings[1]!.lines).toEqual([
      'class-map smtp_587',
      ' match port tcp eq 587',
      'policy-map global_policy',
      ' class smtp_587',
      '  inspect esmtp ',
      'service-policy global_policy global',
    ]);
  });

  it('asa9_port-range-and-name.cfg: `match port tcp range 2525 2526` and `eq smtp` (port name)', () => {
    const r = findSmtpInspection(configFixture('asa9_port-range-and-name.cfg'));
    expect(r.findings.map((f) => [f.class, f.ports, f.classMatch])).toEqual([
      ['mail_ports', [2525, 2526], ['match port tcp range 2525 2526']],
      ['smtp_name', [25], ['match port tcp eq smtp']],
    ]);
  });

  it('asa9_interface-binding.cfg: policy-map bound with `service-policy outside_policy interface WAN`', () => {
    const r = findSmtpInspection(configFixture('asa9_interface-binding.cfg'));
    expect(r.active).toBe(true);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      policyMap: 'outside_policy',
      class: 'smtp_587',
      ports: [587],
      binding: 'interface:WAN',
      bindings: ['interface:WAN'],
      active: true,
    });
    expect(r.findings[0]!.lines).toContain('service-policy outside_policy interface WAN');
  });

  it('asa9_unbound-policy-map.cfg: a finding that is reported but inactive', () => {
    const r = findSmtpInspection(configFixture('asa9_unbound-policy-map.cfg'));
    expect(r.active).toBe(false);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ policyMap: 'mail_policy', binding: null, bindings: [], active: false });
    expect(r.findings[0]!.inactiveReason).toMatch(/mail_policy is not bound/);
  });

  it('asa9_custom-esmtp-map.cfg: `inspect esmtp my_map` with the map parameters no mask-banner, allow-tls', () => {
    const r = findSmtpInspection(configFixture('asa9_custom-esmtp-map.cfg'));
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      protocol: 'esmtp',
      inspectMap: 'my_map',
      inspectMapParams: { maskBanner: false, allowTls: true },
      active: true,
    });
    expect(r.findings[0]!.lines).toContain('  inspect esmtp my_map ');
  });

  it('asa9_inspect-smtp.cfg: the legacy keyword `inspect smtp` is found and kept as smtp', () => {
    const r = findSmtpInspection(configFixture('asa9_inspect-smtp.cfg'));
    expect(r.findings.map((f) => [f.kind, f.protocol, f.ports])).toEqual([['inspect', 'smtp', [25]]]);
  });

  it('asa9_disabled.cfg: no finding, not active', () => {
    expect(findSmtpInspection(configFixture('asa9_disabled.cfg'))).toEqual({
      active: false,
      findings: [],
      warnings: [],
    });
  });

  it('pix6_two-smtp-ports.cfg: one finding per fixup port', () => {
    const r = findSmtpInspection(configFixture('pix6_two-smtp-ports.cfg'));
    expect(r.findings.map((f) => [f.portSpec, f.ports, f.lines])).toEqual([
      ['25', [25], ['fixup protocol smtp 25']],
      ['2525', [2525], ['fixup protocol smtp 2525']],
    ]);
  });

  it('pix6_disabled.cfg: `no fixup protocol smtp 25` means disabled', () => {
    expect(findSmtpInspection(configFixture('pix6_disabled.cfg'))).toEqual({
      active: false,
      findings: [],
      warnings: [],
    });
  });

  it('pix6_port-range.cfg: `fixup protocol smtp 25-26` keeps the range spec', () => {
    const r = findSmtpInspection(configFixture('pix6_port-range.cfg'));
    expect(r.findings.map((f) => [f.portSpec, f.ports])).toEqual([['25-26', [25, 26]]]);
  });

  it('multiple context: each context config gets its context name on its findings', () => {
    const a = findSmtpInspection(configFixture('asa9_custom-port-and-default.cfg'), { context: 'customerA' });
    const b = findSmtpInspection(configFixture('asa9_disabled.cfg'), { context: 'customerB' });
    expect(a.findings.map((f) => f.context)).toEqual(['customerA', 'customerA']);
    expect(b.findings).toEqual([]);
  });
});

describe('parseChecksum and configBody', () => {
  it('asa_show-running-config_1.txt checksum (show run form)', () => {
    expect(parseChecksum(capture('asa_show-running-config_1.txt'))).toBe('dddddddddffffffffffffffeeeeeeeee');
  });

  it('pix_show-running-config_3.txt checksum', () => {
    expect(parseChecksum(capture('pix_show-running-config_3.txt'))).toBe('2ab0e943d112e3066d830e29a140d8a9');
  });

  it('asa_session-transcript_1.txt write mem form (4 groups of 8 hex)', () => {
    expect(parseChecksum(capture('asa_session-transcript_1.txt'))).toBe('200435a9cee9c8484fb5e91dac201631');
    expect(parseChecksum('no checksum here')).toBeNull();
  });

  it('configBody drops the volatile header, checksum, wrapper and keeps trailing spaces (pix_show-running-config_3.txt)', () => {
    const body = configBody(capture('pix_show-running-config_3.txt').replace(/\n/g, '\r\n'));
    expect(body).not.toMatch(/Building configuration|\[OK\]|Cryptochecksum|^: /m);
    expect(body).not.toContain('\r');
    expect(body).toContain('PIX Version 6.1(1)\n');
    expect(body).toContain('access-list 101 permit tcp any any \n');
    expect(body.endsWith('terminal width 81\n')).toBe(true);
  });

  it('configBody of the ASA capture: the `: Written by` header line and the checksum are not in it', () => {
    const text = capture('asa_show-running-config_1.txt');
    const body = configBody(text);
    expect(body).not.toContain('Written by');
    expect(body).not.toContain('Cryptochecksum');
    expect(body).toContain('ASA Version 9.12(4)67 \n');
    // Two saves of the same config differ only in volatile lines.
    const other = text.replace('20:03:32.236', '21:00:00.000').replace(/Cryptochecksum:\w+/, 'Cryptochecksum:0123');
    expect(configBody(other)).toBe(body);
  });
});
