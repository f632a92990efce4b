/**
 * Where a click on a link goes. The webview never navigates away from the
 * app: http(s) links open in the system browser, through the shell. Links to
 * a saved registry (marked `data-registry-link`) go through
 * `open_registry_link`, which only opens registry pages; every other one
 * through `open_link`. Anything else (in-page anchors, other schemes) is left
 * to the webview.
 */

/** The attribute that marks a link to a page of a saved registry. */
export const REGISTRY_LINK = 'data-registry-link';

export type LinkOpening = { via: 'registry' | 'browser'; url: string };

export function linkOpening(href: string | null | undefined, registry: boolean): LinkOpening | null {
  if (!href || !/^https?:\/\//i.test(href.trim())) return null;
  return { via: registry ? 'registry' : 'browser', url: href.trim() };
}
