import { BadRequestException, Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { MAX_ID_CHARS } from '../copilot/chat-limits';
import { ConsoleAuthFilter } from './console-auth.filter';
import { ConsoleData, MAX_QUERY_CHARS } from './console-data.service';
import { setConsoleHeaders } from './console-http';
import { ConsoleStreams } from './console-streams';
import { ConsoleGuard, type ConsoleRequest } from './console.guard';
import { page } from './views/layout.view';
import { sessionRows, sessionsBody } from './views/sessions.view';
import { systemBody } from './views/system.view';
import { timelineBody, timelineContent } from './views/timeline.view';
import { html } from './views/html';

/**
 * The console's pages and live streams. Read-only: nothing here changes state. Pages
 * are rendered on the server (views/), the streams send re-rendered fragments.
 */
@ApiTags('console')
@ApiSecurity(SECURITY.consoleSession)
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleAuthFilter)
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly data: ConsoleData,
    private readonly streams: ConsoleStreams,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Operator console: live sessions (HTML; without a session, a redirect to /console/login)' })
  @ApiQuery({ name: 'q', required: false, description: 'Keep sessions whose user id or email contains this' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'HTML page' })
  @ApiResponse({ status: 303, description: 'Not signed in: to /console/login' })
  @ApiErrors(401, 404)
  async sessions(@Req() req: ConsoleRequest, @Res() res: Response, @Query('q') q?: unknown): Promise<void> {
    const query = queryText(q);
    const rows = await this.data.sessions(query);
    setConsoleHeaders(res);
    res.type('html').send(page({ title: 'Live sessions', tab: 'sessions', operator: req.consoleOperator, body: sessionsBody(rows, query, this.data.proactiveOn) }));
  }

  @Get('sessions/stream')
  @ApiOperation({ summary: 'Server-sent events: `sessions` with the re-rendered session rows whenever they change' })
  @ApiQuery({ name: 'q', required: false })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'Event stream' })
  @ApiErrors(401, 404)
  sessionsStream(@Req() req: Request, @Res() res: Response, @Query('q') q?: unknown): void {
    const query = queryText(q);
    setConsoleHeaders(res);
    this.streams.serve(req, res, 'sessions', async () => sessionRows(await this.data.sessions(query), this.data.proactiveOn).value);
  }

  @Get('users/:userId')
  @ApiOperation({ summary: "A user's timeline: actions by page over time, summaries, chat turns, nudges and the copilot's context now" })
  @ApiParam({ name: 'userId' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'HTML page' })
  @ApiErrors(400, 401, 404)
  async timeline(@Req() req: ConsoleRequest, @Res() res: Response, @Param('userId') userId: string): Promise<void> {
    checkUserId(userId);
    const t = await this.data.timeline(userId);
    setConsoleHeaders(res);
    if (!t) {
      const body = html`<section class="toolbar"><h1>No activity for <span class="uid">${userId}</span></h1><a href="/console">← live sessions</a></section><p class="muted">This user was never seen, or their sessions have expired.</p>`;
      res.status(404).type('html').send(page({ title: 'Unknown user', tab: 'timeline', operator: req.consoleOperator, body }));
      return;
    }
    res.type('html').send(page({ title: `Timeline of ${userId}`, tab: 'timeline', operator: req.consoleOperator, body: timelineBody(t) }));
  }

  @Get('users/:userId/stream')
  @ApiOperation({ summary: 'Server-sent events: `timeline` with the re-rendered timeline whenever it changes' })
  @ApiParam({ name: 'userId' })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'Event stream' })
  @ApiErrors(400, 401, 404)
  timelineStream(@Req() req: Request, @Res() res: Response, @Param('userId') userId: string): void {
    checkUserId(userId);
    setConsoleHeaders(res);
    this.streams.serve(req, res, 'timeline', async () => {
      const t = await this.data.timeline(userId);
      return t ? timelineContent(t).value : html`<p class="muted">This user's sessions have expired.</p>`.value;
    });
  }

  @Get('system')
  @ApiOperation({ summary: 'System: sources, queue, LLM and breaker, store, Redis, recent errors, replies and nudges per minute' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'HTML page' })
  @ApiErrors(401, 404)
  async system(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const view = await this.data.system();
    setConsoleHeaders(res);
    res.type('html').send(page({ title: 'System', tab: 'system', operator: req.consoleOperator, body: systemBody(view) }));
  }
}

function queryText(q: unknown): string {
  return typeof q === 'string' ? q.slice(0, MAX_QUERY_CHARS) : '';
}

function checkUserId(userId: string): void {
  if (!userId || userId.length > MAX_ID_CHARS) throw new BadRequestException(`userId must be 1 to ${MAX_ID_CHARS} characters`);
}
