import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ConsoleLoginDto {
  @ApiPropertyOptional({ description: 'A CONSOLE_USERS name (with password)', maxLength: 64 })
  @IsOptional()
  @MaxLength(64)
  @IsString()
  username?: string;

  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @MaxLength(1024)
  @IsString()
  password?: string;

  @ApiPropertyOptional({ description: 'CONSOLE_TOKEN, instead of a user name and password', maxLength: 1024 })
  @IsOptional()
  @MaxLength(1024)
  @IsString()
  token?: string;
}
