import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Every failed constraint, first per field, as one readable sentence list naming the fields. */
function describe(errors: ValidationError[]): string {
  return errors.flatMap((e) => Object.values(e.constraints ?? {})).join('; ');
}

/** Query validation for KB routes: unknown parameters stripped, numbers converted, a 400 naming each bad field. */
export const kbValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(describe(errors)),
  });
