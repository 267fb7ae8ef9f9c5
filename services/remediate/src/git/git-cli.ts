import { execFile } from 'node:child_process';
import { SleuthError } from '@sleuth/core';

/** A git command failed. Remote operations (clone, fetch, push) are retryable; local ones are not. */
export class GitError extends SleuthError {
  constructor(message: string, retryable: boolean) {
    super('git_failed', message, { statusCode: 502, retryable });
  }
}

const REMOTE_COMMANDS = new Set(['clone', 'fetch', 'push', 'ls-remote']);
const TIMEOUT_MS = 120_000;

/** Hides credentials in URLs (`https://user:token@host` → `https://***@host`). */
export function redactUrl(s: string): string {
  return s.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `git ARGS` in `cwd` without a shell (arguments are never parsed by one) and resolves
 * with its exit code and output. Prompts are off: a missing credential fails instead of waiting
 * for a terminal.
 */
export function runGit(cwd: string, args: readonly string[]): Promise<GitRun> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        // The child needs PATH and HOME (credential helpers, ssh); prompts would hang a server.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        maxBuffer: 32 * 1024 * 1024,
        timeout: TIMEOUT_MS,
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (err?.message ?? '') });
      },
    );
  });
}

/** Runs git and resolves with its standard output; rejects with a GitError naming the command. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const r = await runGit(cwd, args);
  if (r.code === 0) return r.stdout;
  const sub = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? '';
  const why = r.stderr.trim().split('\n').slice(-3).join(' ');
  throw new GitError(
    redactUrl(`git ${args.join(' ')} failed (exit ${r.code}): ${why}`),
    REMOTE_COMMANDS.has(sub),
  );
}
