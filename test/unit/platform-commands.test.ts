import { describe, expect, it } from 'vitest';
import { MailguardError } from '../../src/errors.js';
import { disableCommands, enableCommands, execCommands } from '../../src/platform/commands.js';
import { findSmtpInspection } from '../../src/platform/inspection.js';
import { capture, configFixture } from '../fixtures/load.js';

describe('disableCommands / enableCommands', () => {
  it('asa_show-running-config_1.txt on asa9: policy-map / class / no inspect esmtp / exit / exit', () => {
    const [f] = findSmtpInspection(capture('asa_show-running-config_1.txt')).findings;
    expect(disableCommands(f!, 'asa9')).toEqual([
      'policy-map global_policy',
      'class inspection_default',
      'no inspect esmtp',
      'exit',
      'exit',
    ]);
    expect(enableCommands(f!, 'asa9')).toEqual([
      'policy-map global_policy',
      'class inspection_default',
      'inspect esmtp',
      'exit',
      'exit',
    ]);
  });

  it('asa9_custom-esmtp-map.cfg keeps the map name; asa9_inspect-smtp.cfg keeps the smtp keyword', () => {
    const [m] = findSmtpInspection(configFixture('asa9_custom-esmtp-map.cfg')).findings;
    expect(disableCommands(m!, 'asa8')[2]).toBe('no inspect esmtp my_map');
    expect(enableCommands(m!, 'asa8')[2]).toBe('inspect esmtp my_map');
    const [s] = findSmtpInspection(configFixture('asa9_inspect-smtp.cfg')).findings;
    expect(disableCommands(s!, 'asa7')[2]).toBe('no inspect smtp');
  });

  it('pix_show-running-config_3.txt on pix6: no fixup protocol smtp 25 / fixup protocol smtp 25', () => {
    const [f] = findSmtpInspection(capture('pix_show-running-config_3.txt')).findings;
    expect(disableCommands(f!, 'pix6')).toEqual(['no fixup protocol smtp 25']);
    expect(enableCommands(f!, 'pix6')).toEqual(['fixup protocol smtp 25']);
  });

  it('pix6_port-range.cfg keeps the range', () => {
    const [f] = findSmtpInspection(configFixture('pix6_port-range.cfg')).findings;
    expect(disableCommands(f!, 'pix6')).toEqual(['no fixup protocol smtp 25-26']);
  });

  it('an inspect finding on pix6 is refused with BAD_INPUT', () => {
    const [f] = findSmtpInspection(capture('asa_show-running-config_1.txt')).findings;
    expect(() => disableCommands(f!, 'pix6')).toThrow(MailguardError);
  });
});

describe('execCommands', () => {
  it('ASA: terminal pager 0, end, write memory, show mode', () => {
    expect(execCommands('asa9')).toMatchObject({
      pagerOff: ['terminal pager 0'],
      leaveConfig: 'end',
      save: 'write memory',
      showMode: 'show mode',
      showStartup: 'show startup-config',
    });
  });
  it('PIX 6.x: no pager / pager 0, exit (PIX 6 rejects end), write memory, no show mode', () => {
    expect(execCommands('pix6')).toMatchObject({
      pagerOff: ['no pager', 'pager 0'],
      leaveConfig: 'exit',
      save: 'write memory',
      showMode: null,
    });
  });
});
