import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractContent, logFormatRegex } from './log-format';

/** The eight Loghub-2k sets in the shared data and the `log_format` each parser is given. */
export const LOGHUB_FORMATS = {
  HDFS: '<Date> <Time> <Pid> <Level> <Component>: <Content>',
  Hadoop: '<Date> <Time> <Level> \\[<Process>\\] <Component>: <Content>',
  Spark: '<Date> <Time> <Level> <Component>: <Content>',
  BGL: '<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>',
  HealthApp: '<Time>\\|<Component>\\|<Pid>\\|<Content>',
  Apache: '\\[<Time>\\] \\[<Level>\\] <Content>',
  OpenStack: '<Logrecord> <Date> <Time> <Pid> <Level> <Component> \\[<ADDR>\\] <Content>',
  Mac: '<Month>  <Date> <Time> <User> <Component>\\[<PID>\\]( \\(<Address>\\))?: <Content>',
} as const satisfies Record<string, string>;
export type LoghubSet = keyof typeof LOGHUB_FORMATS;

/** One set: the content of every line, with the original and the corrected truth per line. */
export interface LoghubData {
  name: LoghubSet;
  contents: string[];
  /** Lines whose header did not fit the format (their whole text is used as content). */
  unmatched: number;
  /** Lines whose extracted content differs from the truth file's Content column. */
  contentMismatches: number;
  /** ICSE'19 truth: event id per line. */
  truth: string[];
  /** ICSE'22 corrected truth: template string per line (the group is the template). */
  correctedTemplates: string[];
}

/** RFC 4180 CSV: quoted fields with doubled quotes; LF or CRLF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function column(file: string, name: string): string[] {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const i = (header ?? []).indexOf(name);
  if (i < 0) throw new Error(`${file}: no ${name} column`);
  return rows.map((r) => r[i] ?? '');
}

export function loadSet(dir: string, name: LoghubSet): LoghubData {
  const base = join(dir, name, `${name}_2k.log`);
  const { regex } = logFormatRegex(LOGHUB_FORMATS[name]);
  const lines = readFileSync(base, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  let unmatched = 0;
  const contents = lines.map((line) => {
    const content = extractContent(regex, line.trim());
    if (content === undefined) unmatched++;
    return content ?? line;
  });
  const truthContent = column(`${base}_structured.csv`, 'Content');
  const truth = column(`${base}_structured.csv`, 'EventId');
  const correctedTemplates = column(`${base}_structured_corrected.csv`, 'EventTemplate');
  if (truth.length !== contents.length || correctedTemplates.length !== contents.length) {
    throw new Error(
      `${name}: ${contents.length} log lines but ${truth.length} truth and ${correctedTemplates.length} corrected rows`,
    );
  }
  const contentMismatches = contents.filter((c, i) => c.trim() !== (truthContent[i] ?? '').trim()).length;
  return { name, contents, unmatched, contentMismatches, truth, correctedTemplates };
}
