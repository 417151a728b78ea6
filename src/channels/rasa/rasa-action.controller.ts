import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../../common/openapi.decorators';
import { parseRasaActionCall } from './rasa-action-call.schema';
import { RasaActionCallDto, RasaActionNameDto, RasaActionResponseDto, RasaErrorDto, RasaHealthDto } from './rasa-action.dto';
import { RasaActionTokenGuard } from './rasa-action-token.guard';
import { RasaActionsService, UnknownRasaActionError, type RasaActionResponse } from './rasa-actions.service';
import { RasaProtocolException, RasaProtocolExceptionFilter } from './rasa-protocol.exception';

/** Rasa's action-server protocol, so Rasa's endpoints.yml can point straight at this service. */
@ApiTags('rasa')
@UseFilters(RasaProtocolExceptionFilter)
@Controller('rasa')
export class RasaActionController {
  constructor(private readonly actions: RasaActionsService) {}

  @Post('webhook')
  @HttpCode(200)
  @UseGuards(RasaActionTokenGuard)
  @ApiSecurity(SECURITY.rasaToken)
  @ApiSecurity(SECURITY.rasaTokenQuery)
  @ApiOperation({ summary: 'Run a custom action (Rasa action call); bodies may be zlib-deflated (Content-Encoding: deflate)' })
  @ApiBody({ type: RasaActionCallDto })
  @ApiResponse({ status: 200, type: RasaActionResponseDto, description: 'Always 200 once the action is known; failures answer with fallback text' })
  @ApiResponse({ status: 400, type: RasaErrorDto, description: 'The body is not a Rasa action call (`action_name` when the call named one)' })
  @ApiResponse({ status: 404, type: RasaErrorDto, description: 'No such action' })
  @ApiErrors(401, 413)
  async webhook(@Body() body: unknown): Promise<RasaActionResponse> {
    const parsed = parseRasaActionCall(body);
    // Rasa reads `action_name` from a 400 to reject the action cleanly; without it Rasa itself raises.
    if (!parsed.ok) {
      throw new RasaProtocolException(HttpStatus.BAD_REQUEST, { error: parsed.error, ...(parsed.actionName ? { action_name: parsed.actionName } : {}) });
    }
    try {
      return await this.actions.run(parsed.call);
    } catch (err) {
      if (err instanceof UnknownRasaActionError) {
        throw new RasaProtocolException(HttpStatus.NOT_FOUND, { error: err.message, action_name: err.actionName });
      }
      throw err;
    }
  }

  @Get('health')
  @ApiOperation({ summary: 'Action-server health, as rasa-sdk answers it' })
  @ApiResponse({ status: 200, type: RasaHealthDto })
  health(): RasaHealthDto {
    return { status: 'ok' };
  }

  @Get('actions')
  @UseGuards(RasaActionTokenGuard)
  @ApiSecurity(SECURITY.rasaToken)
  @ApiSecurity(SECURITY.rasaTokenQuery)
  @ApiErrors(401)
  @ApiOperation({ summary: 'The custom actions this service runs' })
  @ApiResponse({ status: 200, type: [RasaActionNameDto] })
  list(): RasaActionNameDto[] {
    return this.actions.names().map((name) => ({ name }));
  }
}
