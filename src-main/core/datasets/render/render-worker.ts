import fs from 'node:fs';
import { isMainThread, parentPort } from 'node:worker_threads';
import { BasicSoundBank, SoundBankLoader, SpessaSynthProcessor } from 'spessasynth_core';
import { HOLD_SECONDS, NOTE_SAMPLES, QUALITIES, SAMPLE_RATE } from '../../../shared/constants';
import { errorMessage } from '../../workers';
import { encodeWav16 } from '../wav';

/** One note a worker renders; `file` is where its WAV goes. */
export interface NoteJob {
  index: number;
  program: number;
  pitch: number;
  velocity: number;
  file: string;
}

/** Messages to a render worker: render a batch of notes of one font. */
export type RenderRequest = { type: 'render'; seq: number; font: string; notes: NoteJob[] };

/** Messages from a render worker: one per note, then done (or failed) per batch. */
export type RenderReply =
  | { type: 'note'; seq: number; index: number; peak: number; silent: boolean; qualities: number[] }
  | { type: 'done'; seq: number }
  | { type: 'failed'; seq: number; message: string };

/** Peak below which a rendered note counts as silent (the preset has no sample there). */
export const SILENCE_PEAK = 1e-4;

// The synth's own process() call renders at most this many samples (its default buffer size).
const BLOCK = 128;
const HOLD_SAMPLES = HOLD_SECONDS * SAMPLE_RATE;

/** Parses a SoundFont image; throws spessasynth's own error when it is not one. */
export function parseSoundfont(bytes: Buffer): BasicSoundBank {
  // readFileSync gives a large file its own ArrayBuffer: hand it over rather than copy 40 MB.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const ab = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  return SoundBankLoader.fromArrayBuffer(ab);
}

/** Loads a SoundFont file; its samples are decoded (and kept) as notes first use them. */
export async function loadSoundfont(font: string): Promise<BasicSoundBank> {
  const bank = parseSoundfont(fs.readFileSync(font));
  // SF3 samples are Ogg Vorbis; the decoder is WebAssembly that initialises asynchronously.
  await BasicSoundBank.isSF3DecoderReady;
  return bank;
}

/**
 * A fresh 16 kHz synthesizer over a loaded font, every effect off. A synth keeps a little state from
 * note to note (its voice pool), so a note's samples depend on what that synth rendered before: one
 * synth per batch (~5 ms) makes every note depend on the plan only, never on scheduling.
 */
export async function newSynth(bank: BasicSoundBank): Promise<SpessaSynthProcessor> {
  // Reverb, chorus and delay off: NSynth notes are dry, and effect tails would carry between notes.
  const synth = new SpessaSynthProcessor(SAMPLE_RATE, { effectsEnabled: false, eventsEnabled: false });
  await synth.processorInitialized;
  synth.soundBankManager.addSoundBank(bank, 'font');
  return synth;
}

/**
 * Renders one note as NSynth did: note-on, held 3 s, note-off, 1 s of release; mono, NOTE_SAMPLES
 * long. Every channel is reset first, so no controller or voice of an earlier note sounds.
 */
export function renderNote(
  synth: SpessaSynthProcessor,
  program: number,
  pitch: number,
  velocity: number,
): Float32Array {
  synth.stopAllChannels(true);
  synth.reset();
  synth.programChange(0, program);
  const left = new Float32Array(NOTE_SAMPLES);
  const right = new Float32Array(NOTE_SAMPLES);
  synth.noteOn(0, pitch, velocity);
  let done = 0;
  while (done < NOTE_SAMPLES) {
    if (done === HOLD_SAMPLES) synth.noteOff(0, pitch);
    const end = done < HOLD_SAMPLES ? HOLD_SAMPLES : NOTE_SAMPLES;
    const count = Math.min(BLOCK, end - done);
    synth.process(left, right, done, count);
    done += count;
  }
  synth.stopAllChannels(true);
  // Sum rather than average: the synth scales its output by 0.6 and pans with a constant-power law,
  // so GM presets peak near 0.1-0.4 per channel; the sum uses more of the 16-bit range, still below 1.
  const mono = new Float32Array(NOTE_SAMPLES);
  for (let i = 0; i < NOTE_SAMPLES; i++) mono[i] = left[i]! + right[i]!;
  return mono;
}

/** Largest absolute sample. */
export function peakOf(samples: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
  return peak;
}

function rms(samples: Float32Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/**
 * NSynth's quality bits, of which only the two envelope ones are judged (from loudness over time);
 * the others need a listener and stay 0.
 */
export function envelopeQualities(samples: Float32Array): number[] {
  const frame = SAMPLE_RATE / 20;
  let loudest = 0;
  for (let i = 0; i + frame <= samples.length; i += frame)
    loudest = Math.max(loudest, rms(samples, i, i + frame));
  const q = new Array<number>(QUALITIES.length).fill(0);
  if (loudest === 0) return q;
  const beforeOff = rms(samples, HOLD_SAMPLES - SAMPLE_RATE / 2, HOLD_SAMPLES);
  const afterOff = rms(samples, HOLD_SAMPLES + SAMPLE_RATE / 4, HOLD_SAMPLES + SAMPLE_RATE / 2);
  // "Decays substantially before note-off": under -20 dB of the loudest moment by 2.5-3 s.
  if (beforeOff < 0.1 * loudest) q[QUALITIES.indexOf('fast_decay')] = 1;
  // "Decays slowly after note-off": still above -26 dB of the loudest moment 0.25-0.5 s after it
  // (GM releases mostly fall silent within 0.25 s; strings and choirs ring on).
  if (afterOff > 0.05 * loudest) q[QUALITIES.indexOf('long_release')] = 1;
  return q;
}

// Keeps one font at a time: batches arrive in font order, so an old font is never needed again
// and its decoded samples (hundreds of MB for a large SF3) can be freed.
let current: { font: string; bank: BasicSoundBank } | undefined;

async function handle(req: RenderRequest, post: (r: RenderReply) => void): Promise<void> {
  if (current?.font !== req.font) {
    current = undefined;
    current = { font: req.font, bank: await loadSoundfont(req.font) };
  }
  const synth = await newSynth(current.bank);
  for (const job of req.notes) {
    const mono = renderNote(synth, job.program, job.pitch, job.velocity);
    const peak = peakOf(mono);
    const silent = peak < SILENCE_PEAK;
    if (!silent) fs.writeFileSync(job.file, encodeWav16(mono, SAMPLE_RATE));
    const qualities = silent ? [] : envelopeQualities(mono);
    post({ type: 'note', seq: req.seq, index: job.index, peak, silent, qualities });
  }
  post({ type: 'done', seq: req.seq });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const post = (r: RenderReply) => port.postMessage(r);
  // Batches are handled one after another: the main thread sends the next only after `done`.
  port.on('message', (req: RenderRequest) => {
    handle(req, post).catch((err: unknown) => {
      post({ type: 'failed', seq: req.seq, message: errorMessage(err) });
    });
  });
}
