import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Root of the vendored test payloads; each file has a `.source.txt` beside it saying where it comes from. */
export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

export const fixturePath = (...parts: string[]): string => join(FIXTURES_DIR, ...parts);

export const readFixture = (...parts: string[]): string => readFileSync(fixturePath(...parts), 'utf8');

export const readJsonFixture = (...parts: string[]): any => JSON.parse(readFixture(...parts));
