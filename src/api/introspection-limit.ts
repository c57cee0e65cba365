import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Introspection fields that return lists: nesting one inside another multiplies the work. */
const LIST_FIELDS = new Set(['types', 'fields', 'inputFields', 'interfaces', 'possibleTypes', 'enumValues', 'args', 'directives']);

/**
 * Our own schema has no cycles, but introspection does (`fields { type {
 * fields { type ... } } }`), and graphql-armor's depth and cost limits skip
 * introspection, so with GraphiQL on a small query could ask for millions of
 * objects. The standard introspection query (GraphiQL's) never nests one list
 * field inside the same list field, so that is what this rule refuses.
 */
export const noNestedIntrospectionLists: ValidationRule = (context) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  function walk(selectionSet: SelectionSetNode, open: ReadonlySet<string>, fragmentPath: ReadonlySet<string>): string | undefined {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) continue;
        const name = selection.name.value;
        if (LIST_FIELDS.has(name) && open.has(name)) return name;
        const inner = LIST_FIELDS.has(name) ? new Set([...open, name]) : open;
        const found = walk(selection.selectionSet, inner, fragmentPath);
        if (found) return found;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = walk(selection.selectionSet, open, fragmentPath);
        if (found) return found;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Unknown and cyclic fragments are reported by graphql's own rules.
        if (!fragment || fragmentPath.has(name)) continue;
        const found = walk(fragment.selectionSet, open, new Set([...fragmentPath, name]));
        if (found) return found;
      }
    }
    return undefined;
  }

  return {
    OperationDefinition(operation) {
      const nested = walk(operation.selectionSet, new Set(), new Set());
      if (nested) context.reportError(new GraphQLError(`Introspection may not nest "${nested}" inside "${nested}"`, { nodes: operation }));
    },
  };
};

export const useIntrospectionLimit: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(noNestedIntrospectionLists),
};
