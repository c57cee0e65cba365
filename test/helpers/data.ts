// One copy of the test data helpers, kept by the endpoint's package; LFS's tests take theirs from it.
export { randomStream, sha256Of } from '../../packages/local-aws/test/helpers/data.js';
