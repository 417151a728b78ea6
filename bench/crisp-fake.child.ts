/**
 * The fake Crisp API for bench/crisp-ack.ts in its own process: it stands for a
 * remote service, so its CPU is not counted against ours. IPC: sends {url} once
 * listening; answers 'count' with {sent}, 'reset' with {ok}; exits on 'stop' or
 * when the parent goes away.
 */
import { FakeCrispServer } from '../test/support/fake-crisp.server';

async function main(): Promise<void> {
  const crisp = await new FakeCrispServer({ record: false }).start();
  process.on('message', (msg: string) => {
    if (msg === 'count') process.send?.({ sent: crisp.okCounts.message });
    if (msg === 'reset') {
      crisp.reset();
      process.send?.({ ok: true });
    }
    if (msg === 'stop') void crisp.stop().then(() => process.exit(0));
  });
  // The bench died without saying 'stop': do not outlive it.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ url: crisp.url });
}

void main();
