import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_MAP_FILE } from '../../../src-main/core/embedding/embedding-map';
import { FAMILIES, FAMILY_COLORS } from '../../../src-main/shared/constants';
import { umapLayout } from '../../../src-main/core/embedding/layout';
import { Workbench } from '../../../src-main/core/workbench';
import type { WorkbenchEvent } from '../../../src-main/shared/contract';
import type { RunDetail } from '../../../src-main/shared/training';
import { tinyDataset } from '../../helpers/tiny';
import { tempDir } from '../../helpers/tmp';

const home = tempDir('timbre-embedding-');
let wb: Workbench;
let run: RunDetail;
const events: WorkbenchEvent[] = [];

beforeAll(async () => {
  wb = new Workbench({ home: home.dir });
  const dataset = (await wb.importDataset(await tinyDataset(), 'tiny')).id;
  wb.subscribe((e) => events.push(e));
  // A small CRNN: its embedding is the LSTM's readout, as the map must take it from any model type.
  const created = await wb.createRun({
    preset: 'logmel-crnn',
    overrides: {
      epochs: 2,
      batch: 16,
      model: { hidden: 8, layers: 1 },
      features: { seconds: 0.5, nMels: 16 },
    },
    dataset,
    backend: 'wasm',
  });
  run = await wb.waitForRun(created.id);
  expect(run.status).toBe('finished');
});
afterAll(async () => {
  await wb.close();
  home.cleanup();
});

const mapFile = () => path.join(run.models.find((m) => m.kind === 'best')!.dir, EMBEDDING_MAP_FILE);

describe('the embedding map of a finished run', () => {
  it('maps every test note once, in 0..1, with the families and predictions of its best weights', async () => {
    expect(await wb.embeddingMap(run.id)).toBeNull();
    const map = await wb.makeEmbeddingMap(run.id);
    const test = await wb.listPredictions(run.id, 'test', 'best');
    expect(map).toMatchObject({ runId: run.id, weights: 'best', split: 'test', seed: run.seed, dims: 8 });
    expect(map.epoch).toBe(run.bestEpoch);
    expect([...map.notes].sort()).toEqual(test.notes.map((n) => n.noteStr).sort());
    const byNote = new Map(test.notes.map((n) => [n.noteStr, n]));
    map.notes.forEach((note, i) => {
      // The map's own pass over the notes predicts what the run's evaluation recorded.
      expect(map.truth[i], note).toBe(byNote.get(note)!.trueFamily);
      expect(map.predicted[i], note).toBe(byNote.get(note)!.predicted);
    });
    for (const v of [...map.x, ...map.y]) expect(v >= 0 && v <= 1).toBe(true);
    // Spread out, not one point: the longer side spans 0..1 and the other is used too.
    const range = (v: number[]) => Math.max(...v) - Math.min(...v);
    const [long, short] = [range(map.x), range(map.y)].sort((a, b) => b - a) as [number, number];
    expect(long).toBeCloseTo(1, 4);
    expect(short).toBeGreaterThan(0.1);
    // Progress was reported for both phases.
    const phases = new Set(
      events.flatMap((e) =>
        e.type === 'progress' && e.task === `embedding-map ${run.id}` ? [e.progress.phase] : [],
      ),
    );
    expect(phases).toEqual(new Set(['features', 'embed', 'layout']));
    expect(fs.existsSync(mapFile())).toBe(true);
  });

  it('is stored, not made again, and the same when made again from the run seed', async () => {
    const first = (await wb.embeddingMap(run.id))!;
    expect(first).not.toBeNull();
    const again = await wb.makeEmbeddingMap(run.id);
    expect(again.createdAt).toBe(first.createdAt);
    fs.rmSync(mapFile());
    expect(await wb.embeddingMap(run.id)).toBeNull();
    const remade = await wb.makeEmbeddingMap(run.id);
    expect(remade.createdAt).not.toBe(first.createdAt);
    expect({ ...remade, createdAt: '' }).toEqual({ ...first, createdAt: '' });
  });

  it('remakes a damaged map file instead of trusting it', async () => {
    const good = (await wb.embeddingMap(run.id))!;
    const damaged = { ...good, x: good.x.map(() => 7) };
    fs.writeFileSync(mapFile(), JSON.stringify(damaged));
    expect(await wb.embeddingMap(run.id)).toBeNull();
    fs.writeFileSync(mapFile(), '{"runId": ');
    expect(await wb.embeddingMap(run.id)).toBeNull();
    // Fields the report prints are checked too: markup in them never reaches a report.
    fs.writeFileSync(mapFile(), JSON.stringify({ ...good, dims: '<img src=x onerror=alert(1)>' }));
    expect(await wb.embeddingMap(run.id)).toBeNull();
    const report = await wb.exportReport([run.id], 'html');
    const html = report.files.map((f) => Buffer.from(f.base64, 'base64').toString('utf8')).join('\n');
    expect(html).not.toContain('<img src=x');
    expect((await wb.makeEmbeddingMap(run.id)).x).toEqual(good.x);
  });

  it('is drawn in the HTML report as a static picture in the colours of the families', async () => {
    const map = (await wb.embeddingMap(run.id))!;
    const report = await wb.exportReport([run.id], 'html');
    const html = report.files.map((f) => Buffer.from(f.base64, 'base64').toString('utf8')).join('\n');
    const figure = /<figure class="embedding-map">([\s\S]*?)<\/figure>/.exec(html)?.[1];
    expect(figure).toBeDefined();
    const dots = [...figure!.matchAll(/<g><title>([^<]*)<\/title><circle [^>]*fill="(#[0-9a-fA-F]{6})"\/>/g)];
    expect(dots.length).toBe(map.notes.length);
    const wrong = map.notes.filter((_, i) => map.truth[i] !== map.predicted[i]).length;
    expect(figure!.match(/fill="none" stroke="currentColor"/g)?.length ?? 0).toBe(wrong);
    for (const [, title, fill] of dots) {
      const i = map.notes.indexOf(title!.split(':')[0]!);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(fill!.toLowerCase()).toBe(FAMILY_COLORS[FAMILIES[map.truth[i]!]!]!.toLowerCase());
    }
  });

  it('refuses runs that cannot have one, in one line', async () => {
    await expect(wb.makeEmbeddingMap(99999)).rejects.toThrow(/no run 99999|run 99999/i);
    const queued = await wb.createRun({
      preset: 'logmel-mlp',
      overrides: { epochs: 1 },
      dataset: run.datasetId!,
    });
    await wb.cancelRun(queued.id);
    await expect(wb.makeEmbeddingMap(queued.id)).rejects.toThrow(/only a finished run/);
  });
});

describe('umapLayout', () => {
  // Three tight clusters in 6-D.
  const vectors = Array.from({ length: 45 }, (_, i) =>
    Array.from({ length: 6 }, (_, d) => (d === i % 3 ? 5 : 0) + Math.sin(i * 7.1 + d) * 0.1),
  );

  it('is the same for the same seed, another for another seed, and keeps clusters apart', () => {
    const a = umapLayout(vectors, 3);
    expect(umapLayout(vectors, 3)).toEqual(a);
    expect(umapLayout(vectors, 4)).not.toEqual(a);
    const centre = (k: number) => {
      const idx = vectors.map((_, i) => i).filter((i) => i % 3 === k);
      return [
        idx.reduce((s, i) => s + a.x[i]!, 0) / idx.length,
        idx.reduce((s, i) => s + a.y[i]!, 0) / idx.length,
      ];
    };
    const spread = (k: number) => {
      const [cx, cy] = centre(k);
      return Math.max(
        ...vectors
          .map((_, i) => i)
          .filter((i) => i % 3 === k)
          .map((i) => Math.hypot(a.x[i]! - cx!, a.y[i]! - cy!)),
      );
    };
    const [c0, c1] = [centre(0), centre(1)];
    expect(Math.hypot(c0[0]! - c1[0]!, c0[1]! - c1[1]!)).toBeGreaterThan(2 * Math.max(spread(0), spread(1)));
  });

  it('lays out fewer than 4 points on a line', () => {
    expect(umapLayout([[1], [2]], 0)).toEqual({ x: [0, 1], y: [0.5, 0.5] });
    expect(umapLayout([], 0)).toEqual({ x: [], y: [] });
  });
});
