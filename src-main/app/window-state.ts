import fs from 'node:fs';
import path from 'node:path';

/** Where and how big the main window was when it last closed. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

const DEFAULT: WindowState = { width: 1280, height: 800, maximized: false };

/** Reads the saved window state (defaults when none or unreadable). */
export function loadWindowState(file: string): WindowState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WindowState>;
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
    return {
      x: ok(s.x) ? s.x : undefined,
      y: ok(s.y) ? s.y : undefined,
      width: ok(s.width) && s.width! >= 640 ? s.width! : DEFAULT.width,
      height: ok(s.height) && s.height! >= 480 ? s.height! : DEFAULT.height,
      maximized: s.maximized === true,
    };
  } catch {
    return { ...DEFAULT };
  }
}

/** Saves the window state next to the database. */
export function saveWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(state));
}
