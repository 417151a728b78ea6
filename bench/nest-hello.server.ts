/**
 * Reference for bench/http-ack.ts: a Nest 11 + Express "hello world" (the defaults of
 * NestFactory.create, one module, one GET route answering JSON). Listens on 127.0.0.1:$PORT.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class HelloController {
  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(HelloModule, { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

void main();
