/** `show ...` and `more system:running-config`: which show words each privilege level and dialect accepts. */
import { ciscoTime, showVersion } from '../defaults.js';
import { KNOWN_SECTIONS, showContext, showFailover, showFixup, showRunning, showServicePolicy } from '../show.js';
import { INSPECT_PROTOCOLS } from './inspect.js';
import { output } from './pager.js';
import { CliError, kw, type Token } from './parse.js';
import type { Session } from './session.js';

export async function show(s: Session, t: Token[], filter?: string): Promise<void> {
  const dev = s.device;
  const pix = dev.isPix;
  const user = ['version', 'curpriv', 'pager', 'failover', 'hostname'];
  if (!pix) user.push('mode');
  const priv = [...user, 'running-config', 'startup-config', 'reload'];
  if (pix) priv.push('fixup', 'configure');
  else priv.push('service-policy', 'context');
  const what = kw(t[1], s.privileged ? priv : user, t[0]?.pos ?? 0);
  const rest = t.slice(2);
  switch (what) {
    case 'version': {
      const sys = dev.opts.contextMode === 'multiple';
      const lines = showVersion(dev.dialect, {
        hostname: dev.hostname(),
        uptimeSec: dev.uptimeSec(),
        lastModified: dev.lastModified,
        serial: dev.opts.serial,
        contextSuffix: sys ? ` <${s.ctx === 'system' ? 'system' : 'context'}>` : undefined,
      });
      return output(s, lines, filter);
    }
    case 'curpriv': {
      // [unverified] shape of `show curpriv` (netmiko only waits for its echo).
      const lvl = s.privileged ? 15 : 1;
      const modeTxt = s.privileged ? (s.inConfig ? 'P_PRIV P_CONF' : 'P_PRIV') : 'P_UNPR';
      return output(
        s,
        [
          `Username : ${s.privileged ? 'enable_15' : (s.user ?? 'enable_1')}`,
          `Current privilege level : ${lvl}`,
          `Current Mode/s : ${modeTxt}`,
        ],
        filter,
      );
    }
    case 'pager':
      return output(s, [s.pagerLines > 0 ? `pager lines ${s.pagerLines}` : 'no pager'], filter); // [unverified]
    case 'hostname':
      return output(s, [dev.hostname()], filter);
    case 'mode':
      // oxidized capture: `Security context mode: single ` (trailing space).
      return output(s, [`Security context mode: ${dev.opts.contextMode} `], filter);
    case 'failover':
      return output(s, showFailover(dev.failoverRole, [dev.opts.serial, dev.failoverPeer?.opts.serial]), filter);
    case 'running-config': {
      let words = rest.map((x) => x.text);
      let all = false;
      if (words[0] === 'all') {
        all = true;
        words = words.slice(1);
      }
      const first = rest[all ? 1 : 0];
      if (first && !KNOWN_SECTIONS.includes(words[0] ?? '')) {
        if (!s.doc().body.some((l) => l.startsWith(`${words[0]} `) || l === words[0]))
          throw new CliError('invalid', first.pos);
      }
      return output(s, showRunning(s.doc(), all, words, !dev.isPix), filter);
    }
    case 'startup-config':
    case 'configure':
      return output(s, showRunning(dev.startupDoc(s.ctx), false, [], !dev.isPix), filter);
    case 'fixup':
      return output(s, showFixup(s.doc()), filter);
    case 'service-policy': {
      let insp: string | undefined;
      if (rest[0]) {
        const sub = kw(rest[0], ['global', 'inspect', 'interface'], t[1]?.pos ?? 0);
        if (sub === 'inspect') {
          insp = kw(rest[1], INSPECT_PROTOCOLS, rest[0].pos);
          // asa-cli.md §2.5: protocols with a sub-keyword are incomplete without it.
          if (insp === 'h323') {
            const s2 = rest[2] ? kw(rest[2], ['h225', 'ras'], rest[1]?.pos ?? 0) : undefined;
            if (!s2) throw new CliError('incomplete');
            insp = `h323 ${s2}`;
          }
        }
      }
      return output(s, showServicePolicy(s.doc(), insp), filter);
    }
    case 'context':
      if (dev.opts.contextMode !== 'multiple') throw new CliError('invalid', t[1]?.pos ?? 0); // [unverified]
      return output(s, showContext(dev.contextNames()), filter);
    case 'reload': {
      // [unverified] wording: no capture of `show reload`.
      const r = dev.scheduledReload;
      if (!r) return output(s, ['No reload is scheduled.'], filter);
      const left = Math.max(0, Math.round((r.at.getTime() - Date.now()) / 1000));
      return output(
        s,
        [`Reload scheduled for ${ciscoTime(r.at)} (in ${Math.floor(left / 60)} minutes and ${left % 60} seconds)`],
        filter,
      );
    }
  }
  throw new CliError('invalid', t[1]?.pos ?? 0);
}

/** `more system:running-config` / `more system:startup-config` (netmiko, oxidized). */
export function more(s: Session, t: Token[], filter?: string): Promise<void> {
  const dev = s.device;
  const target = t[1]?.text.toLowerCase();
  if (!target) throw new CliError('incomplete');
  if (target === 'system:running-config') return output(s, showRunning(s.doc(), false, [], !dev.isPix), filter);
  if (target === 'system:startup-config' || target === 'disk0:/startup-config')
    return output(s, showRunning(dev.startupDoc(s.ctx), false, [], !dev.isPix), filter);
  throw new CliError('invalid', t[1]?.pos ?? 0);
}
