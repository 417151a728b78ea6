import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => m.replace(e.property, path));
    return [...own, ...describe(e.children ?? [], path)];
  });
}

/**
 * The global pipe (APP_PIPE) for DTO-typed bodies and queries: unknown fields are
 * stripped, values transformed to the DTO's types, and a 400 names every bad field in
 * one readable message. Routes that take `unknown` (webhooks) validate with their own
 * schemas and pass through untouched.
 */
export const createValidationPipe = () =>
  new ValidationPipe({
    whitelist: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
  });
