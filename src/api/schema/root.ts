import { builder } from '../builder.js';

// The root types carry no fields of their own; each feature file adds its fields.
builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
