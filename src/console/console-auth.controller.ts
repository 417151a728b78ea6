import { BadRequestException, Body, Controller, ForbiddenException, Get, HttpCode, HttpException, Inject, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '../common/openapi.decorators';
import { consoleConfig, type ConfigOf } from '../config/config.namespaces';
import { ConsoleAssets } from './console-assets';
import { ConsoleAuth } from './console-auth.service';
import { isSameOrigin, setConsoleHeaders } from './console-http';
import { ConsoleLoginDto } from './console-login.dto';
import { ConsoleGuard, ConsolePublic } from './console.guard';
import { loginBody, page } from './views/layout.view';

/** Signing in and out, and the console's stylesheet and script (public: the login form needs them). */
@ApiTags('console')
@UseGuards(ConsoleGuard)
@Controller('console')
export class ConsoleAuthController {
  constructor(
    private readonly auth: ConsoleAuth,
    private readonly assets: ConsoleAssets,
    @Inject(consoleConfig.KEY) private readonly cfg: ConfigOf<typeof consoleConfig>,
  ) {}

  @Get('login')
  @ConsolePublic()
  @ApiOperation({ summary: 'The console sign-in form (404 unless CONSOLE_USERS or CONSOLE_TOKEN is set)' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'HTML form' })
  @ApiErrors(404)
  loginForm(@Res() res: Response): void {
    setConsoleHeaders(res);
    res.type('html').send(page({ title: 'Sign in', tab: 'login', body: loginBody({ users: this.cfg.users.length > 0, token: Boolean(this.cfg.token) }) }));
  }

  @Post('login')
  @ConsolePublic()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign in with a CONSOLE_USERS name and password, or CONSOLE_TOKEN; sets the HttpOnly, SameSite=Strict session cookie' })
  @ApiBody({ type: ConsoleLoginDto })
  @ApiResponse({ status: 204, description: 'Signed in (Set-Cookie)' })
  @ApiErrors(400, 401, 403, 404, 429)
  async login(@Body() body: ConsoleLoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    setConsoleHeaders(res);
    if (!isSameOrigin(req)) throw new ForbiddenException('Console sign-in is accepted only from the console itself');
    const attempt = body.token !== undefined ? { token: body.token } : body.username !== undefined && body.password !== undefined ? { username: body.username, password: body.password } : undefined;
    if (!attempt) throw new BadRequestException('Send either token, or username and password');
    const result = await this.auth.login(attempt, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    if (!result.ok && result.reason === 'rate_limited') {
      res.setHeader('Retry-After', String(result.retryAfterSeconds ?? 900));
      throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: 'Too many failed sign-ins from this address; try again later' }, 429);
    }
    // One message for every failure: it does not say whether the name exists.
    if (!result.ok) throw new HttpException({ statusCode: 401, error: 'Unauthorized', message: 'Wrong credentials' }, 401);
    res.setHeader('Set-Cookie', result.cookie);
  }

  @Post('logout')
  @ConsolePublic()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out (clears the session cookie)' })
  @ApiResponse({ status: 204, description: 'Signed out' })
  @ApiErrors(403, 404)
  logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    setConsoleHeaders(res);
    if (!isSameOrigin(req)) throw new ForbiddenException('Console sign-out is accepted only from the console itself');
    res.setHeader('Set-Cookie', this.auth.clearCookie());
  }

  @Get('assets/:name')
  @ConsolePublic()
  @ApiExcludeEndpoint()
  asset(@Param('name') name: string, @Res() res: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException();
    setConsoleHeaders(res);
    res.type(asset.type).send(asset.body);
  }
}
