import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CONSOLE_PATH } from './console.constants';
import { ConsoleLoginRequired } from './console.guard';

/**
 * A browser asking for a console page without a session is sent to the login form
 * (303); streams, posts and anything that is not a page get the JSON 401.
 */
@Catch(ConsoleLoginRequired)
export class ConsoleAuthFilter implements ExceptionFilter {
  catch(err: ConsoleLoginRequired, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    const wantsPage = req.method === 'GET' && !req.path.endsWith('/stream') && String(req.headers.accept ?? '').includes('text/html');
    if (wantsPage) {
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, `${CONSOLE_PATH}/login`);
      return;
    }
    res.status(401).json(err.getResponse());
  }
}
