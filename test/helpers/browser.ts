/** The Chromium the browser tests drive: found as the endpoint's own browser tests find it. */
export { CHROMIUM_ARGS, findChromium } from '../../packages/local-aws/test/helpers/browser.js';
