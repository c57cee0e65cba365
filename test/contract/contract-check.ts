import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isIntrospectionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

const kindOf = (type: GraphQLNamedType) =>
  isObjectType(type) ? 'type' : isInputObjectType(type) ? 'input' : isEnumType(type) ? 'enum' : isScalarType(type) ? 'scalar' : isInterfaceType(type) ? 'interface' : 'union';

/**
 * Everything `contractSdl` declares that `schema` lacks or declares
 * differently: types and their kinds, fields and their exact types (so
 * nullability counts), arguments with types and defaults, enum values.
 * More in `schema` is fine; the contract is a floor.
 */
export function contractProblems(contractSdl: string, schema: GraphQLSchema): string[] {
  const contract = buildSchema(contractSdl);
  const problems: string[] = [];
  for (const expected of Object.values(contract.getTypeMap())) {
    if (isIntrospectionType(expected) || isSpecifiedScalarType(expected)) continue;
    const actual = schema.getType(expected.name);
    if (!actual) {
      problems.push(`missing ${kindOf(expected)} ${expected.name}`);
      continue;
    }
    if (kindOf(actual) !== kindOf(expected)) {
      problems.push(`${expected.name} is a ${kindOf(actual)}, the contract says ${kindOf(expected)}`);
      continue;
    }
    if (isEnumType(expected) && isEnumType(actual)) {
      const values = new Set(actual.getValues().map((value) => value.name));
      for (const value of expected.getValues()) if (!values.has(value.name)) problems.push(`missing enum value ${expected.name}.${value.name}`);
    }
    if ((isObjectType(expected) && isObjectType(actual)) || (isInputObjectType(expected) && isInputObjectType(actual))) {
      const fields: Record<string, GraphQLField<unknown, unknown> | GraphQLInputField> = actual.getFields();
      for (const field of Object.values(expected.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>)) {
        const coordinate = `${expected.name}.${field.name}`;
        const mine = fields[field.name];
        if (!mine) {
          problems.push(`missing field ${coordinate}`);
          continue;
        }
        if (String(mine.type) !== String(field.type)) problems.push(`${coordinate} is ${String(mine.type)}, the contract says ${String(field.type)}`);
        if ('args' in field && 'args' in mine) problems.push(...argumentProblems(coordinate, field.args, mine.args));
      }
    }
  }
  return problems;
}

function argumentProblems(coordinate: string, expected: readonly GraphQLArgument[], actual: readonly GraphQLArgument[]): string[] {
  const problems: string[] = [];
  for (const arg of expected) {
    const mine = actual.find((candidate) => candidate.name === arg.name);
    if (!mine) {
      problems.push(`missing argument ${coordinate}(${arg.name}:)`);
      continue;
    }
    if (String(mine.type) !== String(arg.type)) problems.push(`${coordinate}(${arg.name}:) is ${String(mine.type)}, the contract says ${String(arg.type)}`);
    if (JSON.stringify(mine.defaultValue) !== JSON.stringify(arg.defaultValue)) {
      problems.push(`${coordinate}(${arg.name}:) defaults to ${JSON.stringify(mine.defaultValue)}, the contract says ${JSON.stringify(arg.defaultValue)}`);
    }
  }
  for (const arg of actual) {
    // An extra argument only stays compatible when clients may leave it out.
    if (!expected.some((candidate) => candidate.name === arg.name) && String(arg.type).endsWith('!') && arg.defaultValue === undefined) {
      problems.push(`${coordinate}(${arg.name}:) is required but not in the contract`);
    }
  }
  return problems;
}

/** The first ```graphql block of a markdown document. */
export function graphqlBlockOf(markdown: string): string | undefined {
  return /```graphql\n([\s\S]*?)```/.exec(markdown)?.[1];
}
