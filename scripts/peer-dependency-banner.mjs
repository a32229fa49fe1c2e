/**
 * A tsup `banner` for the CommonJS builds of the @vae libraries: before anything else runs, it checks that the
 * package's peer dependencies (tfjs) resolve, and if one does not, throws an error that names the packages and
 * the command that installs them, instead of Node's bare "Cannot find module '@tensorflow/tfjs-core'".
 *
 * Only CommonJS can do this: an ES module's static imports are all resolved before any of its code runs, so
 * the ESM builds get Node's own message ("Cannot find package '@tensorflow/tfjs-core' imported from ..."),
 * which names the missing package too. The check runs only where `require.resolve` exists (Node, webpack); it
 * costs one resolution per peer when a CommonJS entry is first required.
 *
 * Usage in a package's tsup.config.ts: `banner: peerDependencyBanner()` (reads ./package.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} [packageDirectory] the package's folder (default: the working directory, where tsup runs)
 * @returns {(context: { format: string }) => { js: string } | undefined}
 */
export function peerDependencyBanner(packageDirectory = process.cwd()) {
  const pkg = JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'));
  const peers = Object.entries(pkg.peerDependencies ?? {});
  if (peers.length === 0) return () => undefined;
  const names = peers.map(([name]) => name);
  const install = peers.map(([name, range]) => `${name}@${range}`).join(' ');
  const tfjs = names.every((name) => name === '@tensorflow/tfjs-core' || name === '@tensorflow/tfjs-layers')
    ? ' (or @tensorflow/tfjs, which includes them and the cpu and webgl backends)'
    : '';
  const message =
    `${pkg.name} cannot find MISSING, which it needs as a peer dependency. Install its peer dependencies in ` +
    `your project: npm install ${install}${tfjs}. npm 7+ and pnpm add peer dependencies by themselves unless ` +
    'legacy-peer-deps or auto-install-peers=false is set; Yarn does not.';
  // One literal require.resolve per peer, so that bundlers which see this file (webpack, for `require()` in
  // user code) resolve it statically instead of warning about an expression.
  const checks = names.map(
    (name) =>
      `    try { require.resolve(${JSON.stringify(name)}); } catch (error) { ` +
      `if (error && error.code === "MODULE_NOT_FOUND") missing.push(${JSON.stringify(name)}); }`,
  );
  const code = [
    '"use strict";',
    '{',
    '  const missing = [];',
    '  if (typeof require === "function" && typeof require.resolve === "function") {',
    ...checks,
    '  }',
    `  if (missing.length > 0) throw new Error(${JSON.stringify(message)}.replace("MISSING", missing.join(" and ")));`,
    '}',
  ].join('\n');
  return (context) => (context.format === 'cjs' ? { js: code } : undefined);
}
