// Importing each feature file registers its types on the builder; order does not matter.
import { builder } from '../builder.js';
import './scalars.js';
import './root.js';
import './file.js';
import './file-connection.js';
import './upload.js';
import './download.js';
import './events.js';
import './credentials.js';

export const schema = builder.toSchema();
