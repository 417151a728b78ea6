import { Body, Controller, Get, HttpCode, HttpStatus, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { parseRasaActionCall } from './rasa-action-call.schema';
import { RasaActionCallDto, RasaActionNameDto, RasaActionResponseDto, RasaHealthDto } from './rasa-action.dto';
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
  @ApiBearerAuth()
  @ApiQuery({ name: 'token', required: false, description: 'RASA_ACTION_TOKEN, for Rasa endpoint configs that send `token:`' })
  @ApiOperation({ summary: 'Run a custom action (Rasa action call); bodies may be zlib-deflated (Content-Encoding: deflate)' })
  @ApiBody({ type: RasaActionCallDto })
  @ApiResponse({ status: 200, type: RasaActionResponseDto, description: 'Always 200 once the action is known; failures answer with fallback text' })
  @ApiResponse({ status: 400, description: '`{error}`: the body is not a Rasa action call' })
  @ApiResponse({ status: 401, description: 'RASA_ACTION_TOKEN is set and the call did not carry it' })
  @ApiResponse({ status: 404, description: '`{error, action_name}`: no such action' })
  async webhook(@Body() body: unknown): Promise<RasaActionResponse> {
    const parsed = parseRasaActionCall(body);
    if (!parsed.ok) throw new RasaProtocolException(HttpStatus.BAD_REQUEST, { error: parsed.error });
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
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The custom actions this service runs' })
  @ApiResponse({ status: 200, type: [RasaActionNameDto] })
  list(): RasaActionNameDto[] {
    return this.actions.names().map((name) => ({ name }));
  }
}
