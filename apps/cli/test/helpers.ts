// Runs the built CLI as a user would: a child process with real files.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(bin))
    throw new Error('apps/cli is not built: run `pnpm turbo run build --filter=vae` first.');
}

/** Runs `vae <args>` and resolves with its exit code and output (never rejects). */
export function vae(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: options.cwd ?? tmpdir(), maxBuffer: 1 << 24, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Options that make a training run tiny. */
export const TINY = ['--epochs', '1', '--limit', '256', '--test-limit', '64', '--backend', 'wasm'];

/** Starts `vae <args>`, sends SIGINT once stderr matches `when` (e.g. the first epoch's line), resolves at its exit. */
export function interruptWhen(
  args: string[],
  when: RegExp,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: tmpdir() });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}
