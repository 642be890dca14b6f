/**
 * Entering configuration mode: `configure terminal`, with the config-lock fault, the standby unit's replication
 * warning, and the anonymous-reporting NOTICE of 8.4+/9.x on the first time.
 */
import { setTopLine } from '../config-text.js';
import { CliError, kw, type Token } from './parse.js';
import type { Session } from './session.js';

/** asa_session-transcript_1.txt / _2.txt: the NOTICE after the first `configure terminal` on 8.4+/9.x. */
const NOTICE = [
  '',
  '***************************** NOTICE *****************************',
  '',
  'Help to improve the ASA platform by enabling anonymous reporting,',
  'which allows Cisco to securely receive minimal error and health',
  'information from the device. To learn more about this feature,',
  'please visit: http://www.cisco.com/go/smartcall',
  '',
  'Would you like to enable anonymous error reporting to help improve',
];
const NOTICE_QUESTION = 'the product? [Y]es, [N]o, [A]sk later: ';
/** What Y and N set in the running config and print (Y: asa_session-transcript_1.txt, N: _2.txt). */
const NOTICE_ANSWERS: Record<string, { line: string; text: string[] }> = {
  N: {
    line: 'no call-home reporting anonymous',
    text: [
      '',
      'In the future, if you would like to enable this feature,',
      'issue the command "call-home reporting anonymous".',
      '',
      'Please remember to save your configuration.',
      '',
    ],
  },
  Y: {
    line: 'call-home reporting anonymous',
    text: [
      '',
      'Enabling anonymous reporting.',
      'Adding "call-home reporting anonymous" to running configuration...',
      'Creating trustpoint "_SmartCallHome_ServerCA" and installing certificate...',
      '',
      'Trustpoint CA certificate accepted.',
      '',
      'Please remember to save your configuration.',
      '',
    ],
  },
};

export async function configure(s: Session, t: Token[]): Promise<void> {
  const dev = s.device;
  if (s.inConfig) throw new CliError('invalid', t[0]?.pos ?? 0);
  kw(t[1], ['terminal'], t[0]?.pos ?? 0);
  if (t.length > 2) throw new CliError('invalid', t[2]?.pos ?? 0);
  if (dev.faults.configLock) {
    // [unverified] no capture of a configuration lock message exists (asa-cli.md §4.4).
    s.lines(['ERROR: Configuration is locked by another session. Try again later.']);
    return;
  }
  if (dev.faults.standby || dev.failoverRole?.role === 'standby') {
    // asa-cli.md §4.3 (Cisco config guide + unicon mock); printed on entering config mode [unverified placement].
    s.lines([
      '**** WARNING ****',
      '\tConfiguration Replication is NOT performed from Standby unit to Active unit.',
      '\tConfigurations are no longer synchronized.',
    ]);
  }
  s.modes = [{ kind: 'config' }];
  const body = s.doc().body;
  const answered = body.some((l) => /^(no )?call-home reporting anonymous/.test(l));
  if (dev.isPix || !dev.opts.anonymousReportingQuestion || answered) return;
  // The (config)# prompt comes BEFORE the NOTICE (asa_session-transcript_1.txt and _2.txt).
  s.lastPrompt = s.prompt();
  s.write(`\r${s.lastPrompt}\r\n`);
  s.lines(NOTICE);
  for (;;) {
    s.write(NOTICE_QUESTION);
    const a = await s.readLine('plain');
    if (a === null) return;
    const ans = a.trim().toUpperCase();
    const answer = NOTICE_ANSWERS[ans];
    if (answer) {
      setTopLine(body, /^(no )?call-home reporting anonymous/, answer.line, 'prompt ');
      s.lines(answer.text);
      return;
    }
    // [unverified] "ask later" (and a bare Enter, so a tool that just presses Enter gets its prompt back): asked
    // again at the next configure terminal.
    if (ans === 'A' || ans === '') {
      s.lines(['']);
      return;
    }
    // [unverified] any other answer repeats the question.
  }
}
