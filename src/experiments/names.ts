/**
 * Experiment names: readable (`brisk-otter-042`), valid as one ref component, and
 * unique. Generated names derive from a hash of what makes the run (baseline and
 * overrides), so the same sweep planned twice proposes the same names; a taken name
 * moves on to the next candidate.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors/index.js';

const ADJECTIVES = [
  'agile', 'amber', 'bold', 'brave', 'brisk', 'calm', 'clever', 'cosmic', 'crisp', 'dapper',
  'deft', 'eager', 'early', 'fancy', 'fleet', 'fresh', 'gentle', 'glad', 'grand', 'happy',
  'hardy', 'jolly', 'keen', 'kind', 'lively', 'lucid', 'lucky', 'merry', 'mellow', 'nimble',
  'noble', 'plucky', 'polar', 'proud', 'quick', 'quiet', 'rapid', 'ready', 'rosy', 'rustic',
  'sharp', 'shiny', 'sleek', 'smart', 'snug', 'solar', 'sunny', 'swift', 'tidy', 'vivid',
  'warm', 'wise', 'witty', 'zesty',
];
const NOUNS = [
  'badger', 'beacon', 'birch', 'bison', 'cedar', 'comet', 'coral', 'crane', 'delta', 'ember',
  'falcon', 'fern', 'finch', 'fjord', 'gecko', 'glade', 'heron', 'ibis', 'jaguar', 'kelp',
  'lark', 'lemur', 'lotus', 'lynx', 'maple', 'marsh', 'meadow', 'mink', 'moose', 'newt',
  'oak', 'orca', 'otter', 'owl', 'panda', 'pine', 'puffin', 'quail', 'raven', 'reef',
  'robin', 'sable', 'seal', 'spruce', 'stoat', 'swan', 'tapir', 'tern', 'tiger', 'trout',
  'viper', 'walrus', 'willow', 'wren', 'yak', 'zebra',
];

/** Candidate `attempt` for a seed string. */
export function generatedName(seed: string, attempt = 0): string {
  const h = createHash('sha256').update(`${seed}\0${attempt}`).digest();
  const adj = ADJECTIVES[h.readUInt16BE(0) % ADJECTIVES.length];
  const noun = NOUNS[h.readUInt16BE(2) % NOUNS.length];
  const num = h.readUInt16BE(4) % 1000;
  return `${adj}-${noun}-${String(num).padStart(3, '0')}`;
}

/** The first candidate not in `taken`; adds it to `taken`. */
export function uniqueName(seed: string, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const name = generatedName(seed, attempt);
    if (!taken.has(name)) { taken.add(name); return name; }
  }
}

/** A user-chosen name must be one ref component that `git check-ref-format` accepts. */
export function validateName(name: string): string {
  const ok = /^[A-Za-z0-9_][A-Za-z0-9._\-]*$/.test(name) && !name.includes('..') && !name.endsWith('.lock') && !name.endsWith('.') && name.length <= 100;
  if (!ok) throw new InputError(`--name ${name}: use letters, digits, '.', '_' and '-' (no '..', not ending in '.lock')`, { name }, 'EEXPNAME');
  return name;
}
