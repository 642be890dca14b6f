/** The one host[:port] / [user@]host[:port] grammar (src/net/endpoint.ts) and its zod form, as one table. */
import { describe, expect, it } from 'vitest';
import { type EndpointOptions, parseEndpoint, parsePort } from '../../src/net/endpoint.js';
import { endpointSchema } from '../../src/net/endpoint-schema.js';

const PLAIN: EndpointOptions = {};
const D25: EndpointOptions = { defaultPort: 25 };
const USER: EndpointOptions = { user: true };
const USER22: EndpointOptions = { user: true, defaultPort: 22 };

describe('parseEndpoint: accepted', () => {
  it.each<[string, EndpointOptions, object]>([
    ['mx.example.com', D25, { host: 'mx.example.com', port: 25 }],
    ['mx.example.com.', D25, { host: 'mx.example.com.', port: 25 }],
    ['192.0.2.1:2525', D25, { host: '192.0.2.1', port: 2525 }],
    ['  fw_1:22 ', PLAIN, { host: 'fw_1', port: 22 }],
    ['fw-lab', PLAIN, { host: 'fw-lab' }],
    ['[2001:db8::1]:587', D25, { host: '2001:db8::1', port: 587 }],
    ['[2001:db8::1]', D25, { host: '2001:db8::1', port: 25 }],
    ['2001:db8::1', D25, { host: '2001:db8::1', port: 25 }],
    ['::1', PLAIN, { host: '::1' }],
    ['[fw1]:2222', PLAIN, { host: 'fw1', port: 2222 }],
    ['admin@192.0.2.1', USER, { username: 'admin', host: '192.0.2.1' }],
    ['admin@fw1.example.net:2222', USER, { username: 'admin', host: 'fw1.example.net', port: 2222 }],
    ['ops@[::1]:2200', USER22, { username: 'ops', host: '::1', port: 2200 }],
    ['bastion', USER22, { host: 'bastion', port: 22 }],
    ['mx:65535', PLAIN, { host: 'mx', port: 65535 }],
  ])('%j %j', (text, opts, expected) => {
    expect(parseEndpoint(text, opts)).toEqual(expected);
    expect(endpointSchema(opts).safeParse(text).success).toBe(true);
  });
});

describe('parseEndpoint: refused with BAD_INPUT naming the cause', () => {
  it.each<[string, EndpointOptions, RegExp]>([
    ['', PLAIN, /empty/],
    ['mx:0', D25, /is not a port/],
    ['mx:99999', D25, /is not a port/],
    ['mx:', D25, /is not a port/],
    ['mx:25x', D25, /is not a port/],
    [':25', D25, /not a host name/],
    ['bad host', D25, /not a host name/],
    ['2001:db8::1:25x', D25, /brackets/],
    ['fe80:1:2', PLAIN, /brackets/],
    ['[2001:db8::1', PLAIN, /unclosed/],
    ['[2001:db8::1]:', PLAIN, /nothing follows/],
    ['admin@fw1', PLAIN, /user@ is not taken/],
    ['a@b@c', USER, /user name/],
    ['@fw1', USER, /user name/],
    ['fw1:99999', USER, /is not a port/],
    ['fw 1', USER, /not a host name/],
  ])('%j %j', (text, opts, message) => {
    expect(() => parseEndpoint(text, opts)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => parseEndpoint(text, opts)).toThrow(message);
    const r = endpointSchema(opts).safeParse(text);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });
});

describe('parsePort', () => {
  it('takes 1-65535 in decimal only', () => {
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
    for (const v of ['0', '65536', '-1', '2e3', '', ' 22', '0x16']) {
      expect(() => parsePort(v, '--port')).toThrow(/^--port: ".*" is not a port; give a number from 1 to 65535$/);
    }
  });
});
