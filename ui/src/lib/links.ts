/**
 * Where a click on a link goes. The webview never navigates away from the
 * app: http(s) links (registry pages, the docs) open in the system browser,
 * through the shell's `open_link`. Anything else (in-page anchors, other
 * schemes) is left to the webview.
 */

/** The URL to open in the system browser, or null when the link is not a web link. */
export function webLink(href: string | null | undefined): string | null {
  if (!href || !/^https?:\/\//i.test(href.trim())) return null;
  return href.trim();
}
