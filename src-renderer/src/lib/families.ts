import { FAMILIES } from '../../../src-main/shared/constants';

/**
 * One fixed colour per instrument family, everywhere a family appears. Colour-blind-safe:
 * Okabe-Ito's eight plus three from Paul Tol's muted set.
 */
export const FAMILY_COLORS: Record<string, string> = {
  bass: '#0072B2',
  brass: '#E69F00',
  flute: '#56B4E9',
  guitar: '#009E73',
  keyboard: '#D55E00',
  mallet: '#CC79A7',
  organ: '#882255',
  reed: '#999933',
  string: '#332288',
  synth_lead: '#F0E442',
  vocal: '#117733',
};

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
