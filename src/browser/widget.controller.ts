import { Controller, Get, Header, type OnModuleInit } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the build puts the snippet beside this file (scripts/copy-assets.mjs copies `src/**\/*.asset.js` into dist). */
export const WIDGET_FILE = join(__dirname, 'widget', 'widget.asset.js');

/**
 * GET /sdk/widget.js: the browser snippet, a static file read once. It is the same for
 * every page and every user (configuration comes from the script tag), so it can hold no
 * server value at all, secret or not.
 */
@ApiTags('browser')
@Controller('sdk')
export class WidgetController implements OnModuleInit {
  private script = '';

  onModuleInit(): void {
    this.script = readFileSync(WIDGET_FILE, 'utf8');
  }

  @Get('widget.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('X-Content-Type-Options', 'nosniff')
  @ApiOperation({ summary: 'The browser snippet: activity capture and the chat widget (configured by data- attributes of its script tag)' })
  @ApiProduces('text/javascript')
  @ApiResponse({ status: 200, description: 'JavaScript' })
  widget(): string {
    return this.script;
  }
}
