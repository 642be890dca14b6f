/** Step 3: where to probe SMTP from outside, the probe itself and its verdict with the evidence lines. */
import { parseSmtpEndpoint } from '../cli/option-parsers.js';
import { toMailguardError } from '../errors.js';
import { probeAll, resolveTargets } from '../probe/index.js';
import { probeLines } from './present.js';
import type { ProbeChoice, WizardFlags } from './types.js';
import type { Ui } from './ui.js';

export async function askProbe(ui: Ui, flags: WizardFlags): Promise<ProbeChoice> {
  ui.para(
    'To prove the result from outside, the wizard talks SMTP to your mail server the way a sending server ' +
      'would (greeting, EHLO, one unknown command, QUIT; no mail is sent). Run it from outside the firewall.',
  );
  let kind: 'domain' | 'host' | 'skip' = flags.smtp?.length ? 'host' : flags.domain ? 'domain' : 'host';
  for (;;) {
    kind = await ui.choose(
      'Probe SMTP from outside:',
      [
        { value: 'host', name: 'The mail server address (host[:port])' },
        { value: 'domain', name: 'A mail domain (its MX hosts)' },
        { value: 'skip', name: 'Skip (no proof from outside)' },
      ],
      kind,
    );
    if (kind === 'skip') {
      ui.line('No outside check: the result will be "not probed".');
      return {};
    }
    let choice: ProbeChoice;
    if (kind === 'host') {
      const spec = await ui.text('Mail server host[:port]:', {
        default: flags.smtp?.join(' '),
        validate: (v) => {
          try {
            for (const s of v.split(/\s+/)) parseSmtpEndpoint(s);
            return true;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      choice = { smtp: spec.split(/\s+/) };
    } else {
      const domain = await ui.text('Mail domain:', {
        default: flags.domain,
        validate: (v) => (/^[A-Za-z0-9.-]+\.?$/.test(v) ? true : 'A domain such as example.com.'),
      });
      choice = { domain };
    }
    const waiting = ui.wait(`Probing SMTP at ${choice.domain ?? choice.smtp?.join(', ')}`);
    try {
      const hosts = choice.smtp?.map((s) => {
        const e = parseSmtpEndpoint(s);
        return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
      });
      const targets = await resolveTargets(
        choice.domain ? { domain: choice.domain, resolver: flags.resolver } : { hosts, resolver: flags.resolver },
      );
      const report = await probeAll(targets);
      waiting.done();
      if (choice.domain) report.domain = choice.domain;
      ui.block(probeLines(report));
      if (report.verdict === 'unreachable') {
        ui.para('Nothing answered SMTP there: choose another address, or skip.');
        continue;
      }
      if (report.verdict === 'clean') {
        ui.para(
          'The path looks clean from here already; the device may still hold SMTP inspection that this path does not cross.',
        );
      }
      return { ...choice, report };
    } catch (e) {
      waiting.done();
      const err = toMailguardError(e);
      ui.para(`The probe failed: [${err.code}] ${err.message}`);
    }
  }
}
