import { runDeadLetterContract } from './dead-letter.contract';
import { MemoryDeadLetterStore } from './memory.dead-letter.store';

runDeadLetterContract('memory', (max) => new MemoryDeadLetterStore(max));
