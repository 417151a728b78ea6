import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ActivityModule } from '../activity/activity.module';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), ActivityModule],
  controllers: [HealthController],
})
export class HealthModule {}
