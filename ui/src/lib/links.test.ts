import { expect, test } from 'vitest';
import { linkOpening } from './links';

test.each([
  ['a registry page', 'http://mlflow:5000/#/models/fraud-gbm', true, { via: 'registry', url: 'http://mlflow:5000/#/models/fraud-gbm' }],
  ['the docs', 'https://github.com/driftdeck/driftdeck#readme', false, { via: 'browser', url: 'https://github.com/driftdeck/driftdeck#readme' }],
  ['upper-case scheme, spaces around', '  HTTPS://example.com/a ', false, { via: 'browser', url: 'HTTPS://example.com/a' }],
  ['an in-page anchor', '#details', false, null],
  ['a relative link', 'report.html', false, null],
  ['another scheme', 'file:///etc/passwd', false, null],
  ['javascript:', 'javascript:alert(1)', true, null],
  ['no href', null, false, null],
] as const)('%s', (_name, href, registry, expected) => {
  expect(linkOpening(href, registry)).toEqual(expected);
});
