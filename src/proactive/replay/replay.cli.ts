import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { defaultRules } from '../engine/rules/default-rules';
import { loadRulesFile, RulesFileError } from '../engine/rules/rules.loader';
import type { RuleSet } from '../engine/rules/rule.types';
import { parseRecording, RecordingError } from './recording';
import { DEFAULT_TAIL_SECONDS, replay } from './replay';
import { formatTimeline } from './timeline';

const USAGE = 'usage: npm run replay -- <events.jsonl> [--rules <rules.yml|rules.json>] [--tail <seconds>] [--shadow]';

interface Args {
  recording: string;
  rules?: string;
  tailSeconds: number;
  shadow: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Args {
  let recording: string | undefined;
  let rules: string | undefined;
  let tailSeconds = DEFAULT_TAIL_SECONDS;
  let shadow = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rules') rules = argv[++i];
    else if (a === '--tail') tailSeconds = Number(argv[++i]);
    else if (a === '--shadow') shadow = true;
    else if (a === '--help' || a === '-h') throw new UsageError('');
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else if (recording === undefined) recording = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (!recording) throw new UsageError('missing the recording file');
  if (rules === undefined && argv.includes('--rules')) throw new UsageError('--rules needs a file');
  if (!Number.isFinite(tailSeconds) || tailSeconds < 0) throw new UsageError('--tail needs a number of seconds >= 0');
  return { recording, rules, tailSeconds, shadow };
}

/** Runs the CLI; returns the exit code. Output goes to the given writers so tests can capture it. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) err(`replay: ${e.message}\n`);
    err(`${USAGE}\n`);
    return e.message ? 2 : 0;
  }
  let text: string;
  try {
    text = await readFile(args.recording, 'utf8');
  } catch (e) {
    err(`replay: cannot read ${args.recording} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})\n`);
    return 1;
  }
  let rules: RuleSet;
  try {
    rules = args.rules ? await loadRulesFile(args.rules) : defaultRules();
  } catch (e) {
    if (!(e instanceof RulesFileError)) throw e;
    err(`replay: ${e.message}\n`);
    return 1;
  }
  try {
    const recording = parseRecording(text);
    const result = await replay(recording.events, { rules, tailSeconds: args.tailSeconds, config: args.shadow ? { mode: 'shadow' } : undefined });
    out(formatTimeline(result, { recording: basename(args.recording), rules: args.rules ? basename(args.rules) : 'defaults' }));
    return 0;
  } catch (e) {
    if (!(e instanceof RecordingError)) throw e;
    err(`replay: ${args.recording}: ${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  ).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`replay: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
