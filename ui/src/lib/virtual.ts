/**
 * Which rows of a long list of fixed-height rows to put in the DOM.
 *
 * The table draws only the rows in the viewport plus a few on each side
 * (`overscan`, so that a fast scroll does not show blank space before the
 * next frame), and two spacers whose heights stand in for the rest.
 */

export type WindowInput = {
  /** The scroller's scrollTop, measured from the first row. */
  scrollTop: number;
  /** The scroller's visible height. */
  viewportHeight: number;
  rowHeight: number;
  count: number;
  overscan: number;
};

export type VirtualWindow = {
  /** First row drawn. */
  start: number;
  /** One past the last row drawn. */
  end: number;
  /** Height of the spacer before `start`. */
  before: number;
  /** Height of the spacer after `end`. */
  after: number;
};

export function virtualWindow({ scrollTop, viewportHeight, rowHeight, count, overscan }: WindowInput): VirtualWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  const top = Math.max(0, Number.isFinite(scrollTop) ? scrollTop : 0);
  const height = Math.max(0, Number.isFinite(viewportHeight) ? viewportHeight : 0);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(height / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, before: start * rowHeight, after: (count - end) * rowHeight };
}
