/**
 * Loghub's header formats (`<Date> <Time> <Level> <Component>: <Content>`) turned into one
 * anchored regular expression each, as the logparser benchmark does: every `<Field>` matches
 * lazily, a run of spaces matches any run of whitespace, and everything else (including the
 * format's own escapes such as `\[` and optional groups) is regular-expression text.
 */
export function logFormatRegex(format: string): { regex: RegExp; fields: string[] } {
  const fields: string[] = [];
  const parts = format.split(/(<[^<>]+>)/);
  let source = '';
  for (const part of parts) {
    const field = /^<([^<>]+)>$/.exec(part)?.[1];
    if (field !== undefined) {
      fields.push(field);
      source += `(?<${field}>.*?)`;
    } else {
      source += part.replace(/ +/g, '\\s+');
    }
  }
  return { regex: new RegExp(`^${source}$`), fields };
}

/** The `Content` field of one raw line, or undefined when the line does not fit the format. */
export function extractContent(regex: RegExp, line: string): string | undefined {
  return regex.exec(line)?.groups?.['Content'];
}
