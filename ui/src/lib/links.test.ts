import { expect, test } from 'vitest';
import { webLink } from './links';

test.each([
  ['a registry page', 'http://mlflow:5000/#/models/fraud-gbm', 'http://mlflow:5000/#/models/fraud-gbm'],
  ['the docs', 'https://github.com/driftdeck/driftdeck#readme', 'https://github.com/driftdeck/driftdeck#readme'],
  ['upper-case scheme, spaces around', '  HTTPS://example.com/a ', 'HTTPS://example.com/a'],
  ['an in-page anchor', '#details', null],
  ['a relative link', 'report.html', null],
  ['another scheme', 'file:///etc/passwd', null],
  ['javascript:', 'javascript:alert(1)', null],
  ['no href', null, null],
] as const)('%s', (_name, href, expected) => {
  expect(webLink(href)).toEqual(expected);
});
