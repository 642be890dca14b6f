/**
 * Reads a PIX/ASA/FWSM configuration the way the device does (issue #12): command by command, each command's mode
 * deciding where the next one belongs, never by indentation (generated scripts indent by 2 or 4, hand-kept files
 * are flat, tabs occur). A sub-mode command belongs to the innermost open mode that accepts it; a top-level
 * command closes every sub-mode; `exit` leaves one mode; `!`, `:` and `#` lines are comments.
 *
 * Only the modes the SMTP question needs are modelled: class-map, policy-map and its class, `policy-map type
 * inspect ...` with `parameters`/`match`/`class`, and the system config's `context` blocks. One pass, linear in the
 * input. What the reader cannot place is a warning, never a silent guess.
 */
import { splitLines } from './text.js';

/** One config line: its index in splitLines(text), the text exactly as printed, its words. */
export interface ConfigLine {
  index: number;
  text: string;
  words: string[];
}

export interface ClassMapDef {
  name: string;
  /** `type inspect esmtp` etc.: the words between `type` and the name; null for a layer 3/4 class-map. */
  type: string | null;
  header: ConfigLine;
  matches: ConfigLine[];
}

export interface InspectDef {
  line: ConfigLine;
  protocol: 'smtp' | 'esmtp';
  map: string | null;
  /** A line before this inspect, in the same class, that is neither a class command nor a top-level one. */
  doubt: ConfigLine | null;
}

export interface PolicyClassDef {
  name: string;
  header: ConfigLine;
  inspects: InspectDef[];
}

export interface PolicyMapDef {
  name: string;
  header: ConfigLine;
  classes: PolicyClassDef[];
}

export interface InspectMapDef {
  /** `esmtp`, `dns`, ... */
  protocol: string;
  name: string;
  header: ConfigLine;
  maskBanner: boolean | null;
  allowTls: boolean | null;
}

export interface BindingDef {
  policyMap: string;
  /** `global` or `interface:<name>` */
  binding: string;
  line: ConfigLine;
}

export interface FixupDef {
  /** The port argument as written (`25`, `25-26`), undefined when the line has none. */
  spec: string | undefined;
  line: ConfigLine;
}

/** What the device would do with a line the reader had to place with doubt, with the line it concerns. */
export interface ReaderWarning {
  line: ConfigLine;
  message: string;
}

export interface VersionLine {
  family: 'pix' | 'asa' | 'fwsm';
  version: string;
  /** ` <context>` / ` <system>` after the version. */
  space: 'context' | 'system' | null;
  line: ConfigLine;
}

export interface ConfigModel {
  lineCount: number;
  classMaps: Map<string, ClassMapDef>;
  policyMaps: Map<string, PolicyMapDef>;
  inspectMaps: Map<string, InspectMapDef>;
  /** In config order; `no service-policy` removes. */
  bindings: BindingDef[];
  /** PIX fixup smtp lines still in effect, by port spec, in config order of their last mention. */
  fixups: Map<string, FixupDef>;
  /** Every `[no] fixup protocol smtp` line seen (on or off), for the "a PIX always shows one" check. */
  fixupLinesSeen: number;
  warnings: ReaderWarning[];
  /** Facts for the platform: the first version line, `hostname`, `failover`, `mode`, `context` blocks. */
  facts: {
    version: VersionLine | null;
    /** `Hardware: ASA5512, ...` in a `:`/`!` header (oxidized, `: Hardware:`). */
    model: string | null;
    hostname: string | null;
    /** Last `failover` / `no failover` line wins; null when neither appears. */
    failover: boolean | null;
    failoverUnit: 'primary' | 'secondary' | null;
    modeMultiple: boolean;
    contexts: { name: string; configUrl: string | null }[];
  };
}

type Mode =
  | { kind: 'class-map'; def: ClassMapDef }
  | { kind: 'policy-map'; def: PolicyMapDef; doubt: ConfigLine | null }
  | { kind: 'pm-class'; def: PolicyClassDef; pm: PolicyMapDef; doubt: ConfigLine | null }
  | { kind: 'inspect-map'; def: InspectMapDef }
  | { kind: 'inspect-params'; def: InspectMapDef }
  | { kind: 'inspect-action' }
  | { kind: 'context'; entry: { name: string; configUrl: string | null } }
  | { kind: 'resource-class' };

// Sub-commands per mode (ASA command reference, "config-cmap", "config-pmap", "config-pmap-c", inspect policy-map
// modes). A word accepted by an inner mode stays there; otherwise the reader looks outwards, as the device does.
const CLASS_MAP_WORDS = new Set(['match', 'description', 'rename']);
const POLICY_MAP_WORDS = new Set(['class', 'description', 'rename']);
const PM_CLASS_WORDS = new Set([
  'inspect',
  'set',
  'police',
  'priority',
  'shape',
  'ips',
  'csc',
  'user-statistics',
  'flow-export',
  'sfr',
  'cxsc',
  'quality-of-service',
  'queue-limit',
  'bandwidth',
  'random-detect',
  'tx-ring-limit',
  'idle-timeout',
]);
const INSPECT_MAP_WORDS = new Set(['parameters', 'match', 'class', 'description']);
const INSPECT_ACTION_WORDS = new Set([
  'drop-connection',
  'drop',
  'mask',
  'log',
  'reset',
  'rate-limit',
  'send-protocol-error',
]);
const CONTEXT_WORDS = new Set([
  'allocate-interface',
  'allocate-ips',
  'allocate-acl-partition',
  'config-url',
  'description',
  'join-failover-group',
  'member',
]);

/**
 * First words of PIX/ASA/FWSM global configuration commands. A line whose word is here closes every sub-mode; a
 * word known neither to the open mode nor here stays in the open mode (and is remembered as a doubt), because a
 * missing SMTP inspection is the worse mistake. `class`, `context` and `policy-map`-family words are handled apart.
 */
const TOP_WORDS = new Set(
  (
    'aaa aaa-server access-group access-list anyconnect anyconnect-custom-data apply arp arp-inspection asdm asp ' +
    'auth-prompt auto-update banner boot ca call-home call-manager clear clock cluster command-alias compression ' +
    'conduit config-register configure console crashinfo crypto ctl-file ctl-provider ddns dhcp-client dhcpd ' +
    'dhcprelay dns dns-guard domain-name dynamic-access-policy-config dynamic-access-policy-record dynamic-filter ' +
    'enable end established event failover filter fips firewall fixup floodguard flow-export fragment ftp ' +
    'ftp-map global group-delimiter group-policy gtp-map hostname hpm http http-map icmp igmp imap4s interface ip ' +
    'ipsec ipv6 isakmp jumbo-frame kerberos-server key l2tp ldap license logging mac-address mac-address-table ' +
    'mac-learn management-access map mgcp-map mode monitor-interface mount mroute mtu multicast-routing name ' +
    'nameif names nat nat-control neighbor ntp object object-group outbound pager passwd password ' +
    'password-policy pdm phone-proxy pim policy-route pop3s pptp priority-queue privilege prompt quit regex rip ' +
    'route route-map router same-security-traffic service setroute smtp-server smtps snmp-map snmp-server ' +
    'ssh ssl static sunrpc-server sysopt tcp-map telnet terminal tftp-server threat-detection time-range ' +
    'timeout tls-proxy track tunnel-group tunnel-group-map url-block url-cache url-server user-identity username ' +
    'virtual vpdn vpn vpn-addr-assign vpnclient vpnsetup wccp webvpn write xlate zonelabs-integrity ' +
    'class-map policy-map service-policy ASA PIX FWSM'
  ).split(' '),
);

// At the top level (no mode open) only these first words can change the answer: every other line is skipped
// before it is split into words, which keeps a 10 MB config (mostly access-lists and objects) fast.
const TOP_INTERESTING = new Set([
  'no',
  'exit',
  'end',
  'quit',
  'class-map',
  'policy-map',
  'service-policy',
  'fixup',
  'clear',
  'hostname',
  'failover',
  'mode',
  'context',
  'class',
  'ASA',
  'PIX',
  'FWSM',
  // sub-mode words that are a warning when no mode is open
  'inspect',
  'match',
  'mask-banner',
  'allow-tls',
]);

/** The first word of a trimmed, non-empty line (the same `\s` as the word split below). */
const firstWord = (trimmed: string): string => /^\S+/.exec(trimmed)![0];

const isCommentLine = (t: string) => t === '' || t[0] === '!' || t[0] === ':' || t[0] === '#';

// `ASA Version 9.8(4)`, `PIX Version 6.3(5)`, `FWSM Version 3.1(1) <context>`, possibly in a `: ` header line
// (a context's trimmed export) or as the `show version` line in a `!` comment (oxidized).
const VERSION_RE = /^[:!\s]*(PIX|ASA|FWSM)\s+Version\s+(\S+)(?:\s+<(\w+)>)?/;
const SHOW_VERSION_RE =
  /^[:!\s]*Cisco\s+(PIX\s+Firewall|PIX\s+Security\s+Appliance(?:\s+Software)?|Adaptive\s+Security\s+Appliance(?:\s+Software)?|Firewall\s+Services\s+Module(?:\s+Software)?)\s+Version\s+(\S+)(?:\s+<(\w+)>)?/;
const HARDWARE_RE = /^[:!\s]*Hardware:\s+([^,\s]+)/;

const MAX_WARNINGS = 200;

/** Read a configuration text (a saved file, a `show running-config` output, a generated command script). */
export function readConfig(text: string): ConfigModel {
  const lines = splitLines(text);
  const model: ConfigModel = {
    lineCount: lines.length,
    classMaps: new Map(),
    policyMaps: new Map(),
    inspectMaps: new Map(),
    bindings: [],
    fixups: new Map(),
    fixupLinesSeen: 0,
    warnings: [],
    facts: {
      version: null,
      model: null,
      hostname: null,
      failover: null,
      failoverUnit: null,
      modeMultiple: false,
      contexts: [],
    },
  };
  let dropped = 0;
  const warn = (line: ConfigLine, message: string) => {
    if (model.warnings.length < MAX_WARNINGS) model.warnings.push({ line, message });
    else dropped++;
  };
  const stack: Mode[] = [];
  const top = (): Mode | undefined => stack[stack.length - 1];

  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!;
    const trimmed = text.trim();
    if (isCommentLine(trimmed)) {
      if (trimmed !== '') readCommentFacts(model, trimmed, index, text);
      continue;
    }
    if (stack.length === 0 && !TOP_INTERESTING.has(firstWord(trimmed))) continue;
    const words = trimmed.split(/\s+/);
    const line: ConfigLine = { index, text, words };
    const negated = words[0] === 'no' && words.length > 1;
    const word = (negated ? words[1] : words[0])!;
    const args = negated ? words.slice(2) : words.slice(1);

    if (word === 'exit') {
      stack.pop();
      continue;
    }
    if (word === 'end' || word === 'quit') {
      stack.length = 0;
      continue;
    }
    if (word.startsWith('Cryptochecksum')) {
      stack.length = 0;
      continue;
    }

    // Innermost open mode that takes the word; `service-policy P` (no global/interface) is a nested policy.
    let depth = stack.length - 1;
    while (depth >= 0 && !accepts(stack[depth]!, word, args)) depth--;
    if (depth >= 0) {
      stack.length = depth + 1;
      handleSubCommand(stack, stack[depth]!, line, word, args, negated);
      continue;
    }
    if (!TOP_WORDS.has(word) && !(word === 'class' && stack.length === 0) && !(word === 'context' && !negated)) {
      // Neither the open mode nor the top level knows it: it stays where it is, remembered as a doubt.
      const open = top();
      if (open && (open.kind === 'pm-class' || open.kind === 'policy-map') && open.doubt === null) open.doubt = line;
      noteOrphan(line, word, args, open, warn);
      continue;
    }
    stack.length = 0;
    handleTopCommand(model, stack, line, word, args, negated, warn);
  }
  if (dropped > 0) {
    const last: ConfigLine = { index: lines.length - 1, text: '', words: [] };
    model.warnings.push({ line: last, message: `${dropped} more warnings like these were left out.` });
  }
  return model;
}

function accepts(mode: Mode, word: string, args: string[]): boolean {
  switch (mode.kind) {
    case 'class-map':
      return CLASS_MAP_WORDS.has(word);
    case 'policy-map':
      return POLICY_MAP_WORDS.has(word);
    case 'pm-class':
      return PM_CLASS_WORDS.has(word) || (word === 'service-policy' && args.length === 1);
    case 'inspect-map':
      return INSPECT_MAP_WORDS.has(word);
    case 'inspect-action':
      return INSPECT_ACTION_WORDS.has(word);
    case 'inspect-params':
      // Parameters differ per protocol (message-length, mask-banner, eool action allow, ...): anything that is
      // not a top-level word or a word of the inspect policy-map itself.
      return !TOP_WORDS.has(word) && !INSPECT_MAP_WORDS.has(word) && word !== 'inspect';
    case 'context':
      return CONTEXT_WORDS.has(word);
    case 'resource-class':
      return word === 'limit-resource';
  }
}

type Warn = (line: ConfigLine, message: string) => void;

function handleSubCommand(
  stack: Mode[],
  mode: Mode,
  line: ConfigLine,
  word: string,
  args: string[],
  negated: boolean,
): void {
  switch (mode.kind) {
    case 'class-map':
      if (word !== 'match') return;
      if (negated) {
        const key = args.join(' ');
        mode.def.matches = mode.def.matches.filter((m) => m.words.slice(1).join(' ') !== key);
      } else mode.def.matches.push(line);
      return;
    case 'policy-map': {
      if (word !== 'class' || args[0] === undefined) return;
      const name = args[args.length - 1]!;
      if (negated) {
        mode.def.classes = mode.def.classes.filter((c) => c.name !== name);
        return;
      }
      let pc = mode.def.classes.find((c) => c.name === name);
      if (!pc) {
        pc = { name, header: line, inspects: [] };
        mode.def.classes.push(pc);
      }
      stack.push({ kind: 'pm-class', def: pc, pm: mode.def, doubt: null });
      return;
    }
    case 'pm-class': {
      if (word !== 'inspect') return;
      const protocol = args[0];
      if (protocol !== 'esmtp' && protocol !== 'smtp') return;
      const map = args[1] ?? null;
      const same = (i: InspectDef) => i.protocol === protocol && (negated ? true : i.map === map);
      if (negated) {
        mode.def.inspects = mode.def.inspects.filter((i) => !same(i));
        return;
      }
      if (mode.def.inspects.some(same)) return;
      mode.def.inspects.push({ line, protocol, map, doubt: mode.doubt });
      return;
    }
    case 'inspect-map':
      if (word === 'parameters') stack.push({ kind: 'inspect-params', def: mode.def });
      else if (word === 'match' || word === 'class') stack.push({ kind: 'inspect-action' });
      return;
    case 'inspect-params':
      if (word === 'mask-banner') mode.def.maskBanner = !negated;
      if (word === 'allow-tls') mode.def.allowTls = !negated;
      return;
    case 'context':
      if (word === 'config-url' && !negated) mode.entry.configUrl = args[0] ?? null;
      return;
    case 'inspect-action':
    case 'resource-class':
      return;
  }
}

function handleTopCommand(
  model: ConfigModel,
  stack: Mode[],
  line: ConfigLine,
  word: string,
  args: string[],
  negated: boolean,
  warn: Warn,
): void {
  const facts = model.facts;
  switch (word) {
    case 'class-map': {
      const name = args[args.length - 1];
      if (name === undefined) return;
      if (negated) {
        model.classMaps.delete(name);
        return;
      }
      let def = model.classMaps.get(name);
      if (!def) {
        const type = args[0] === 'type' ? args.slice(1, -1).join(' ') : null;
        def = { name, type, header: line, matches: [] };
        model.classMaps.set(name, def);
      }
      stack.push({ kind: 'class-map', def });
      return;
    }
    case 'policy-map': {
      const name = args[args.length - 1];
      if (name === undefined) return;
      if (args[0] === 'type') {
        // `policy-map type inspect esmtp NAME`; other types (qos, loadbalance) have the same shape for us.
        const protocol = args[1] === 'inspect' ? (args[2] ?? '') : (args[1] ?? '');
        const key = `${protocol} ${name}`;
        if (negated) {
          model.inspectMaps.delete(key);
          return;
        }
        let def = model.inspectMaps.get(key);
        if (!def) {
          def = { protocol, name, header: line, maskBanner: null, allowTls: null };
          model.inspectMaps.set(key, def);
        }
        stack.push({ kind: 'inspect-map', def });
        return;
      }
      if (negated) {
        model.policyMaps.delete(name);
        return;
      }
      let def = model.policyMaps.get(name);
      if (!def) {
        def = { name, header: line, classes: [] };
        model.policyMaps.set(name, def);
      }
      stack.push({ kind: 'policy-map', def, doubt: null });
      return;
    }
    case 'service-policy': {
      const pm = args[0];
      const binding =
        args[1] === 'global' ? 'global' : args[1] === 'interface' && args[2] ? `interface:${args[2]}` : null;
      if (pm === undefined || binding === null) {
        if (!negated) warn(line, 'service-policy without "global" or "interface <name>": the device rejects it here.');
        return;
      }
      model.bindings = model.bindings.filter((b) => !(b.policyMap === pm && b.binding === binding));
      if (!negated) model.bindings.push({ policyMap: pm, binding, line });
      return;
    }
    case 'fixup':
      if (args[0] !== 'protocol' || args[1] !== 'smtp') return;
      model.fixupLinesSeen++;
      readFixup(model, line, args[2], negated);
      return;
    case 'clear': {
      // `clear configure policy-map|class-map|service-policy|all` in generated scripts.
      if (args[0] !== 'configure' && args[0] !== 'config') return;
      const what = args[1];
      if (what === 'policy-map' || what === 'all') model.policyMaps.clear();
      if (what === 'policy-map' || what === 'all') model.inspectMaps.clear();
      if (what === 'class-map' || what === 'all') model.classMaps.clear();
      if (what === 'service-policy' || what === 'all') model.bindings = [];
      if (what === 'fixup' || what === 'all') model.fixups.clear();
      return;
    }
    case 'hostname':
      if (!negated && args[0] !== undefined) facts.hostname = args[0];
      return;
    case 'failover':
      if (args.length === 0) facts.failover = !negated;
      else if (
        !negated &&
        args[0] === 'lan' &&
        args[1] === 'unit' &&
        (args[2] === 'primary' || args[2] === 'secondary')
      )
        facts.failoverUnit = args[2];
      return;
    case 'mode':
      if (!negated && args[0] === 'multiple') facts.modeMultiple = true;
      return;
    case 'context': {
      if (args[0] === undefined) return;
      const entry = { name: args[0], configUrl: null };
      facts.contexts.push(entry);
      stack.push({ kind: 'context', entry });
      return;
    }
    case 'class':
      // Top-level `class <name>` is a resource class (system configuration, `limit-resource` lines).
      stack.push({ kind: 'resource-class' });
      return;
    default:
      if (facts.version === null && (word === 'ASA' || word === 'PIX' || word === 'FWSM')) readVersion(model, line);
      return;
  }
}

function readFixup(model: ConfigModel, line: ConfigLine, spec: string | undefined, negated: boolean): void {
  if (negated) {
    // `no fixup protocol smtp` without a port removes every smtp fixup.
    if (spec === undefined) model.fixups.clear();
    else model.fixups.delete(spec);
    return;
  }
  const key = spec ?? '';
  model.fixups.delete(key); // keep config order of the last mention
  model.fixups.set(key, { spec, line });
}

function readVersion(model: ConfigModel, line: ConfigLine): void {
  const m = VERSION_RE.exec(line.text.trim());
  if (!m) return;
  const family = m[1] === 'PIX' ? 'pix' : m[1] === 'FWSM' ? 'fwsm' : 'asa';
  const space = m[3] === undefined ? null : m[3] === 'system' ? 'system' : 'context';
  model.facts.version = { family, version: m[2]!, space, line };
}

function readCommentFacts(model: ConfigModel, trimmed: string, index: number, text: string): void {
  const facts = model.facts;
  if (facts.version === null) {
    const line: ConfigLine = { index, text, words: [] };
    if (VERSION_RE.test(trimmed)) readVersion(model, line);
    else {
      const m = SHOW_VERSION_RE.exec(trimmed);
      if (m) {
        const family = m[1]!.startsWith('PIX') ? 'pix' : m[1]!.startsWith('Firewall') ? 'fwsm' : 'asa';
        const space = m[3] === undefined ? null : m[3] === 'system' ? 'system' : 'context';
        facts.version = { family, version: m[2]!, space, line };
      }
    }
  }
  if (facts.model === null) {
    const hw = HARDWARE_RE.exec(trimmed);
    if (hw) facts.model = hw[1]!;
  }
}

// SMTP-relevant sub-mode commands found where no open mode takes them: the device rejects them there.
function noteOrphan(line: ConfigLine, word: string, args: string[], open: Mode | undefined, warn: Warn): void {
  const where = open ? `in ${describeMode(open)}` : 'outside any class-map or policy-map';
  if (word === 'inspect' && (args[0] === 'esmtp' || args[0] === 'smtp')) {
    const hint =
      open?.kind === 'policy-map'
        ? `policy-map ${open.def.name} names no class before it`
        : 'no policy-map class is open at this point';
    warn(
      line,
      `"${line.words.join(' ')}" ${where}: ${hint}, so the device would reject it and it is not counted. If a class line is missing from this file, check the device.`,
    );
  } else if (word === 'match' && (args[0] === 'default-inspection-traffic' || args[0] === 'port')) {
    warn(line, `"${line.words.join(' ')}" ${where}: no class-map is open here, so the device would reject it.`);
  } else if (word === 'mask-banner' || word === 'allow-tls') {
    warn(line, `"${line.words.join(' ')}" ${where}: no esmtp inspect map "parameters" is open here.`);
  }
}

function describeMode(mode: Mode): string {
  switch (mode.kind) {
    case 'class-map':
      return `class-map ${mode.def.name}`;
    case 'policy-map':
      return `policy-map ${mode.def.name} (before any class)`;
    case 'pm-class':
      return `policy-map ${mode.pm.name} class ${mode.def.name}`;
    case 'inspect-map':
    case 'inspect-params':
      return `policy-map type inspect ${mode.def.protocol} ${mode.def.name}`;
    case 'inspect-action':
      return 'an inspect policy-map match';
    case 'context':
      return `context ${mode.entry.name}`;
    case 'resource-class':
      return 'a resource class';
  }
}
