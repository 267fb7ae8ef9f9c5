import { describe, expect, it } from 'vitest';
import { groupF1, groupingAccuracy, parsingAccuracy } from '../bench/loghub/metrics';
import { extractContent, logFormatRegex } from '../bench/loghub/log-format';
import { parseCsv } from '../bench/loghub/dataset';

/**
 * Loghub accuracy metrics on examples small enough to score by hand. Six lines, three true
 * groups: A = {0,1,2}, B = {3,4}, C = {5}.
 */
const truth = ['A', 'A', 'A', 'B', 'B', 'C'];

describe('groupingAccuracy', () => {
  it('is 1 for a perfect grouping, whatever the parser calls its groups', () => {
    expect(groupingAccuracy(['x', 'x', 'x', 'y', 'y', 'z'], truth)).toBe(1);
  });

  it('counts no line of a true group that the parser split', () => {
    // A split in two: its 3 lines are wrong; B and C right.
    expect(groupingAccuracy(['x', 'x', 'w', 'y', 'y', 'z'], truth)).toBeCloseTo(3 / 6);
  });

  it('counts no line of groups the parser merged', () => {
    // B and C merged: 3 wrong; A right.
    expect(groupingAccuracy(['x', 'x', 'x', 'y', 'y', 'y'], truth)).toBeCloseTo(3 / 6);
    expect(groupingAccuracy(['x', 'x', 'x', 'x', 'x', 'x'], truth)).toBe(0);
  });

  it('needs one parsed label per line', () => {
    expect(() => groupingAccuracy(['x'], truth)).toThrow(/one per line/);
  });
});

describe('parsingAccuracy', () => {
  it('is the share of lines whose template string is exactly the true one', () => {
    const trueTemplates = ['a <*>', 'a <*>', 'b', 'c <*> d'];
    expect(parsingAccuracy(['a <*>', 'a <*>', 'b', 'c <*> d'], trueTemplates)).toBe(1);
    expect(parsingAccuracy(['a <*>', 'a 1', 'b ', 'c <*> d'], trueTemplates)).toBe(0.5);
  });
});

describe('groupF1', () => {
  const trueTemplates = ['a <*>', 'a <*>', 'a <*>', 'b <*>', 'b <*>', 'c'];

  it('scores groups and templates: F1 of correct over parsed and over true groups', () => {
    // Groups: {0,1,2} right with the right template; {3} and {4} split B; {5} right, wrong template.
    const ids = ['g1', 'g1', 'g1', 'g2', 'g3', 'g4'];
    const templates = ['a <*>', 'a <*>', 'a <*>', 'b 1', 'b 2', 'c.'];
    const r = groupF1(ids, templates, trueTemplates);
    expect(r).toMatchObject({ parsedGroups: 4, trueGroups: 3, correctGroups: 2, correctTemplates: 1 });
    // FGA: precision 2/4, recall 2/3 -> F1 = 2*(1/2)*(2/3)/(1/2+2/3) = 4/7.
    expect(r.fga).toBeCloseTo(4 / 7);
    // FTA: precision 1/4, recall 1/3 -> F1 = 2/7.
    expect(r.fta).toBeCloseTo(2 / 7);
  });

  it('is 0 when no group is right', () => {
    expect(groupF1(['x', 'x', 'x', 'x', 'x', 'x'], trueTemplates, trueTemplates)).toMatchObject({
      fga: 0,
      fta: 0,
    });
  });
});

describe('log formats', () => {
  it('cuts the content out of a header, as the logparser benchmark does', () => {
    const hdfs = logFormatRegex('<Date> <Time> <Pid> <Level> <Component>: <Content>');
    expect(hdfs.fields).toEqual(['Date', 'Time', 'Pid', 'Level', 'Component', 'Content']);
    expect(
      extractContent(
        hdfs.regex,
        '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block',
      ),
    ).toBe('PacketResponder 1 for block');
    const mac = logFormatRegex(
      '<Month>  <Date> <Time> <User> <Component>\\[<PID>\\]( \\(<Address>\\))?: <Content>',
    );
    expect(extractContent(mac.regex, 'Jul  1 09:01:05 host kernel[0]: Thermal pressure state: 1')).toBe(
      'Thermal pressure state: 1',
    );
    expect(extractContent(mac.regex, 'Jul  1 09:01:05 host kernel[0] (x.y[1]): up')).toBe('up');
    expect(extractContent(hdfs.regex, 'not a header')).toBeUndefined();
  });

  it('reads CSV with quoted fields, doubled quotes and commas inside quotes', () => {
    expect(parseCsv('LineId,Content\n1,"a ""b"", c"\r\n2,plain\n')).toEqual([
      ['LineId', 'Content'],
      ['1', 'a "b", c'],
      ['2', 'plain'],
    ]);
  });
});
