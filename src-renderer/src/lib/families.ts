import { FAMILIES, FAMILY_COLORS } from '../../../src-main/shared/constants';

export { FAMILY_COLORS };

/** The families in NSynth order. */
export const FAMILY_NAMES: readonly string[] = FAMILIES;

/** Colour of a family by name or index. */
export function familyColor(family: string | number): string {
  const name = typeof family === 'number' ? FAMILIES[family] : family;
  return (name && FAMILY_COLORS[name]) || '#888888';
}

/**
 * One fixed colour per run inside a comparison (up to 10), the same in every chart and table
 * of that view: Tol's bright + vibrant sets, distinct from each other in both themes.
 */
export const RUN_COLORS = [
  '#4477AA',
  '#EE6677',
  '#228833',
  '#CCBB44',
  '#66CCEE',
  '#AA3377',
  '#EE7733',
  '#009988',
  '#BBBBBB',
  '#000000',
];
