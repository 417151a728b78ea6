import { parse as parseDotenv } from 'dotenv';
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv, type Env } from './env.schema';

export interface EnvSource {
  /** Exact variables to use (tests). When given, process.env and .env are ignored. */
  env?: Record<string, string | undefined>;
  /** Path of a .env file to read under process.env (process.env wins). Default: none. */
  envFile?: string;
}

/** The only place that reads process.env. */
export function loadEnv(source: EnvSource = {}): Env {
  if (source.env) return parseEnv(source.env);
  const fromFile = source.envFile && existsSync(source.envFile) ? parseDotenv(readFileSync(source.envFile)) : {};
  return parseEnv({ ...fromFile, ...process.env });
}
