/**
 * A TCP endpoint (host and port), and the one parser of `host[:port]` / `[user@]host[:port]` text that every
 * front end uses (probe targets, --smtp, rollback, the wizard, playbooks and inventories, --jump, ProxyJump).
 * Neutral ground: the core (change engine, CLI, playbook) and the lab both use it, and the core must not import
 * the lab (design: architecture.md). Imports nothing heavy: command declarations load it on every start.
 */
import { isIP, isIPv6 } from 'node:net';
import { MailguardError } from '../errors.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** `[user@]host[:port]` as written; `port` is absent when the text names none and no default was given. */
export interface EndpointSpec {
  username?: string;
  host: string;
  port?: number;
}

export interface EndpointOptions {
  /** Port when the text names none. */
  defaultPort?: number;
  /** Accept a `user@` prefix (targets, jump hosts); otherwise an `@` is an error. */
  user?: boolean;
  /** Names the value in messages, e.g. `--smtp` or `target`. */
  what?: string;
}

/** DNS-style names, also ssh_config aliases (`fw-lab`) and inventory names with `_`; a trailing dot is allowed. */
const HOST_NAME = /^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;
const USER_NAME = /^[^\s@:[\]]+$/;

function bad(what: string, text: string, why: string, user: boolean): MailguardError {
  const shape = user ? '[user@]host[:port]' : 'host[:port]';
  return new MailguardError('BAD_INPUT', `${what} "${text}" is not ${shape}: ${why}`, {
    hint: user
      ? 'Examples: fw1.example.net, admin@192.0.2.1, admin@fw1:2222, [2001:db8::1]:22'
      : 'Examples: mx1.example.com, 192.0.2.10:25, [2001:db8::1]:25 or a bare 2001:db8::1',
    details: { value: text },
  });
}

/** A TCP port 1-65535 written in decimal. BAD_INPUT (the value is malformed, whichever flag or file held it). */
export function parsePort(value: string, what = 'port'): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
    throw new MailguardError('BAD_INPUT', `${what}: "${value}" is not a port; give a number from 1 to 65535`, {
      hint: 'Give a TCP port such as 22 or 25.',
      details: { value },
    });
  }
  return Number(value);
}

/** Why `text` is not an endpoint, or null when it is (for schema checks that must not throw). */
export function endpointProblem(text: string, opts: EndpointOptions = {}): string | null {
  try {
    parseEndpoint(text, opts);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Grammar: `[user@]` (only with `user`), then `[v6-or-name]` or `[...]:port`, a bare IPv6 address (no port:
 * `2001:db8::1:25` would be ambiguous), or `name-or-v4[:port]`. Errors are BAD_INPUT: a malformed value is bad
 * input wherever it came from (a flag, a playbook, an inventory, ssh_config).
 */
export function parseEndpoint(text: string, opts: EndpointOptions & { defaultPort: number }): EndpointSpec & Endpoint;
export function parseEndpoint(text: string, opts?: EndpointOptions): EndpointSpec;
export function parseEndpoint(text: string, opts: EndpointOptions = {}): EndpointSpec {
  const what = opts.what ?? 'address';
  const user = opts.user ?? false;
  let rest = text.trim();
  if (rest === '') throw bad(what, text, 'it is empty', user);
  let username: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    if (!user) throw bad(what, text, 'a user@ is not taken here', user);
    username = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER_NAME.test(username))
      throw bad(what, text, 'the user name is empty or has spaces, @, : or brackets', user);
  }
  let host: string;
  let portText: string | undefined;
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
  if (bracket) {
    host = bracket[1] as string;
    portText = bracket[2];
    if (portText === '') throw bad(what, text, 'nothing follows the ":"', user);
  } else if (rest.startsWith('[')) {
    throw bad(what, text, 'unclosed "["', user);
  } else if (isIPv6(rest)) {
    host = rest;
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) throw bad(what, text, 'an IPv6 address with a port goes in brackets: [2001:db8::1]:22', user);
    const i = rest.indexOf(':');
    host = i >= 0 ? rest.slice(0, i) : rest;
    portText = i >= 0 ? rest.slice(i + 1) : undefined;
  }
  if (host === '' || !(isIP(host) || HOST_NAME.test(host))) {
    throw bad(what, text, `"${host}" is not a host name or address`, user);
  }
  const port = portText === undefined ? opts.defaultPort : parsePort(portText, `port in ${what}`);
  const out: EndpointSpec = { host };
  if (username !== undefined) out.username = username;
  if (port !== undefined) out.port = port;
  return out;
}

/** `host:port` for messages, IPv6 in brackets (the form parseEndpoint reads back). */
export function formatEndpoint(e: Endpoint): string {
  return `${isIPv6(e.host) ? `[${e.host}]` : e.host}:${e.port}`;
}

/** The `[user@]host[:port]` device target of detect, apply, rollback and the wizard (port left to the transport). */
export function parseTarget(text: string): EndpointSpec {
  return parseEndpoint(text, { user: true, what: 'target' });
}
