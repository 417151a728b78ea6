import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { hashPassword } from './password-hash';

/**
 * `npm run console:hash-password`: prints a CONSOLE_USERS hash for a password read from
 * stdin (piped, or typed at a hidden prompt) — never from argv, which shells keep in
 * their history and `ps` shows to every local user.
 *   printf '%s' 'the password' | npm run --silent console:hash-password
 *   → scrypt$32768$8$1$…   (use as CONSOLE_USERS=alice:scrypt$32768$8$1$…)
 */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write('Console password: ');
  muted = true;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

async function main(): Promise<void> {
  const password = await readPassword();
  if (password.length < 8) {
    process.stderr.write('Refusing: the password must be at least 8 characters.\n');
    process.exit(1);
  }
  process.stdout.write(`${await hashPassword(password)}\n`);
}

void main();
