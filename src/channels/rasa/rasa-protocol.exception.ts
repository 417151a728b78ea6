import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';

/**
 * An error in the action-server protocol's own shape, which Rasa reads:
 * 400 `{error}` for a body that is not an action call, 404 `{error, action_name}`
 * for an action we do not serve.
 */
export class RasaProtocolException extends HttpException {
  constructor(status: HttpStatus.BAD_REQUEST | HttpStatus.NOT_FOUND, readonly body: { error: string; action_name?: string }) {
    super(body, status);
  }
}

/** Writes RasaProtocolException bodies as they are; every other error keeps the app's usual shape. */
@Catch(RasaProtocolException)
export class RasaProtocolExceptionFilter implements ExceptionFilter {
  catch(exception: RasaProtocolException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    res.status(exception.getStatus()).json(exception.body);
  }
}
