import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { DemoController } from './demo.controller';
import { DemoSimulation } from './demo-simulation';

/** DEMO=true: the demo product's pages (/demo) and the `demo` source of simulated users. */
@Module({
  imports: [ActivityModule],
  controllers: [DemoController],
  providers: [DemoSimulation],
})
export class DemoModule {}
