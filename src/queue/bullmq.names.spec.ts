import { bullJobId, bullQueueName } from './bullmq.names';

describe('BullMQ names and ids', () => {
  it('passes safe names through and maps the rest to something BullMQ accepts', () => {
    expect(bullQueueName('crisp.reply')).toBe('crisp.reply');
    expect(bullJobId('0f8c-4d2a')).toBe('0f8c-4d2a');
    for (const id of ['summary:prod:sess', 'crisp:s1:fp', '42', '0', 'with space', 'ü', 'a'.repeat(500)]) {
      const mapped = bullJobId(id);
      expect(mapped).not.toContain(':');
      expect(`${parseInt(mapped, 10)}`).not.toBe(mapped);
      expect(mapped.length).toBeLessThanOrEqual(83);
    }
    expect(bullQueueName('jobs:high')).not.toContain(':');
  });

  it('never maps two different ids to one', () => {
    const ids = ['a:b', 'a_b', 'a?b', 'a b', 'a:b:c', 'a_b~x', 'summary:p:s1', 'summary:p:s2'];
    expect(new Set(ids.map(bullJobId)).size).toBe(ids.length);
    // The readable part is the same for these; the hash keeps them apart.
    expect(bullJobId('a:b')).not.toBe(bullJobId('a?b'));
  });
});
