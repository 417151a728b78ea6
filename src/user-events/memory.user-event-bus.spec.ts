import { MemoryUserEventBus } from './memory.user-event-bus';
import { runUserEventBusContract } from './user-event-bus.contract';

runUserEventBusContract('memory', (o) => new MemoryUserEventBus(o));
