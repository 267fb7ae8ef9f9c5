import { describe, expect, it } from 'vitest';
import { messageOf } from './message';

describe('messageOf', () => {
  it('takes a one-line body as it is', () => {
    expect(messageOf('connection refused', 100)).toEqual({
      text: 'connection refused',
      multiLine: false,
      truncated: false,
    });
  });

  it('takes the first non-blank line of a multi-line body', () => {
    const trace = '\n  \nERROR failed to sync pod web-1\n\tat sync(pod.go:12)\n\tat main(main.go:3)\n';
    expect(messageOf(trace, 100)).toEqual({
      text: 'ERROR failed to sync pod web-1',
      multiLine: true,
      truncated: false,
    });
    expect(messageOf('last line only\r\n', 100)).toEqual({
      text: 'last line only',
      multiLine: false,
      truncated: false,
    });
    expect(messageOf('a\r\nb', 100)).toEqual({ text: 'a', multiLine: true, truncated: false });
  });

  it('cuts a long message', () => {
    expect(messageOf('abcdefgh', 3)).toEqual({ text: 'abc', multiLine: false, truncated: true });
  });
});
