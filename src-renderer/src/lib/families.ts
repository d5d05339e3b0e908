import { FAMILIES, FAMILY_COLORS, RUN_COLORS } from '../../../src-main/shared/constants';

export { FAMILY_COLORS, RUN_COLORS };

/** The families in NSynth order. */
export const FAMILY_NAMES: readonly string[] = FAMILIES;

/** Colour of a family by name or index. */
export function familyColor(family: string | number): string {
  const name = typeof family === 'number' ? FAMILIES[family] : family;
  return (name && FAMILY_COLORS[name]) || '#888888';
}
