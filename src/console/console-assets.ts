import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConsoleAsset {
  type: string;
  body: string;
}

/** The only files served: nothing is looked up from the request's path. */
const FILES: Record<string, string> = { 'console.css': 'text/css; charset=utf-8', 'console.js': 'text/javascript; charset=utf-8' };

/**
 * The console's hand-written stylesheet and script, in src/console/assets/ (copied beside
 * the compiled code by `npm run build`, so dist/ serves them too). Read once, on first use.
 */
@Injectable()
export class ConsoleAssets {
  private readonly cache = new Map<string, ConsoleAsset>();

  get(name: string): ConsoleAsset | undefined {
    if (!Object.hasOwn(FILES, name)) return undefined;
    const type = FILES[name];
    let asset = this.cache.get(name);
    if (!asset) this.cache.set(name, (asset = { type, body: readFileSync(join(__dirname, 'assets', name), 'utf8') }));
    return asset;
  }
}
