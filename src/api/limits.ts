import { EnvelopArmor } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';

/**
 * graphql-armor's validation-time limits on every operation, over HTTP, SSE
 * and graphql-ws alike (all go through yoga's envelop): depth, cost, aliases,
 * directives and lexer tokens. Our schema has no cycles, so depth is bounded
 * anyway; the limits stop aliased fan-out, huge documents and introspection
 * abuse. Field suggestions ("did you mean ...") leak the schema, so they go
 * when introspection does.
 */
export function armorPlugins(config: Pick<Config, 'api' | 'graphiql'>): Plugin[] {
  const { api } = config;
  const armor = new EnvelopArmor({
    maxDepth: { n: api.maxDepth, exposeLimits: true },
    costLimit: { maxCost: api.maxCost, exposeLimits: true },
    maxAliases: { n: api.maxAliases, exposeLimits: true },
    maxDirectives: { n: api.maxDirectives, exposeLimits: true },
    maxTokens: { n: api.maxTokens, exposeLimits: true },
    blockFieldSuggestion: { enabled: !config.graphiql },
  });
  return armor.protect().plugins as Plugin[];
}
