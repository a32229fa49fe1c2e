/**
 * The release workflow: changesets version the libraries (a pull request) and publish them to npm with provenance,
 * after the same build and tests as CI. Read as text: the workflow itself runs only on GitHub.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const workflow = readFileSync(`${root}.github/workflows/release.yml`, 'utf8');
const scripts = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).scripts as Record<string, string>;

describe('release workflow', () => {
  it('versions and publishes with changesets, with npm provenance (OIDC id-token)', () => {
    expect(workflow).toMatch(/uses: changesets\/action@v1/);
    expect(workflow).toMatch(/publish: .*changeset publish/);
    expect(workflow).toMatch(/version: .*version-packages/);
    expect(workflow).toMatch(/id-token: write/);
    expect(workflow).toMatch(/NPM_CONFIG_PROVENANCE: true/);
    expect(scripts['version-packages']).toBe('changeset version');
  });

  it('builds and runs the whole test command (bundle budgets included) before publishing', () => {
    expect(workflow.indexOf('pnpm@12.21.0 test')).toBeGreaterThan(0);
    expect(workflow.indexOf('pnpm@12.21.0 test')).toBeLessThan(workflow.indexOf('changesets/action'));
    expect(scripts.test).toMatch(/size-limit/);
    expect(workflow).toMatch(/--frozen-lockfile/);
  });
});
