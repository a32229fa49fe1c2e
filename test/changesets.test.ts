/**
 * Releases: `changeset version` versions the five libraries together (one `fixed` group while on 0.x), writes a
 * CHANGELOG.md for each and leaves the private apps alone. Runs the real CLI on a copy of the workspace's
 * manifests and .changeset folder in a temporary directory, so nothing here changes.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIBRARIES = ['core', 'models', 'data', 'metrics', 'viz', 'pretrained'];
const APPS = readdirSync(join(root, 'apps')).filter((name) =>
  existsSync(join(root, 'apps', name, 'package.json')),
);
const directories: string[] = [];

/** A copy of the workspace's release inputs: root manifest, workspace file, .changeset, every package.json. */
function copyWorkspace(changesets: 'pending' | Record<string, string>): string {
  const directory = mkdtempSync(join(tmpdir(), 'vae-changesets-'));
  directories.push(directory);
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(root, file), join(directory, file));
  cpSync(join(root, '.changeset'), join(directory, '.changeset'), { recursive: true });
  if (changesets !== 'pending') {
    for (const file of readdirSync(join(directory, '.changeset'))) {
      if (file.endsWith('.md') && file !== 'README.md') rmSync(join(directory, '.changeset', file));
    }
    for (const [name, text] of Object.entries(changesets))
      writeFileSync(join(directory, '.changeset', name), text);
  }
  for (const folder of [...LIBRARIES.map((n) => `packages/${n}`), ...APPS.map((n) => `apps/${n}`)]) {
    mkdirSync(join(directory, folder), { recursive: true });
    cpSync(join(root, folder, 'package.json'), join(directory, folder, 'package.json'));
  }
  // The changelog generator named in .changeset/config.json is resolved from here.
  symlinkSync(join(root, 'node_modules'), join(directory, 'node_modules'), 'dir');
  return directory;
}

function changesetVersion(directory: string): void {
  const cli = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
  execFileSync(process.execPath, [cli, 'version'], {
    cwd: directory,
    stdio: 'pipe',
    env: { ...process.env, CI: '1' },
  });
}

const manifest = (directory: string, folder: string) =>
  JSON.parse(readFileSync(join(directory, folder, 'package.json'), 'utf8'));

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('changeset version', () => {
  it('bumps every library together when one changes, with a changelog each; apps stay as they are', () => {
    const directory = copyWorkspace({
      'data-fix.md': '---\n"@vae/data": patch\n---\n\nA fix in the IDX parser.\n',
    });
    const before = manifest(directory, 'packages/core').version as string;
    changesetVersion(directory);
    const versions = LIBRARIES.map((name) => manifest(directory, `packages/${name}`).version);
    expect(new Set(versions).size).toBe(1);
    const [major, minor, patch] = before.split('.').map(Number);
    expect(versions[0]).toBe(`${major}.${minor}.${patch + 1}`);
    for (const name of LIBRARIES) {
      const changelog = readFileSync(join(directory, 'packages', name, 'CHANGELOG.md'), 'utf8');
      expect(changelog).toContain(`# @vae/${name}`);
      expect(changelog).toContain(`## ${versions[0]}`);
    }
    expect(readFileSync(join(directory, 'packages', 'data', 'CHANGELOG.md'), 'utf8')).toContain(
      'A fix in the IDX parser.',
    );
    for (const app of APPS) {
      expect(manifest(directory, `apps/${app}`).version).toBe(manifest(root, `apps/${app}`).version);
      expect(existsSync(join(directory, 'apps', app, 'CHANGELOG.md'))).toBe(false);
    }
    // Internal ranges stay workspace ranges; pnpm pack writes the released version into the tarballs.
    expect(manifest(directory, 'packages/models').dependencies['@vae/core']).toBe('workspace:^');
    expect(
      readdirSync(join(directory, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md'),
    ).toEqual([]);
  });

  it("versions the repository's pending changesets: one version for all libraries, a changelog each", () => {
    const pending = readdirSync(join(root, '.changeset')).filter(
      (f) => f.endsWith('.md') && f !== 'README.md',
    );
    const directory = copyWorkspace('pending');
    changesetVersion(directory);
    const versions = LIBRARIES.map((name) => manifest(directory, `packages/${name}`).version);
    expect(new Set(versions).size).toBe(1);
    if (pending.length > 0) {
      expect(versions[0]).not.toBe(manifest(root, 'packages/core').version);
      // At least 0.1.0: pnpm then writes the sibling ranges as ^0.1.0, which npm resolves to any 0.1.x release
      // (^0.0.0, the version before any release, would mean exactly 0.0.0).
      const [major, minor] = versions[0].split('.').map(Number);
      expect(major > 0 || minor > 0, versions[0]).toBe(true);
      for (const name of LIBRARIES) {
        expect(readFileSync(join(directory, 'packages', name, 'CHANGELOG.md'), 'utf8')).toContain(
          `## ${versions[0]}`,
        );
      }
    }
  });
});
