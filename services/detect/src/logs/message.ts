/**
 * The text a template is mined from. A record's body may hold several lines (a stack trace, a
 * pretty-printed payload); the message is its first non-blank line, and the continuation lines
 * never reach the template, so a thousand different stack traces under one error line are one
 * template. Long messages are cut to `maxChars`.
 */
export interface Message {
  text: string;
  /** The body had non-blank lines after the message. */
  multiLine: boolean;
  /** The message was longer than `maxChars`. */
  truncated: boolean;
}

function isBlank(body: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = body.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

export function messageOf(body: string, maxChars: number): Message {
  let start = 0;
  let end = body.indexOf('\n');
  if (end < 0) return cut(body, maxChars, false);
  while (end >= 0 && isBlank(body, start, end)) {
    start = end + 1;
    end = body.indexOf('\n', start);
  }
  if (end < 0) return cut(body.slice(start), maxChars, false);
  const multiLine = !isBlank(body, end + 1, body.length);
  const stop = end > start && body.charCodeAt(end - 1) === 13 ? end - 1 : end;
  return cut(body.slice(start, stop), maxChars, multiLine);
}

function cut(text: string, maxChars: number, multiLine: boolean): Message {
  return text.length > maxChars
    ? { text: text.slice(0, maxChars), multiLine, truncated: true }
    : { text, multiLine, truncated: false };
}
