import { BadRequestException, HttpException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => m.replace(e.property, path));
    return [...own, ...describe(e.children ?? [], path)];
  });
}

const fieldsCache = new WeakMap<object, Set<string>>();

/** The properties a DTO class declares validation for (undefined when it declares none). */
function declaredFields(metatype: object): Set<string> | undefined {
  let fields = fieldsCache.get(metatype);
  if (!fields) {
    const metas = getMetadataStorage().getTargetValidationMetadatas(metatype as new () => object, '', true, false);
    fields = new Set(metas.map((m) => m.propertyName));
    fieldsCache.set(metatype, fields);
  }
  return fields.size > 0 ? fields : undefined;
}

const isPrimitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/**
 * The global pipe (APP_PIPE) for DTO-typed bodies and queries. Before any
 * transformation it refuses what a flat DTO can never be (not an object, an unknown
 * field, a nested value), so hostile input costs a key lookup, not a class-transformer
 * walk. Then values are transformed to the DTO's types and validated, and a 400 names
 * every bad field in one message. Whatever a validator throws becomes a 400, never a
 * 500. Routes that take `unknown` (webhooks) validate with their own schemas.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) => new BadRequestException(describe(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fields = metadata.metatype && metadata.type !== 'custom' ? declaredFields(metadata.metatype) : undefined;
    if (fields && metadata.type !== 'param') {
      const where = metadata.type === 'query' ? 'query' : 'body';
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestException(`${where} must be a JSON object`);
      for (const [key, v] of Object.entries(value)) {
        if (!fields.has(key)) throw new BadRequestException(`${key.slice(0, 60)}: unknown field`);
        if (!isPrimitive(v)) throw new BadRequestException(`${key}: must be a single value, not ${Array.isArray(v) ? 'a list' : 'an object'}`);
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (err) {
      if (err instanceof HttpException) throw err;
      throw new BadRequestException(`${metadata.type === 'query' ? 'query' : 'body'} could not be validated`);
    }
  }
}

export const createValidationPipe = () => new StrictValidationPipe();
