/**
 * What a stage ran with (the environment fingerprint in mlv.lock) and the environment
 * it runs in: PATH leads to a shim so `mlv` in a stage command is this very mlv.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../store/atomic.js';
import { hashBytes } from '../store/hash.js';
import { VERSION } from '../version.js';
import type { EnvFingerprint, StageDef } from './types.js';

/** The directory of mlv's own package.json (works from src/ under tsx and from dist/). */
export function mlvPackageRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'bin', 'mlv.js'))) return d;
    d = dirname(d);
  }
  throw new Error('cannot find mlv\'s package root from ' + fileURLToPath(import.meta.url));
}

let shimDir: string | undefined;

/** A directory holding an `mlv` script that runs this mlv with this node. */
export function mlvShimDir(nodePath: string): string {
  if (shimDir) return shimDir;
  const bin = join(mlvPackageRoot(), 'bin', 'mlv.js');
  const script = `#!/bin/sh\nexec '${nodePath.replace(/'/g, `'\\''`)}' '${bin.replace(/'/g, `'\\''`)}' "$@"\n`;
  const dir = join(tmpdir(), `mlv-shim-${hashBytes(script).slice(0, 16)}`);
  const file = join(dir, 'mlv');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== script) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, script, { mode: 0o755 });
    chmodSync(file, 0o755);
  }
  return (shimDir = dir);
}

export function stageEnv(base: NodeJS.ProcessEnv, nodePath: string): NodeJS.ProcessEnv {
  const env = { ...base };
  env.PATH = [mlvShimDir(nodePath), base.PATH ?? ''].filter(Boolean).join(':');
  return env;
}

const PYTHON = ['requirements.txt', 'poetry.lock', 'Pipfile.lock', 'uv.lock', 'environment.yml', 'conda.yaml'];
const NODE = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml'];
const OTHER = ['Cargo.lock', 'go.sum', 'Gemfile.lock', 'renv.lock'];

/** Lockfiles that describe what the stage's first program needs, most likely first. */
function candidates(cmd: string): string[] {
  const prog = posix.basename(cmd.trim().split(/\s+/)[0] ?? '');
  if (/^python[0-9.]*$|^pip[0-9.]*$|^conda$|^uv$|^poetry$/.test(prog)) return PYTHON;
  if (/^(node|npx|npm|tsx|ts-node|yarn|pnpm|bun|deno)$/.test(prog)) return NODE;
  return [...NODE, ...PYTHON, ...OTHER];
}

export function isMlvCommand(cmd: string): boolean {
  return /^\s*mlv(\s|$)/.test(cmd);
}

const fileHashes = new Map<string, string>();
/** Hash of a small file, remembered while its size and mtime stay the same (a sweep runs many stages). */
function hashOf(abs: string): string {
  const st = statSync(abs);
  const key = `${abs}\0${st.size}\0${st.mtimeMs}`;
  let h = fileHashes.get(key);
  if (!h) { h = hashBytes(readFileSync(abs)); fileHashes.set(key, h); }
  return h;
}

/**
 * Node, mlv, OS, architecture, and the hash of the lockfile of what the stage runs:
 * mlv's own package-lock for built-in `mlv …` commands, otherwise the first of
 * package-lock.json / requirements.txt / … found in the stage's wdir or the repo root.
 */
export function fingerprint(root: string, stage: StageDef, runtime: { node: string; platform: string; arch: string }): EnvFingerprint {
  const env: EnvFingerprint = { node: runtime.node, mlv: VERSION, os: runtime.platform, arch: runtime.arch };
  const first = stage.cmd[0];
  if (isMlvCommand(first)) {
    const pkg = mlvPackageRoot();
    for (const name of ['package-lock.json', 'package.json']) {
      const p = join(pkg, name);
      if (existsSync(p)) { env.lockfile = { path: `mlv:${name}`, hash: hashOf(p) }; break; }
    }
    return env;
  }
  const dirs = stage.wdir === '.' ? ['.'] : [stage.wdir, '.'];
  for (const name of candidates(first)) {
    for (const d of dirs) {
      const rel = d === '.' ? name : `${d}/${name}`;
      const p = join(root, rel);
      if (existsSync(p)) { env.lockfile = { path: rel, hash: hashOf(p) }; return env; }
    }
  }
  return env;
}
