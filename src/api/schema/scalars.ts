import { DateTimeResolver, JSONObjectResolver, SafeIntResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

// SafeInt, not Int: GraphQL's Int is 32-bit and file sizes reach 5 TiB.
builder.addScalarType('SafeInt', SafeIntResolver);
builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
