// Request targets as the Moddable HTTP server passes them, split the way
// HttpRequest (modules/ports.ts) defines path and query, with the seed's own
// examples: "/savenetwork/? ssid=mywifinet&pass=abcd1234" and "/r?json=1&rapi=$GS".
import { describe, it, expect } from '../harness';
import { parseQuery, parseTarget } from '../../../hosts/moddable/request-target';

describe('moddable request target', () => {
  it('splits the path from the query', () => {
    expect(parseTarget('/status')).toEqual({ path: '/status', query: {} });
    expect(parseTarget('/r?json=1&rapi=%24GS')).toEqual({ path: '/r', query: { json: '1', rapi: '$GS' } });
  });

  it('decodes form encoding: plus is a space, %XX is a byte of UTF-8', () => {
    expect(parseQuery('ssid=my+wifi&pass=a%26b%3Dc')).toEqual({ ssid: 'my wifi', pass: 'a&b=c' });
    expect(parseQuery('name=caf%C3%A9')).toEqual({ name: 'café' });
  });

  it('maps a parameter present without a value to the empty string', () => {
    expect(parseQuery('json&x=')).toEqual({ json: '', x: '' });
  });

  it('keeps a malformed escape as sent instead of failing the request', () => {
    expect(parseQuery('p=100%')).toEqual({ p: '100%' });
  });

  it('reads the seed savenetwork example', () => {
    const t = parseTarget('/savenetwork/?ssid=mywifinet&pass=abcd1234');
    expect(t.path).toBe('/savenetwork/');
    expect(t.query).toEqual({ ssid: 'mywifinet', pass: 'abcd1234' });
  });

  it('treats an empty path as the root and drops a fragment', () => {
    expect(parseTarget('?a=1').path).toBe('/');
    expect(parseTarget('/x#frag')).toEqual({ path: '/x', query: {} });
  });
});
