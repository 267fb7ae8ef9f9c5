import { describe, type Example, type WorkloadLogs } from './workload-logs';

/** The words of an anomaly: its title (at most 500 characters) and explanation (at most 4,000). */
export interface AnomalyText {
  title: string;
  explanation: string;
}

interface TemplateRef {
  id: string;
  text: string;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function finish(title: string, explanation: string): AnomalyText {
  return { title: cut(title, 500), explanation: cut(explanation, 4000) };
}

function examplesText(examples: readonly Example[]): string {
  return examples.length === 0 ? '' : ` Example lines:\n${examples.map((e) => `  ${e.text}`).join('\n')}`;
}

function perWindow(windowMs: number): string {
  return windowMs === 60_000 ? 'per minute' : `per ${Math.round(windowMs / 1000)} s`;
}

function fmt(n: number): string {
  return n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

export function novelText(
  w: WorkloadLogs,
  t: TemplateRef,
  windows: number,
  examples: readonly Example[],
): AnomalyText {
  return finish(
    `New log message from ${describe(w.ref)}: ${t.text}`,
    `${describe(w.ref)} logged a message it had not logged before (template ${t.id}: "${t.text}"), ` +
      `seen in ${windows} window${windows === 1 ? '' : 's'} so far.${examplesText(examples)}`,
  );
}

export function burstText(
  w: WorkloadLogs,
  t: TemplateRef,
  count: number,
  usual: number,
  windowMs: number,
  examples: readonly Example[],
): AnomalyText {
  return finish(
    `Log message ${count} times ${perWindow(windowMs)} from ${describe(w.ref)}: ${t.text}`,
    `${describe(w.ref)} logged "${t.text}" (template ${t.id}) ${count} times ${perWindow(windowMs)}; ` +
      `usually ${fmt(usual)}.${examplesText(examples)}`,
  );
}

export function errorBurstText(
  w: WorkloadLogs,
  loud: {
    errors: number;
    usual: number;
    top: (TemplateRef & { count: number })[];
    examples: readonly Example[];
  },
  windowMs: number,
): AnomalyText {
  const top = loud.top.map((t) => `"${t.text}" (template ${t.id}) ${t.count}`).join('; ');
  return finish(
    `${loud.errors} error lines ${perWindow(windowMs)} from ${describe(w.ref)}`,
    `${describe(w.ref)} logged ${loud.errors} error or fatal lines ${perWindow(windowMs)}; usually ${fmt(loud.usual)}. ` +
      `Most frequent: ${top}.${examplesText(loud.examples)}`,
  );
}

export function silenceText(w: WorkloadLogs, silentMs: number): AnomalyText {
  const minutes = Math.round(silentMs / 60_000);
  return finish(
    `${describe(w.ref)} stopped logging`,
    `${describe(w.ref)} usually logs about ${fmt(w.usualTotal)} lines per window and has logged nothing for ` +
      `${minutes} minute${minutes === 1 ? '' : 's'} (last line at ${new Date(w.lastMs).toISOString()}).`,
  );
}
