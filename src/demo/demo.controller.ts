import { Controller, Get, Header, Inject, NotFoundException, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { identityConfig, type ConfigOf } from '../config/config.namespaces';
import { userTokenFor } from '../copilot/identity-verifier';
import { demoPage, type DemoVisitor } from './demo-layout';
import * as pages from './demo-pages';

const COOKIE = 'demo_visitor';
const VISITOR_ID = /^visitor-[a-z0-9]{10}$/;

/**
 * DEMO=true: the demo product at /demo, plain server-rendered pages with the browser
 * snippet. Each visitor is a demo user of their own (an id kept in a cookie) whose user
 * token the server mints here, as a real product's backend would; refused in production.
 */
@ApiExcludeController()
@Controller('demo')
export class DemoController {
  constructor(@Inject(identityConfig.KEY) private readonly identity: ConfigOf<typeof identityConfig>) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo', pages.dashboard(), req, res);
  }

  @Get('projects')
  @Header('Content-Type', 'text/html; charset=utf-8')
  projects(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query('saved') saved?: string): string {
    return this.render('/demo/projects', pages.projects(typeof saved === 'string' ? saved : undefined), req, res);
  }

  @Get('projects/new')
  @Header('Content-Type', 'text/html; charset=utf-8')
  newProject(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo/projects/new', pages.newProject(), req, res);
  }

  @Get('projects/bulk-edit')
  @Header('Content-Type', 'text/html; charset=utf-8')
  bulkEdit(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo/projects/bulk-edit', pages.bulkEdit(), req, res);
  }

  @Get('projects/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  project(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Param('id') id: string): string {
    const page = pages.projectEditor(id);
    if (!page) throw new NotFoundException('No such demo project');
    return this.render(`/demo/projects/${id}`, page, req, res);
  }

  @Get('team')
  @Header('Content-Type', 'text/html; charset=utf-8')
  team(@Req() req: Request, @Res({ passthrough: true }) res: Response, @Query('invited') invited?: string): string {
    return this.render('/demo/team', pages.team(invited === '1'), req, res);
  }

  @Get('billing')
  @Header('Content-Type', 'text/html; charset=utf-8')
  billing(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo/billing', pages.billing(), req, res);
  }

  @Get('settings')
  @Header('Content-Type', 'text/html; charset=utf-8')
  settings(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo/settings', pages.settings(), req, res);
  }

  @Get('reports')
  @Header('Content-Type', 'text/html; charset=utf-8')
  reports(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    return this.render('/demo/reports', pages.reports(), req, res);
  }

  @Get('error/:code')
  @Header('Content-Type', 'text/html; charset=utf-8')
  error(@Req() req: Request, @Res({ passthrough: true }) res: Response): string {
    // Answered 200: the page shows an error for the rules to notice; the service itself did not fail.
    return this.render('/demo/error', pages.errorPage(), req, res);
  }

  private render(path: string, page: pages.DemoPage, req: Request, res: Response): string {
    res.setHeader('Cache-Control', 'no-store');
    return demoPage(path, page.title, page.body, this.visitor(req, res));
  }

  private visitor(req: Request, res: Response): DemoVisitor {
    let userId = cookie(req, COOKIE);
    if (!userId || !VISITOR_ID.test(userId)) {
      userId = `visitor-${randomBytes(8).toString('hex').slice(0, 10)}`;
      res.setHeader('Set-Cookie', `${COOKIE}=${userId}; Path=/; SameSite=Lax; HttpOnly; Max-Age=86400`);
    }
    // The module is mounted only with USER_TOKEN_SECRET (env rule), so the secret is there.
    return { userId, token: userTokenFor(this.identity.secret ?? '', userId) };
  }
}

function cookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
