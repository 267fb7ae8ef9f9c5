import { describe, expect, it } from 'vitest';
import { CONSTANT, tokenize, VARIABLE_LIKE } from './tokenizer';

/** Each word with its class as one readable string: `word:c` constant, `word:v` variable-like, `word:#` value. */
function classified(message: string): string[] {
  const { words, classes } = tokenize(message);
  return words.map(
    (w, i) => `${w}:${classes[i] === CONSTANT ? 'c' : classes[i] === VARIABLE_LIKE ? 'v' : '#'}`,
  );
}

function roundTrip(message: string): string {
  const { words, seps } = tokenize(message);
  return words.map((w, i) => `${seps[i]}${w}`).join('') + seps[words.length];
}

describe('tokenize', () => {
  it('keeps every separator, so the words and separators give back the line', () => {
    const lines = [
      '  [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started (Lifecycle Event)',
      'Times: total = 42, boot = -99, init = 141, finish = 0',
      'data store interrupt caused by icbi.........0',
      '',
    ];
    for (const l of lines) expect(roundTrip(l)).toBe(l);
  });

  it('splits at field punctuation and marks numbers and ids as values', () => {
    expect(classified('Times: total = 42, boot = -99')).toEqual([
      'Times:c',
      'total:c',
      '42:#',
      'boot:c',
      '-99:#',
    ]);
    expect(classified('onExtend:1514038530000 14 0 4')).toEqual([
      'onExtend:c',
      '1514038530000:#',
      '14:#',
      '0:#',
      '4:#',
    ]);
    expect(classified('[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Claim successful')).toEqual([
      'instance:c',
      'b9000564-fe1a-409b-b8cc-1e88b294cd1d:#',
      'Claim:c',
      'successful:c',
    ]);
  });

  it('keeps addresses, times and lists of them as one value', () => {
    expect(classified('to 10.251.73.220:50010, at 22:29:26.099 from 10.11.21.122,10.11.10.1')).toEqual([
      'to:c',
      '10.251.73.220:50010:#',
      'at:c',
      '22:29:26.099:#',
      'from:c',
      '10.11.21.122,10.11.10.1:#',
    ]);
    expect(classified('BSSID changed to 5c:50:15:36:bc:03')).toEqual([
      'BSSID:c',
      'changed:c',
      'to:c',
      '5c:50:15:36:bc:03:#',
    ]);
  });

  it('keeps a path or URL whole, query string included, and calls it variable-like', () => {
    expect(classified('"GET /v2/servers/detail?all_tenants=True&host=cp-1 HTTP/1.1" status: 200')).toEqual([
      'GET:c',
      '/v2/servers/detail?all_tenants=True&host=cp-1:v',
      'HTTP/1.1:v',
      'status:c',
      '200:#',
    ]);
    expect(classified('loading ./runtime_malloc: failed')).toEqual([
      'loading:c',
      './runtime_malloc:v',
      'failed:c',
    ]);
    expect(classified('fetch https://example.org/a?b=c done')).toEqual([
      'fetch:c',
      'https://example.org/a?b=c:v',
      'done:c',
    ]);
    expect(classified('Loaded C:\\Windows\\winsxs\\amd64_x (ok)')).toEqual([
      'Loaded:c',
      'C:\\Windows\\winsxs\\amd64_x:v',
      'ok:c',
    ]);
  });

  it('calls dotted names variable-like, unless they end in an UPPER_CASE enum constant', () => {
    expect(classified('com.apple.CacheDelete.daily: told me')).toEqual([
      'com.apple.CacheDelete.daily:v',
      'told:c',
      'me:c',
    ]);
    expect(classified('action:android.intent.action.SCREEN_ON')).toEqual([
      'action:c',
      'android.intent.action.SCREEN_ON:c',
    ]);
    expect(classified('Instance destroyed successfully.')).toEqual([
      'Instance:c',
      'destroyed:c',
      'successfully.:c',
    ]);
  });

  it('treats a unit after a number, and day and month names, as variable-like', () => {
    expect(classified('size 93.0 B, free 5.2 KB')).toEqual([
      'size:c',
      '93.0:#',
      'B:v',
      'free:c',
      '5.2:#',
      'KB:v',
    ]);
    expect(classified('B tree')).toEqual(['B:c', 'tree:c']);
    expect(classified('status=M Fri Jul 01 08:16:53 PDT 2005')).toEqual([
      'status:c',
      'M:c',
      'Fri:v',
      'Jul:v',
      '01:#',
      '08:16:53:#',
      'PDT:c',
      '2005:#',
    ]);
  });

  it('breaks words at runs of dots and calls digit-bearing words variable-like', () => {
    expect(classified('machine check enable..............0')).toEqual([
      'machine:c',
      'check:c',
      'enable:c',
      '0:#',
    ]);
    expect(classified('jk2_init() Found child 6725')).toEqual(['jk2_init:v', 'Found:c', 'child:c', '6725:#']);
  });

  it('makes a long list of values one value, so its length does not matter', () => {
    expect(classified('channels 1 2 3 4 5 6 36 40, 44 on en0')).toEqual([
      'channels:c',
      '1 2 3 4 5 6 36 40, 44:#',
      'on:c',
      'en0:v',
    ]);
    expect(classified('onExtend:1514038530000 14 0 4')).toHaveLength(5);
    expect(roundTrip('channels 1 2 3 4 5 6 36 40, 44 on en0')).toBe('channels 1 2 3 4 5 6 36 40, 44 on en0');
  });

  it('calls numbers with a unit and hex literals values', () => {
    expect(classified('took 12ms, 5.2GB at 80% reg 0x1F eth0')).toEqual([
      'took:c',
      '12ms:#',
      '5.2GB:#',
      'at:c',
      '80%:#',
      'reg:c',
      '0x1F:#',
      'eth0:v',
    ]);
  });
});
