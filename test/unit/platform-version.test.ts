import { describe, expect, it } from 'vitest';
import { MailguardError } from '../../src/errors.js';
import {
  buildPlatformInfo,
  dialectFor,
  parseSerial,
  parseShowContext,
  parseShowFailover,
  parseShowMode,
  parseShowVersion,
} from '../../src/platform/version.js';
import { capture, captureNames, outputFixture } from '../fixtures/load.js';

const fixture = outputFixture;

describe('parseShowVersion on every show-version capture', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    [
      'asa_show-version_1.txt',
      { version: '9.5(2)204', model: 'ASAv', modelId: 'ASAv10', hostname: 'asa1', dialect: 'asa9', contextMode: null },
    ],
    [
      'asa_show-version_2.txt',
      {
        version: '9.8(3)21',
        model: 'FPR4K-SM-12',
        hostname: 'fw002',
        dialect: 'asa9',
        contextMode: 'multiple',
        space: 'context',
      },
    ],
    [
      'asa_show-version_3.txt',
      { version: '9.9(2)32', model: 'ASA5516', hostname: 'ASA2', dialect: 'asa9', contextMode: null },
    ],
    ['asa_show-version_4.txt', { version: '9.16(3)19', model: 'ISA-3000-2C2F', hostname: 'asa1', dialect: 'asa9' }],
    [
      'asa_show-version_5.txt',
      { version: '9.10(1)11', model: 'ASAv', modelId: 'ASAv10', hostname: 'ciscoasa', dialect: 'asa9' },
    ],
    ['asa_show-version_6.txt', { version: '9.8(4)10', model: 'ASAv', hostname: 'NETLAB-ASA-01', dialect: 'asa9' }],
    [
      'asa_show-version_7.txt',
      { version: '8.4(1)', model: 'ASA5520', hostname: 'asa3', dialect: 'asa8', contextMode: null },
    ],
    [
      'asa_show-version_8.txt',
      { version: '9.14(2)15', model: 'FPR9K-SM-24', hostname: 'LAB-ASA', dialect: 'asa9', contextMode: 'multiple' },
    ],
    ['asa_show-version_9.txt', { version: '9.14(2)14', model: 'ASA5555', hostname: 'fw09', dialect: 'asa9' }],
    [
      'asa_show-version_10.txt',
      { version: '9.12(4)67', model: 'ASA5512', hostname: 'LAB-ASA12-Oxidized-IPv6', dialect: 'asa9', modelId: null },
    ],
  ];
  it('covers every asa_show-version capture', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(captureNames('asa_show-version_'));
  });
  for (const [file, expected] of cases) {
    it(`${file}`, () => {
      const v = parseShowVersion(capture(file));
      expect(v.family).toBe('asa');
      expect(v).toMatchObject(expected);
    });
  }

  it('pix_show-version_1.txt (PIX 6.1 on a PIX-501)', () => {
    expect(parseShowVersion(capture('pix_show-version_1.txt'))).toMatchObject({
      family: 'pix',
      version: '6.1(1)',
      model: 'PIX-501',
      hostname: 'pix-501',
      dialect: 'pix6',
      contextMode: null,
    });
  });

  it("pix_boot-banner_1.txt's version line (PIX 6.3(5), no hardware line)", () => {
    expect(parseShowVersion(capture('pix_boot-banner_1.txt'))).toMatchObject({
      family: 'pix',
      version: '6.3(5)',
      model: null,
      hostname: null,
      dialect: 'pix6',
    });
  });

  it('PIX hardware on 7.x/8.0 behaves as ASA (sysDescr forms from asa-cli.md §2.1)', () => {
    expect(parseShowVersion('Cisco PIX Security Appliance Software Version 7.2(2)\n')).toMatchObject({
      family: 'pix',
      dialect: 'asa7',
    });
    expect(dialectFor('pix', '8.0(4)')).toBe('asa8');
    expect(dialectFor('asa', '7.0(1)')).toBe('asa7');
    expect(dialectFor('pix', '5.3(1)')).toBe('pix6');
  });

  it('the <system> suffix is read as multiple-context, system space', () => {
    const v = parseShowVersion('Cisco Adaptive Security Appliance Software Version 9.8(4) <system>\r\n');
    expect(v).toMatchObject({ contextMode: 'multiple', space: 'system' });
  });

  it('text without a version line is a BAD_INPUT error with a hint', () => {
    try {
      parseShowVersion(capture('asa_show-failover_1.txt'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MailguardError);
      expect((e as MailguardError).code).toBe('BAD_INPUT');
      expect((e as MailguardError).hint).toBeTruthy();
    }
  });
});

describe('parseShowMode', () => {
  it('reads the line quoted from the oxidized capture in asa-cli.md §2.6 (trailing space)', () => {
    expect(parseShowMode('Security context mode: single \r\n')).toBe('single');
    expect(parseShowMode('Security context mode: multiple\n')).toBe('multiple');
    expect(parseShowMode('% Invalid input')).toBeNull();
  });
});

describe('parseShowFailover on every show-failover capture', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['asa_show-failover_1.txt', { enabled: true, role: 'active', unit: 'primary', state: 'Active' }],
    ['asa_show-failover_2.txt', { enabled: true, role: 'active', unit: 'primary' }],
    ['asa_show-failover_3.txt', { enabled: true, role: 'active', unit: 'primary' }],
    ['asa_show-failover_4.txt', { enabled: true, role: 'active', unit: 'primary' }],
    ['asa_show-failover_5.txt', { enabled: true, role: 'active', unit: 'secondary', state: 'Active' }],
    ['asa_show-failover_6.txt', { enabled: true, role: 'active', unit: 'secondary' }],
    ['asa_show-failover_7.txt', { enabled: true, role: 'active', unit: 'primary', state: null }],
    ['asa_show-failover_8.txt', { enabled: true, role: 'active', unit: 'primary' }],
    ['asa_show-failover_9.txt', { enabled: false, role: null, unit: 'secondary', state: null }],
  ];
  it('covers all 9 asa_show-failover captures', () => {
    expect(cases.map((c) => c[0])).toEqual(captureNames('asa_show-failover_'));
  });
  for (const [file, expected] of cases) {
    it(file, () => {
      expect(parseShowFailover(capture(file))).toMatchObject(expected);
    });
  }

  it('asa_show-failover_7.txt (Active/Active): groups per this host, role of group 1', () => {
    expect(parseShowFailover(capture('asa_show-failover_7.txt')).groups).toEqual([
      { group: 1, state: 'Active' },
      { group: 2, state: 'Standby Ready' },
    ]);
  });

  it('standby unit (fixture derived from asa_show-failover_1.txt)', () => {
    expect(parseShowFailover(fixture('asa_show-failover_standby.txt'))).toMatchObject({
      enabled: true,
      role: 'standby',
      unit: 'secondary',
      state: 'Standby Ready',
    });
  });
});

describe('parseShowContext', () => {
  it('asa_show-context_1.txt: table with the admin context marked *', () => {
    const c = parseShowContext(capture('asa_show-context_1.txt'));
    expect(c.total).toBe(3);
    expect(c.contexts.map((x) => x.name)).toEqual(['pod1', 'pod2', 'admin']);
    expect(c.contexts.find((x) => x.admin)?.name).toBe('admin');
    expect(c.contexts[0]).toMatchObject({ className: 'default', interfaces: ['Vlan100', 'Vlan200'], mode: 'Routed' });
    expect(c.contexts[1]!.url).toBe('disk0:/pod-context/pod2');
  });

  it('asa_show-context-detail_1.txt: created contexts, the "null" system resource left out', () => {
    const c = parseShowContext(capture('asa_show-context-detail_1.txt'));
    expect(c.contexts.map((x) => x.name)).toEqual(['pod1', 'admin', 'pod3']);
    expect(c.contexts[1]).toMatchObject({ url: 'disk0:/pod-context/admin.cfg', className: 'default', admin: null });
    expect(c.total).toBeNull();
  });
});

describe('serial numbers on the real captures', () => {
  it.each([
    ['asa_show-version_1.txt', '9AT1L9EX0DF'],
    ['asa_show-version_3.txt', 'JAD222605K8'],
    ['asa_show-version_7.txt', 'JMX0938K0C0'],
    ['asa_show-version_10.txt', 'FCH17AAAAAA'],
    // PIX prints the decimal serial and its hex form: the decimal part is the serial.
    ['pix_show-version_1.txt', '806245458'],
    // A user context prints no serial line.
    ['asa_show-version_2.txt', null],
    ['asa_show-version_8.txt', null],
  ])('%s -> %s', (name, serial) => {
    expect(parseShowVersion(capture(name)).serial).toBe(serial);
  });

  it('show failover (Ours X, Mate Y) and a saved config header (`: Serial Number:`)', () => {
    expect(parseSerial(capture('asa_show-failover_1.txt'))).toBe('JAF1610APKQ');
    expect(parseSerial(capture('asa_show-failover_8.txt'))).toBe('9A5GDAFMPL1');
    expect(parseSerial(capture('asa_show-running-config_1.txt'))).toBe('FCH17AAAAAA');
    expect(parseSerial(capture('asa_show-failover_9.txt'))).toBeNull();
  });
});

describe('buildPlatformInfo', () => {
  it('asa_show-version_10.txt + show mode + asa_show-failover_1.txt', () => {
    expect(
      buildPlatformInfo({
        showVersion: capture('asa_show-version_10.txt'),
        showMode: 'Security context mode: single ',
        showFailover: capture('asa_show-failover_1.txt'),
      }),
    ).toEqual({
      family: 'asa',
      version: '9.12(4)67',
      model: 'ASA5512',
      hostname: 'LAB-ASA12-Oxidized-IPv6',
      contextMode: 'single',
      failover: { enabled: true, role: 'active' },
      dialect: 'asa9',
      modelId: null,
      serial: 'FCH17AAAAAA',
      failoverUnit: 'primary',
    });
  });

  it('asa_show-version_2.txt alone: multiple context from the <context> hint, failover unknown = disabled', () => {
    const p = buildPlatformInfo({ showVersion: capture('asa_show-version_2.txt') });
    expect(p.contextMode).toBe('multiple');
    expect(p.failover).toEqual({ enabled: false, role: null });
  });

  it('pix_show-version_1.txt with asa_show-failover_9.txt (Failover Off)', () => {
    const p = buildPlatformInfo({
      showVersion: capture('pix_show-version_1.txt'),
      showFailover: capture('asa_show-failover_9.txt'),
    });
    expect(p).toMatchObject({ family: 'pix', dialect: 'pix6', contextMode: 'single', failover: { enabled: false } });
  });

  it('standby fixture sets role standby', () => {
    const p = buildPlatformInfo({
      showVersion: capture('asa_show-version_9.txt'),
      showFailover: fixture('asa_show-failover_standby.txt'),
    });
    expect(p.failover).toEqual({ enabled: true, role: 'standby' });
  });
});

describe('parseShowVersion suffix tolerance', () => {
  it('a `<name>` suffix other than <system> is read as a user context', () => {
    const v = parseShowVersion('Cisco Adaptive Security Appliance Software Version 9.12(4)67 <admin>\n');
    expect(v).toMatchObject({ version: '9.12(4)67', contextMode: 'multiple', space: 'context' });
  });
});
