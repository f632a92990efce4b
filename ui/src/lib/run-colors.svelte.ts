/**
 * The run colours the user chose (a legend swatch opens a colour picker),
 * kept between sessions; every other run takes the palette's colour by id
 * (`runColor` in lib/series.ts).
 */
import { COLORS_STORAGE_KEY, parseStoredColors, serializeColors } from './series';

function read(): Map<number, string> {
  try {
    return parseStoredColors(localStorage.getItem(COLORS_STORAGE_KEY));
  } catch {
    return new Map(); // storage unavailable: palette colours
  }
}

class RunColors {
  chosen = $state.raw<ReadonlyMap<number, string>>(read());

  set(runId: number, color: string) {
    const next = new Map(this.chosen);
    next.set(runId, color);
    this.chosen = next;
    try {
      localStorage.setItem(COLORS_STORAGE_KEY, serializeColors(next));
    } catch {
      // Kept for this session only.
    }
  }
}

export const runColors = new RunColors();
